"use client";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { AUDIT_TYPES, isAuditType } from "@/lib/contract/audit";
import { failureText } from "../action-result";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { type AuditEvent, actorName, eventDetails, eventWords } from "../timeline";
import { Alert, EmptyState, Panel } from "../ui/alert";
import { Button } from "../ui/button";
import { DateTime } from "../ui/clock";
import { cx } from "../ui/cx";
import { Input, Select } from "../ui/field";
import { JsonTree } from "../ui/json-tree";
import { VisibleText } from "../ui/visible-text";
import { useViewer } from "../viewer";

export interface AuditPage {
  items: AuditEvent[];
  next_before: number | null;
}

function VerifyStatus() {
  const verify = useQuery({
    queryKey: queryKeys.audit.report,
    queryFn: ({ signal }) => read("audit-report", {}, signal),
    staleTime: 60_000,
  });
  const r = verify.data;
  return (
    <div
      data-testid="audit-verify"
      data-state={
        verify.isFetching
          ? "checking"
          : r
            ? r.ok
              ? "ok"
              : "broken"
            : verify.error
              ? "error"
              : "checking"
      }
      className={cx(
        "flex flex-wrap items-center gap-3 rounded-lg px-4 py-3 text-sm ring-1 ring-inset",
        r && !r.ok
          ? "bg-red-50 text-red-900 ring-red-600/20 dark:bg-red-950/50 dark:text-red-200 dark:ring-red-500/30"
          : r?.ok
            ? "bg-emerald-50 text-emerald-900 ring-emerald-600/20 dark:bg-emerald-950/40 dark:text-emerald-200 dark:ring-emerald-500/30"
            : "bg-slate-100 text-slate-800 ring-slate-500/15 dark:bg-slate-800/60 dark:text-slate-200 dark:ring-slate-600/50",
      )}
    >
      <div className="min-w-0 flex-1" aria-live="polite">
        {verify.isPending ? (
          <p>Verifying the hash chain…</p>
        ) : verify.error ? (
          <p>Could not verify the chain: {failureText(verify.error)}</p>
        ) : r?.ok ? (
          <p>
            <span className="font-semibold">Chain intact.</span> All {r.count.toLocaleString()}{" "}
            events verified
            {r.head ? `, up to #${r.head.seq}` : ""}: none edited, removed or reordered.
            {r.unsealed.count > 0 &&
              ` ${r.unsealed.count.toLocaleString()} newer event(s) wait for the sealer (oldest ${r.unsealed.lag_seconds.toFixed(1)} s).`}
          </p>
        ) : r ? (
          <p>
            <span className="font-semibold">Chain broken at event #{r.break.seq}</span> (
            {r.break.kind}): {r.break.message}. {r.count.toLocaleString()} events checked before it.
          </p>
        ) : null}
      </div>
      <Button
        size="sm"
        onClick={() => void verify.refetch()}
        disabled={verify.isFetching}
        data-testid="audit-verify-again"
      >
        {verify.isFetching ? "Verifying…" : "Verify again"}
      </Button>
    </div>
  );
}

function EventRow({ e }: { e: AuditEvent }) {
  const viewer = useViewer();
  const details = eventDetails(e, viewer);
  return (
    <li
      data-testid="audit-event"
      data-type={e.type}
      className="grid gap-x-4 gap-y-1 px-4 py-3 text-sm sm:grid-cols-[5rem_11rem_minmax(0,1fr)]"
    >
      <span
        className="font-mono text-xs text-slate-500 tabular-nums dark:text-slate-400"
        title={e.seq === null ? "Not yet linked into the hash chain (within a second)" : undefined}
      >
        {e.seq === null ? "sealing…" : `#${e.seq}`}
      </span>
      <span className="text-xs text-slate-600 dark:text-slate-400">
        <DateTime iso={e.at} />
      </span>
      <div className="min-w-0">
        <p className="flex flex-wrap items-baseline gap-x-2">
          <span className="font-medium">{eventWords(e.type, e.payload)}</span>
          <span className="text-slate-600 dark:text-slate-400">
            by <VisibleText text={actorName(viewer, e)} />
          </span>
          <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{e.type}</span>
        </p>
        {details.length > 0 && (
          <p className="mt-0.5 break-words text-slate-700 dark:text-slate-300">
            <VisibleText text={details.join(" · ")} />
          </p>
        )}
        <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs">
          {e.request_id && (
            <Link
              href={`/requests/${e.request_id}`}
              className="text-indigo-700 hover:underline dark:text-indigo-300"
            >
              Request {e.request_id.slice(0, 8)}
            </Link>
          )}
          {typeof e.payload.workflow_id === "string" && (
            <Link
              href={`/workflows/${encodeURIComponent(e.payload.workflow_id)}`}
              className="text-indigo-700 hover:underline dark:text-indigo-300"
            >
              Workflow <VisibleText text={e.payload.workflow_id} />
            </Link>
          )}
          <details className="group">
            <summary className="cursor-pointer list-none text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200">
              <span className="group-open:hidden">Payload</span>
              <span className="hidden group-open:inline">Hide payload</span>
            </summary>
            <div className="mt-1 rounded-md bg-slate-50 p-2 dark:bg-slate-950">
              <JsonTree value={e.payload} label={`Event ${e.seq ?? e.id} payload`} openDepth={1} />
            </div>
          </details>
        </div>
      </div>
    </li>
  );
}

