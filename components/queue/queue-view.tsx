"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useState } from "react";
import { failureText } from "../action-result";
import { queryKeys } from "../query-keys";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";
import { cx } from "../ui/cx";
import { can, useViewer } from "../viewer";
import { DecisionDialog } from "./decision-dialog";
import { FilterForm } from "./filter-form";
import { filtersToSearch, type QueueFilters, readFilters } from "./filters";
import { QueueEmpty, QueueLoading } from "./queue-empty";
import { DecidedRow, QueueRow } from "./queue-row";
import { QueueTabs, TAB_LABEL } from "./queue-tabs";
import { useQueueKeyboard } from "./use-queue-keyboard";
import { type FirstRead, useQueueLists } from "./use-queue-lists";
import { useRowClaim } from "./use-row-claim";

export function QueueView(first: FirstRead) {
  const viewer = useViewer();
  const client = useQueryClient();
  const search = useSearchParams();
  const filters = useMemo(() => readFilters(search), [search]);

  const setFilters = useCallback((next: QueueFilters, push = false) => {
    const url = `/queue${filtersToSearch(next)}`;
    // The URL holds the filters; Next's router follows the native history calls.
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }, []);

  const { openTab, queue, recent, counts, items, decided } = useQueueLists(filters, first);
  const { selectedId, setSelectedId, dialog, setDialog, onDecide } = useQueueKeyboard(
    items,
    openTab,
  );

  const [flash, setFlash] = useState<string | null>(null);
  useEffect(() => {
    if (!flash) return;
    const t = setTimeout(() => setFlash(null), 6000);
    return () => clearTimeout(t);
  }, [flash]);

  const { claimError, claiming, onClaim } = useRowClaim();
  const onExpire = useCallback(() => {
    void client.invalidateQueries({ queryKey: queryKeys.queue.all });
  }, [client]);

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

      <QueueTabs
        tab={filters.tab}
        counts={counts}
        onChoose={(t) => {
          setSelectedId(null);
          setFilters({ ...filters, tab: t }, true);
        }}
      />

      <FilterForm filters={filters} setFilters={setFilters} agents={agents} readOnly={readOnly} />

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
            <QueueLoading />
          ) : (
            <QueueEmpty
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
          <QueueLoading />
        ) : (
          <QueueEmpty
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
