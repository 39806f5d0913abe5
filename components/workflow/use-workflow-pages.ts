"use client";
// The workflow as the page reads it: the first page of each list, refreshed on a poll, and the
// pages the reader adds with "show more", which every refresh reads again so they stay.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import type { WorkflowList, WorkflowStatusDto } from "@/lib/contract/api";
import {
  NO_REACH,
  reachWith,
  type WorkflowReach,
  withLoadedPages,
  withPage,
} from "@/lib/contract/workflow-pages";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { useAnnounce } from "../ui/clock";
import { showingWords } from "./more-pages";

export function useWorkflowPages(initial: WorkflowStatusDto) {
  const client = useQueryClient();
  const announce = useAnnounce();
  const id = initial.workflow_id;
  // The answer carries the first page of each list; the reader adds pages, and each refresh
  // reads the first pages again and then as many as they had added, so what they loaded stays.
  const reach = useRef<WorkflowReach>(NO_REACH);
  const fetchPage = useCallback(
    (list: WorkflowList, cursor: string) =>
      read("workflow-page", { workflow_id: id, list, cursor }),
    [id],
  );
  const wf = useQuery({
    queryKey: queryKeys.workflow.of(id),
    queryFn: async ({ signal }) =>
      withLoadedPages(
        await read("workflow", { workflow_id: id }, signal),
        reach.current,
        fetchPage,
      ),
    initialData: initial,
    refetchInterval: POLL_MS,
  });
  const more = useMutation({
    mutationFn: async (list: WorkflowList) => {
      const from = client.getQueryData<WorkflowStatusDto>(queryKeys.workflow.of(id))?.cursors[list];
      if (!from) return null;
      return { from, page: await fetchPage(list, from) };
    },
    onSuccess: async (read) => {
      if (!read) return;
      reach.current = reachWith(reach.current, read.page);
      // A refresh under way was read without this page: drop it; the next one reads it too.
      await client.cancelQueries({ queryKey: queryKeys.workflow.of(id) });
      const now = client.getQueryData<WorkflowStatusDto>(queryKeys.workflow.of(id));
      const next = now && withPage(now, read.page, read.from);
      if (next) {
        client.setQueryData(queryKeys.workflow.of(id), next);
        announce(showingWords(read.page.list, next));
      } else {
        void client.invalidateQueries({ queryKey: queryKeys.workflow.of(id) });
      }
    },
  });
  return { wf, more };
}