/** The filters live in the URL; Next's router follows the native history call. */
function setParams(next: { type: string; workflow: string }) {
  const q = new URLSearchParams();
  if (next.type) q.set("type", next.type);
  if (next.workflow) q.set("workflow", next.workflow);
  const s = q.toString();
  window.history.replaceState(null, "", `/audit${s ? `?${s}` : ""}`);
}

export function AuditView({
  initial,
  initialType,
  initialWorkflow,
}: {
  initial: AuditPage;
  initialType: string;
  initialWorkflow: string;
}) {
  const search = useSearchParams();
  const type = search.get("type") ?? "";
  const workflow = search.get("workflow") ?? "";
  const [workflowText, setWorkflowText] = useState(workflow);
  useEffect(() => {
    const t = setTimeout(() => {
      if (workflowText.trim() !== workflow) setParams({ type, workflow: workflowText.trim() });
    }, 400);
    return () => clearTimeout(t);
  }, [workflowText, workflow, type]);
  const isInitial = type === initialType && workflow === initialWorkflow;
  const events = useInfiniteQuery({
    queryKey: queryKeys.audit.events({ type, workflow }),
    queryFn: ({ pageParam, signal }) =>
      read(
        "audit-events",
        {
          before: pageParam,
          type: type || undefined,
          workflow_id: workflow || undefined,
          limit: 50,
        },
        signal,
      ) as Promise<AuditPage>,
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
    initialData: isInitial ? { pages: [initial], pageParams: [undefined] } : undefined,
    placeholderData: keepPreviousData,
  });
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const types: readonly string[] =
    isAuditType(type) || !type ? AUDIT_TYPES : [type, ...AUDIT_TYPES];
  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Audit log</h1>
          <p className="mt-0.5 text-sm text-slate-600 dark:text-slate-400">
            Every event, newest first. Each one's hash covers the one before it, so no event can be
            changed or removed unnoticed.
          </p>
        </div>
      </div>
      <div className="mt-4">
        <VerifyStatus />
      </div>
      <form
        aria-label="Filter the audit log"
        className="mt-4 grid grid-cols-1 gap-2 sm:flex"
        onSubmit={(e) => e.preventDefault()}
      >
        <label className="sr-only" htmlFor="audit-type">
          Event type
        </label>
        <Select
          id="audit-type"
          data-testid="audit-type"
          value={type}
          onChange={(e) => setParams({ type: e.target.value, workflow })}
          className="sm:w-64"
        >
          <option value="">All event types</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {eventWords(t)} ({t})
            </option>
          ))}
        </Select>
        <label className="sr-only" htmlFor="audit-workflow">
          Workflow id
        </label>
        <Input
          id="audit-workflow"
          data-testid="audit-workflow"
          placeholder="Workflow id"
          value={workflowText}
          onChange={(e) => setWorkflowText(e.target.value)}
          className="sm:w-64"
        />
      </form>
      {events.error && (
        <Alert tone="error" className="mt-3">
          {failureText(events.error)}
        </Alert>
      )}
      <Panel className={cx("mt-3 overflow-hidden", events.isPlaceholderData && "opacity-60")}>
        {items.length === 0 ? (
          <div className="p-4">
            <EmptyState
              title={type || workflow ? "No events match these filters" : "The log is empty"}
            >
              {type || workflow
                ? "Try another event type or workflow id."
                : "Events appear as agents submit actions and reviewers decide."}
            </EmptyState>
          </div>
        ) : (
          <ol
            className="divide-y divide-slate-100 dark:divide-slate-800"
            data-testid="audit-events"
          >
            {items.map((e) => (
              <EventRow key={e.id} e={e} />
            ))}
          </ol>
        )}
      </Panel>
      {events.hasNextPage && (
        <div className="mt-4 flex justify-center">
          <Button
            onClick={() => void events.fetchNextPage()}
            disabled={events.isFetchingNextPage}
            data-testid="audit-more"
          >
            {events.isFetchingNextPage ? "Loading…" : "Load older events"}
          </Button>
        </div>
      )}
    </div>
  );
}
