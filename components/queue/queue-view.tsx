"use client";
import {
  keepPreviousData,
  useInfiniteQuery,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { claimRequest, unclaimRequest } from "@/app/(dashboard)/actions";
import type { QueueItemDto, QueueResponse, RecentResponse } from "@/lib/contract/api";
import { visibleText } from "@/lib/hitl/text";
import { RISK_LEVELS } from "@/lib/hitl/types";
import { failureText } from "../action-result";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { Alert, EmptyState } from "../ui/alert";
import { Button } from "../ui/button";
import { useAnnounce } from "../ui/clock";
import { cx } from "../ui/cx";
import { Input, Select } from "../ui/field";
import { can, canEscalate, useViewer } from "../viewer";
import { DecisionDialog } from "./decision-dialog";
import {
  filtersToSearch,
  matchesType,
  type QueueFilters,
  queueQuery,
  readFilters,
  recentQuery,
  TABS,
  type Tab,
} from "./filters";
import { DecidedRow, QueueRow } from "./queue-row";
import type { DecisionKind } from "./use-decide";

const TAB_LABEL: Record<Tab, string> = {
  pending: "Pending",
  escalated: "Escalated",
  quarantined: "Quarantined",
  decided: "Recently decided",
};

type Counts = QueueResponse["counts"];

const sameKey = (a: QueueFilters, b: QueueFilters) =>
  a.tab === b.tab && a.risk === b.risk && a.agent === b.agent && a.mine === b.mine;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) ||
    target.closest("dialog[open]") !== null
  );
}

