"use client";
// The queue's reads for the filters in the URL: the open tabs' list, the recently decided list,
// and the tab counts; the server's first answer is used while the filters are the page's own.

import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import type { QueueResponse, RecentResponse } from "@/lib/contract/api";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { matchesType, type QueueFilters, queueQuery, recentQuery } from "./filters";

export type Counts = QueueResponse["counts"];

const sameKey = (a: QueueFilters, b: QueueFilters) =>
  a.tab === b.tab && a.risk === b.risk && a.agent === b.agent && a.mine === b.mine;

/** What the server read for the page's own filters (the queue page's props). */
export interface FirstRead {
  initialFilters: QueueFilters;
  initialQueue: QueueResponse | null;
  initialRecent: RecentResponse | null;
  initialCounts: Counts;
}

export function useQueueLists(
  filters: QueueFilters,
  { initialFilters, initialQueue, initialRecent, initialCounts }: FirstRead,
) {
  const isInitial = sameKey(filters, initialFilters);
  const openTab = filters.tab !== "decided";
  const listKey = {
    tab: filters.tab,
    risk: filters.risk,
    agent: filters.agent,
    mine: filters.mine,
  };

  const queue = useInfiniteQuery({
    queryKey: queryKeys.queue.list(listKey),
    queryFn: ({ pageParam, signal }) => read("queue", queueQuery(filters, pageParam), signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    initialData:
      isInitial && initialQueue ? { pages: [initialQueue], pageParams: [undefined] } : undefined,
    enabled: openTab,
    refetchInterval: POLL_MS,
    placeholderData: keepPreviousData,
  });

  const recent = useInfiniteQuery({
    queryKey: queryKeys.recent.list(listKey),
    queryFn: ({ pageParam, signal }) => read("recent", recentQuery(filters, pageParam), signal),
    initialPageParam: undefined as { decided_at: string; id: string } | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
    initialData:
      isInitial && initialRecent ? { pages: [initialRecent], pageParams: [undefined] } : undefined,
    enabled: !openTab,
    refetchInterval: POLL_MS,
    placeholderData: keepPreviousData,
  });

  // The tab counts while the decided tab is open (the open tabs carry their own).
  const countsQuery = useQuery({
    queryKey: queryKeys.queue.counts({
      risk: filters.risk,
      agent: filters.agent,
      mine: filters.mine,
    }),
    queryFn: ({ signal }) =>
      read(
        "queue",
        { ...queueQuery({ ...filters, tab: "pending" }), status: undefined, limit: 1 },
        signal,
      ),
    initialData:
      isInitial && !openTab ? { items: [], next_cursor: null, counts: initialCounts } : undefined,
    enabled: !openTab,
    refetchInterval: POLL_MS,
  });

  const counts: Counts =
    (openTab ? queue.data?.pages[0]?.counts : countsQuery.data?.counts) ?? initialCounts;

  const items = useMemo(() => queue.data?.pages.flatMap((p) => p.items) ?? [], [queue.data]);
  const decided = useMemo(
    () =>
      (recent.data?.pages.flatMap((p) => p.items) ?? []).filter((i) =>
        matchesType(i.action.type, filters.type),
      ),
    [recent.data, filters.type],
  );

  return { openTab, queue, recent, counts, items, decided };
}