export function QueueView({
  initialFilters,
  initialQueue,
  initialRecent,
  initialCounts,
}: {
  initialFilters: QueueFilters;
  initialQueue: QueueResponse | null;
  initialRecent: RecentResponse | null;
  initialCounts: Counts;
}) {
  const viewer = useViewer();
  const router = useRouter();
  const client = useQueryClient();
  const announce = useAnnounce();
  const search = useSearchParams();
  const filters = useMemo(() => readFilters(search), [search]);
  const isInitial = sameKey(filters, initialFilters);
  const openTab = filters.tab !== "decided";
  const listKey = {
    tab: filters.tab,
    risk: filters.risk,
    agent: filters.agent,
    mine: filters.mine,
  };

  const setFilters = useCallback((next: QueueFilters, push = false) => {
    const url = `/queue${filtersToSearch(next)}`;
    // The URL holds the filters; Next's router follows the native history calls.
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }, []);

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

  // The reviewer's place: the selected row survives refreshes; when it leaves (decided,
  // expired), the row that took its place is selected.
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const lastIndex = useRef(0);
  useEffect(() => {
    if (!openTab || items.length === 0) return;
    const at = selectedId ? items.findIndex((i) => i.id === selectedId) : -1;
    if (at >= 0) {
      lastIndex.current = at;
      return;
    }
    if (selectedId !== null) {
      const next = items[Math.min(lastIndex.current, items.length - 1)];
      setSelectedId(next?.id ?? null);
    }
  }, [items, selectedId, openTab]);

  const [dialog, setDialog] = useState<{ kind: DecisionKind; item: QueueItemDto } | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(null), 6000);
    return () => clearTimeout(t);
  }, [flash]);

  const [claimError, setClaimError] = useState<string | null>(null);
  const [claiming, setClaiming] = useState<string | null>(null);
  const onClaim = useCallback(
    async (item: QueueItemDto, claim: boolean) => {
      setClaiming(item.id);
      setClaimError(null);
      const r = await (claim ? claimRequest({ id: item.id }) : unclaimRequest({ id: item.id }));
      setClaiming(null);
      if (!r.ok) setClaimError(r.error.message);
      else announce(`${claim ? "Claimed" : "Unclaimed"} ${visibleText(item.action.type)}`);
      void client.invalidateQueries({ queryKey: queryKeys.queue.all });
    },
    [client, announce],
  );

  const onDecide = useCallback((kind: DecisionKind, item: QueueItemDto) => {
    setSelectedId(item.id);
    setDialog({ kind, item });
  }, []);
  const onExpire = useCallback(() => {
    void client.invalidateQueries({ queryKey: queryKeys.queue.all });
  }, [client]);

  // j/k move, Enter opens, a/r/e decide (each through its confirm step).
  useEffect(() => {
    if (!openTab) return;
    function onKey(e: KeyboardEvent) {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (items.length === 0) return;
      const at = Math.max(
        0,
        items.findIndex((i) => i.id === selectedId),
      );
      const current = selectedId ? items[at] : undefined;
      const move = (to: number) => {
        const next = items[Math.max(0, Math.min(items.length - 1, to))];
        if (!next) return;
        setSelectedId(next.id);
        document
          .querySelector(`[data-testid="queue-row"][data-id="${next.id}"]`)
          ?.scrollIntoView({ block: "nearest" });
      };
      if (e.key === "j" || e.key === "ArrowDown") {
        e.preventDefault();
        move(current ? at + 1 : 0);
      } else if (e.key === "k" || e.key === "ArrowUp") {
        e.preventDefault();
        move(current ? at - 1 : 0);
      } else if (
        e.key === "Enter" &&
        current &&
        !(e.target instanceof HTMLAnchorElement || e.target instanceof HTMLButtonElement)
      ) {
        e.preventDefault();
        router.push(`/requests/${current.id}`);
      } else if (
        current &&
        e.key === "a" &&
        current.actionable &&
        current.allowed_decisions.includes("approve")
      ) {
        e.preventDefault();
        setDialog({ kind: "approve", item: current });
      } else if (current && e.key === "r" && current.actionable) {
        e.preventDefault();
        setDialog({ kind: "reject", item: current });
      } else if (current && e.key === "e" && canEscalate(viewer, current)) {
        e.preventDefault();
        setDialog({ kind: "escalate", item: current });
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [items, selectedId, openTab, router, viewer]);

  const active = openTab ? queue : recent;
  const filtered = Boolean(filters.risk || filters.agent || filters.type || filters.mine);
  const readOnly = !can(viewer, "approve");
  const agents = useMemo(
    () => [...new Set([...items, ...decided].map((i) => i.agent_name))].sort(),
    [items, decided],
  );

  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Queue</h1>
          <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
            {readOnly
              ? "You can read the queue; your role decides nothing."
              : "Highest risk first. Open a request to read its inputs before you decide."}
          </p>
        </div>
        <p className="hidden text-xs text-slate-500 lg:block dark:text-slate-400">
          <span className="font-mono">j</span>/<span className="font-mono">k</span> move ·{" "}
          <span className="font-mono">↵</span> open · <span className="font-mono">a</span> approve ·{" "}
          <span className="font-mono">r</span> reject · <span className="font-mono">e</span>{" "}
          escalate
        </p>
      </div>

      <div
        role="tablist"
        aria-label="Queue status"
        className="mt-4 -mx-4 flex overflow-x-auto border-b border-slate-200 px-2 sm:mx-0 sm:gap-1 sm:px-0 dark:border-slate-800"
      >
        {TABS.map((t) => {
          const selected = filters.tab === t;
          const count = t === "decided" ? null : counts[t];
          return (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={selected}
              data-testid={`tab-${t}`}
              onClick={() => {
                setSelectedId(null);
                setFilters({ ...filters, tab: t }, true);
              }}
              className={cx(
                "relative -mb-px flex h-10 shrink-0 items-center gap-1 border-b-2 px-1.5 text-[13px] font-medium whitespace-nowrap sm:gap-2 sm:px-3 sm:text-sm",
                selected
                  ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                  : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100",
              )}
            >
              {t === "decided" ? (
                <>
                  <span className="sm:hidden">Decided</span>
                  <span className="hidden sm:inline">{TAB_LABEL[t]}</span>
                </>
              ) : (
                TAB_LABEL[t]
              )}
              {count !== null && (
                <span
                  data-testid={`count-${t}`}
                  className={cx(
                    "rounded-full px-1.5 text-xs tabular-nums",
                    selected
                      ? "bg-indigo-100 text-indigo-800 dark:bg-indigo-400/20 dark:text-indigo-200"
                      : "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
                  )}
                >
                  {count}
                </span>
              )}
            </button>
          );
        })}
      </div>

      <Filters filters={filters} setFilters={setFilters} agents={agents} readOnly={readOnly} />

      <div aria-live="polite" className="empty:hidden">
        {flash && (
          <Alert tone="success" className="mt-3" testId="queue-flash">
            {flash}
          </Alert>
        )}
      </div>
      {claimError && (
        <Alert tone="error" className="mt-3">
          {claimError}
        </Alert>
      )}
      {active.error && (
        <Alert
          tone="error"
          className="mt-3"
          testId="queue-error"
          title="The queue could not be read"
        >
          {failureText(active.error)}{" "}
          <button type="button" className="underline" onClick={() => void active.refetch()}>
            Try again
          </button>
        </Alert>
      )}

      <div
        className={cx(
          "mt-3 overflow-hidden rounded-lg bg-white shadow-sm ring-1 ring-slate-200 transition-opacity dark:bg-slate-900 dark:ring-slate-800",
          active.isPlaceholderData && "opacity-60",
        )}
      >
        {openTab ? (
          items.length > 0 ? (
            <ul
              data-testid="queue-list"
              aria-label={`${TAB_LABEL[filters.tab]} requests`}
              className="divide-y divide-slate-100 dark:divide-slate-800"
            >
              {items.map((item) => (
                <QueueRow
                  key={item.id}
                  item={item}
                  selected={item.id === selectedId}
                  onSelect={setSelectedId}
                  onDecide={onDecide}
                  onClaim={onClaim}
                  onExpire={onExpire}
                  claimPending={claiming === item.id}
                  reserveActions={!readOnly}
                />
              ))}
            </ul>
          ) : queue.isPending ? (
            <Loading />
          ) : (
            <Empty
              tab={filters.tab}
              filtered={filtered}
              mine={filters.mine}
              clear={() => setFilters({ tab: filters.tab, mine: false })}
            />
          )
        ) : decided.length > 0 ? (
          <ul
            data-testid="decided-list"
            aria-label="Recently decided requests"
            className="divide-y divide-slate-100 dark:divide-slate-800"
          >
            {decided.map((r) => (
              <DecidedRow key={r.id} r={r} />
            ))}
          </ul>
        ) : recent.isPending ? (
          <Loading />
        ) : (
          <Empty
            tab="decided"
            filtered={filtered}
            mine={false}
            clear={() => setFilters({ tab: "decided", mine: false })}
          />
        )}
      </div>

      {active.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button
            onClick={() => void active.fetchNextPage()}
            disabled={active.isFetchingNextPage}
            data-testid="load-more"
          >
            {active.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </div>
      )}
      {!openTab && (
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
          Actions approved on arrival (low risk) are not listed here; the{" "}
          <Link className="underline" href="/audit?type=hitl.auto_approved">
            audit log
          </Link>{" "}
          has them.
        </p>
      )}
      {filters.type && !openTab && (
        <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
          On this tab the type filter applies to the requests loaded so far.
        </p>
      )}

      <DecisionDialog
        kind={dialog?.kind ?? null}
        target={dialog?.item ?? null}
        onClose={() => setDialog(null)}
        onDone={(message) => setFlash(message)}
      />
    </div>
  );
}

function Loading() {
  return (
    <div
      className="px-4 py-12 text-center text-sm text-slate-500 dark:text-slate-400"
      aria-busy="true"
    >
      Loading…
    </div>
  );
}

function Empty({
  tab,
  filtered,
  mine,
  clear,
}: {
  tab: Tab;
  filtered: boolean;
  mine: boolean;
  clear: () => void;
}) {
  const clearButton = filtered && (
    <button
      type="button"
      onClick={clear}
      className="mt-2 font-medium text-indigo-700 underline dark:text-indigo-300"
      data-testid="clear-filters"
    >
      Clear filters
    </button>
  );
  const title = filtered
    ? mine
      ? "Nothing here you can approve right now"
      : "No requests match these filters"
    : tab === "pending"
      ? "Nothing is waiting for review"
      : tab === "escalated"
        ? "No escalated requests"
        : tab === "quarantined"
          ? "Nothing is in quarantine"
          : "No decisions yet";
  const text = filtered
    ? null
    : tab === "pending"
      ? "New requests appear here as agents submit them; this page updates by itself."
      : tab === "escalated"
        ? "Requests that a reviewer or the timeout escalates to a higher role land here."
        : tab === "quarantined"
          ? "Quarantined requests are held from approval until a devops engineer releases or rejects them."
          : "Approved, rejected, expired and cancelled requests appear here, newest first.";
  return (
    <div className="p-4">
      <EmptyState title={title} testId="queue-empty">
        {text}
        {clearButton && <div>{clearButton}</div>}
      </EmptyState>
    </div>
  );
}

function Filters({
  filters,
  setFilters,
  agents,
  readOnly,
}: {
  filters: QueueFilters;
  setFilters: (f: QueueFilters) => void;
  agents: string[];
  readOnly: boolean;
}) {
  // Text filters apply after a pause in typing, so each key press is not a query.
  const [agent, setAgent] = useState(filters.agent ?? "");
  const [type, setType] = useState(filters.type ?? "");
  useEffect(() => setAgent(filters.agent ?? ""), [filters.agent]);
  useEffect(() => setType(filters.type ?? ""), [filters.type]);
  useEffect(() => {
    const t = setTimeout(() => {
      const a = agent.trim() || undefined;
      const ty = type.trim() || undefined;
      if (a !== filters.agent || ty !== filters.type)
        setFilters({ ...filters, agent: a, type: ty });
    }, 400);
    return () => clearTimeout(t);
  }, [agent, type, filters, setFilters]);
  return (
    <form
      aria-label="Filter the queue"
      onSubmit={(e) => e.preventDefault()}
      className="mt-3 grid grid-cols-2 gap-2 sm:flex sm:flex-wrap sm:items-center"
    >
      <label className="sr-only" htmlFor="filter-risk">
        Risk level
      </label>
      <Select
        id="filter-risk"
        data-testid="filter-risk"
        value={filters.risk ?? ""}
        onChange={(e) =>
          setFilters({ ...filters, risk: (e.target.value || undefined) as QueueFilters["risk"] })
        }
        className="sm:w-44"
      >
        <option value="">All risk levels</option>
        {RISK_LEVELS.map((l) => (
          <option key={l} value={l}>
            {l[0]?.toUpperCase()}
            {l.slice(1)}
          </option>
        ))}
      </Select>
      <label className="sr-only" htmlFor="filter-agent">
        Agent
      </label>
      <Input
        id="filter-agent"
        data-testid="filter-agent"
        list="known-agents"
        placeholder="Agent"
        value={agent}
        onChange={(e) => setAgent(e.target.value)}
        autoComplete="off"
        className="sm:w-44"
      />
      <datalist id="known-agents">
        {agents.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <label className="sr-only" htmlFor="filter-type">
        Action type
      </label>
      <Input
        id="filter-type"
        data-testid="filter-type"
        placeholder="Action type"
        value={type}
        onChange={(e) => setType(e.target.value)}
        autoComplete="off"
        className="sm:w-44"
      />
      {!readOnly && filters.tab !== "decided" && filters.tab !== "quarantined" && (
        <label className="flex h-10 items-center gap-2 text-sm text-slate-700 sm:ml-1 dark:text-slate-300">
          <input
            type="checkbox"
            data-testid="filter-mine"
            checked={filters.mine}
            onChange={(e) => setFilters({ ...filters, mine: e.target.checked })}
            className="size-4 rounded border-slate-300 accent-indigo-600"
          />
          Only what I can approve
        </label>
      )}
    </form>
  );
}
