"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useId, useMemo, useRef, useState } from "react";
import { decideBatch } from "@/app/(dashboard)/actions";
import {
  type QueueResponse,
  WORKFLOW_PAGE_MAX,
  type WorkflowList,
  type WorkflowRequestDto,
  type WorkflowStatusDto,
} from "@/lib/contract/api";
import { personWords, viaWords } from "@/lib/contract/tasks";
import {
  NO_REACH,
  reachWith,
  type WorkflowReach,
  withLoadedPages,
  withPage,
} from "@/lib/contract/workflow-pages";
import { visibleText } from "@/lib/hitl/text";
import { isOpenStatus, roleWords } from "@/lib/hitl/types";
import { failureText, unwrap } from "../action-result";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { Quorum } from "../queue/quorum";
import { read } from "../reads";
import { Timeline } from "../timeline";
import { Alert, EmptyState, Panel, SectionTitle } from "../ui/alert";
import { RiskBadge, StatusBadge, Tag } from "../ui/badge";
import { Button } from "../ui/button";
import { Age, Countdown, DateTime, useAnnounce } from "../ui/clock";
import { cx } from "../ui/cx";
import { Dialog } from "../ui/dialog";
import { FieldNote, Label, Textarea } from "../ui/field";
import { JsonTree } from "../ui/json-tree";
import { VisibleText } from "../ui/visible-text";
import { useViewer } from "../viewer";

type BatchResult =
  | { id: string; ok: true; status: string }
  | { id: string; ok: false; error: { code: string; message: string } };

export function WorkflowView({
  initial,
  initialStanding,
}: {
  initial: WorkflowStatusDto;
  initialStanding: QueueResponse;
}) {
  const viewer = useViewer();
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
  const standing = useQuery({
    queryKey: queryKeys.queue.ofWorkflow(id),
    queryFn: ({ signal }) => read("queue", { workflow_id: id, limit: 200 }, signal),
    initialData: initialStanding,
    refetchInterval: POLL_MS,
  });
  const verdict = useMemo(
    () => new Map((standing.data?.items ?? []).map((i) => [i.id, i])),
    [standing.data],
  );
  const data = wf.data;
  const requests = data.requests;
  const openRequests = requests.filter((r) => isOpenStatus(r.status));
  const decidable = openRequests.filter((r) => verdict.get(r.id)?.actionable);

  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [results, setResults] = useState<Map<string, BatchResult>>(new Map());
  const [dialog, setDialog] = useState<"approve" | "reject" | null>(null);
  // Only what is still open and decidable stays selected as data refreshes.
  const chosen = [...selected].filter((s) => decidable.some((r) => r.id === s));
  const toggle = (rid: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(rid)) next.delete(rid);
      else next.add(rid);
      return next;
    });

  const batch = useMutation({
    mutationFn: (input: { decision: "approve" | "reject"; text: string }) =>
      unwrap(
        decideBatch({
          ids: chosen,
          decision: input.decision,
          justification: input.decision === "approve" ? input.text || undefined : undefined,
          reason: input.decision === "reject" ? input.text : undefined,
        }),
      ),
    onSuccess: (rows, input) => {
      setResults(new Map(rows.map((r) => [r.id, r as BatchResult])));
      const ok = rows.filter((r) => r.ok).length;
      const failed = rows.length - ok;
      announce(
        `${ok} ${input.decision === "approve" ? "approved" : "rejected"}${failed ? `, ${failed} refused` : ""}`,
      );
      setSelected(new Set(rows.filter((r) => !r.ok).map((r) => r.id)));
      setDialog(null);
    },
    onSettled: () => {
      void client.invalidateQueries({ queryKey: queryKeys.workflow.all });
      void client.invalidateQueries({ queryKey: queryKeys.queue.all });
      void client.invalidateQueries({ queryKey: queryKeys.recent.all });
    },
  });

  const needsJustification = chosen.some((cid) => {
    const r = requests.find((x) => x.id === cid);
    return r ? viewer.levels[r.risk.level]?.requires_justification : false;
  });
  const summary = results.size
    ? {
        ok: [...results.values()].filter((r) => r.ok).length,
        failed: [...results.values()].filter((r) => !r.ok).length,
      }
    : null;
  const statuses = Object.entries(data.counts).filter(([k]) => k !== "total");

  return (
    <div>
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500 dark:text-slate-400">
        <Link
          href="/queue"
          className="hover:text-slate-900 hover:underline dark:hover:text-slate-100"
        >
          Queue
        </Link>
        <span aria-hidden> / </span>
        <span>Workflow</span>
      </nav>
      <h1 className="mt-2 font-mono text-xl font-semibold break-all" data-testid="workflow-id">
        <VisibleText text={id} />
      </h1>
      <p className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-sm text-slate-600 dark:text-slate-400">
        <span>
          {data.totals.requests} request{data.totals.requests === 1 ? "" : "s"}
        </span>
        {statuses.map(([s, n]) => (
          <span key={s}>
            {n} {s}
          </span>
        ))}
        {data.started_at && (
          <span>
            started <Age iso={data.started_at} />
          </span>
        )}
        {data.last_activity_at && (
          <span>
            last activity <Age iso={data.last_activity_at} />
          </span>
        )}
      </p>
      {wf.error && (
        <Alert tone="error" className="mt-3">
          Could not refresh this workflow: {failureText(wf.error)}
        </Alert>
      )}

      <div className="mt-6 grid gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <Panel aria-labelledby="requests-title" className="self-start overflow-hidden">
          <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3 dark:border-slate-800">
            <SectionTitle id="requests-title">Requests</SectionTitle>
            {decidable.length > 1 && (
              <button
                type="button"
                data-testid="select-all"
                className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
                onClick={() =>
                  setSelected(
                    chosen.length === decidable.length
                      ? new Set()
                      : new Set(decidable.map((r) => r.id)),
                  )
                }
              >
                {chosen.length === decidable.length
                  ? "Select none"
                  : `Select all ${decidable.length} you can decide`}
              </button>
            )}
          </div>
          {summary && (
            <Alert
              tone={summary.failed ? "warning" : "success"}
              className="m-3"
              testId="batch-summary"
            >
              {summary.ok} decided
              {summary.failed ? `; ${summary.failed} refused — the reason is next to each` : "."}
            </Alert>
          )}
          {requests.length === 0 ? (
            <div className="p-4">
              <EmptyState title="No requests in this workflow">
                Its events are listed in the timeline.
              </EmptyState>
            </div>
          ) : (
            <ul
              className="divide-y divide-slate-100 dark:divide-slate-800"
              data-testid="workflow-requests"
            >
              {requests.map((r) => (
                <WorkflowRow
                  key={r.id}
                  r={r}
                  checkable={decidable.some((d) => d.id === r.id)}
                  checked={chosen.includes(r.id)}
                  onToggle={() => toggle(r.id)}
                  reason={
                    isOpenStatus(r.status)
                      ? (verdict.get(r.id)?.not_actionable_reason ?? null)
                      : null
                  }
                  result={results.get(r.id)}
                />
              ))}
            </ul>
          )}
          <MorePages
            list="requests"
            data={data}
            more={more}
            className="border-t border-slate-100 px-4 py-3 dark:border-slate-800"
          />
          {decidable.length > 0 && (
            <div
              data-testid="batch-bar"
              className="sticky bottom-0 flex flex-wrap items-center gap-2 border-t border-slate-200 bg-white/95 px-4 py-3 backdrop-blur dark:border-slate-800 dark:bg-slate-900/95"
            >
              <span
                className="mr-auto text-sm text-slate-700 tabular-nums dark:text-slate-300"
                data-testid="batch-count"
              >
                {chosen.length} selected
              </span>
              <Button
                variant="approve"
                size="sm"
                disabled={chosen.length === 0}
                onClick={() => setDialog("approve")}
                data-testid="batch-approve"
              >
                Approve selected
              </Button>
              <Button
                size="sm"
                disabled={chosen.length === 0}
                onClick={() => setDialog("reject")}
                data-testid="batch-reject"
              >
                Reject selected
              </Button>
            </div>
          )}
        </Panel>

        <Panel aria-labelledby="wf-timeline" className="p-4 sm:p-5">
          <SectionTitle id="wf-timeline">Timeline</SectionTitle>
          <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
            {data.cursors.events === null
              ? "Every event of the workflow, oldest first."
              : "The workflow's latest events, oldest first; earlier ones a page at a time."}
          </p>
          <MorePages list="events" data={data} more={more} className="mt-3" />
          <div className="mt-4">
            <Timeline
              events={data.events}
              showRequestLinks
              requestNames={Object.fromEntries(
                requests.map((r) => [
                  r.id,
                  `${r.action.type}: ${r.action.description}`.slice(0, 80),
                ]),
              )}
              testId="workflow-timeline"
            />
          </div>
        </Panel>

        {data.checkpoints.length > 0 && (
          <Panel aria-labelledby="wf-checkpoints" className="p-4 sm:p-5 lg:col-span-2">
            <SectionTitle id="wf-checkpoints">Checkpoints</SectionTitle>
            <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
              State the agents saved along the way, so a long job can resume from its last good
              step.
            </p>
            <ul className="mt-4 space-y-4" data-testid="workflow-checkpoints">
              {data.checkpoints.map((c) => (
                <li key={c.checkpoint_id} data-testid="workflow-checkpoint">
                  <div className="flex flex-wrap items-center gap-2 text-sm">
                    <span className="font-medium text-slate-900 dark:text-slate-100">
                      <VisibleText text={c.name} />
                    </span>
                    <Tag>{c.type.replace("_", " ")}</Tag>
                    <span className="text-xs text-slate-500 dark:text-slate-400">
                      #{c.sequence_number} · {c.status} · <DateTime iso={c.created_at} />
                    </span>
                    <Link
                      href={`/requests/${c.action_id}`}
                      className="text-xs text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                    >
                      its request
                    </Link>
                  </div>
                  <div className="mt-2 overflow-x-auto rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 dark:bg-slate-950 dark:ring-slate-800">
                    <JsonTree
                      value={c.data}
                      openDepth={2}
                      label={`Data of ${visibleText(c.name)}`}
                    />
                  </div>
                </li>
              ))}
            </ul>
            <MorePages list="checkpoints" data={data} more={more} className="mt-4" />
          </Panel>
        )}
      </div>

      <Dialog
        open={dialog !== null}
        onClose={() => setDialog(null)}
        title={
          dialog === "approve"
            ? `Approve ${chosen.length} requests?`
            : `Reject ${chosen.length} requests?`
        }
        description="Each request is decided and recorded on its own; one refusal stops no other."
        testId="batch-dialog"
      >
        {dialog && (
          <BatchForm
            key={dialog}
            decision={dialog}
            required={dialog === "reject" || needsJustification}
            pending={batch.isPending}
            error={batch.error ? failureText(batch.error) : null}
            onCancel={() => setDialog(null)}
            onSubmit={(text) => batch.mutate({ decision: dialog, text })}
          />
        )}
      </Dialog>
    </div>
  );
}

const MORE_WORDS: Record<WorkflowList, { noun: string; button: string; failed: string }> = {
  requests: { noun: "requests", button: "Show more requests", failed: "more requests" },
  events: { noun: "events", button: "Show earlier events", failed: "earlier events" },
  checkpoints: { noun: "checkpoints", button: "Show more checkpoints", failed: "more checkpoints" },
};

/** "Showing 200 of 340 requests" ("the latest … events"): how much of a list is on the page. */
function showingWords(list: WorkflowList, data: WorkflowStatusDto): string {
  const shown = data[list].length;
  const total = Math.max(data.totals[list], shown);
  return `Showing ${list === "events" && shown < total ? "the latest " : ""}${shown} of ${total} ${MORE_WORDS[list].noun}`;
}

/** The one "show more" of the page at a time: which list it reads, and how it went. */
interface MoreState {
  mutate(list: WorkflowList): void;
  isPending: boolean;
  variables: WorkflowList | undefined;
  error: unknown;
}

/**
 * Under a list that did not fit one page (SPEC §8.1: at most 100 a page): how much of it is
 * shown, and a button that reads the next page (the events: the page before) and adds it.
 */
function MorePages({
  list,
  data,
  more,
  className,
}: {
  list: WorkflowList;
  data: WorkflowStatusDto;
  more: MoreState;
  className?: string;
}) {
  const cursor = data.cursors[list];
  if (cursor === null && data.totals[list] <= WORKFLOW_PAGE_MAX) return null;
  const mine = more.variables === list;
  return (
    <div className={className}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span
          className="text-xs text-slate-500 tabular-nums dark:text-slate-400"
          data-testid={`workflow-${list}-shown`}
        >
          {showingWords(list, data)}
        </span>
        {cursor !== null && (
          <Button
            size="sm"
            onClick={() => more.mutate(list)}
            disabled={more.isPending}
            data-testid={`workflow-${list}-more`}
          >
            {more.isPending && mine ? "Loading…" : MORE_WORDS[list].button}
          </Button>
        )}
      </div>
      {mine && more.error !== null && (
        <Alert tone="error" className="mt-2">
          Could not read {MORE_WORDS[list].failed}: {failureText(more.error)}
        </Alert>
      )}
    </div>
  );
}

function WorkflowRow({
  r,
  checkable,
  checked,
  onToggle,
  reason,
  result,
}: {
  r: WorkflowRequestDto;
  checkable: boolean;
  checked: boolean;
  onToggle: () => void;
  reason: string | null;
  result: BatchResult | undefined;
}) {
  const boxId = useId();
  const open = isOpenStatus(r.status);
  return (
    <li
      data-testid="workflow-request"
      data-id={r.id}
      className={cx("flex gap-3 px-4 py-3", checked && "bg-indigo-50/60 dark:bg-indigo-500/10")}
    >
      <div className="flex w-5 shrink-0 justify-center pt-0.5">
        {open && (
          <input
            id={boxId}
            type="checkbox"
            data-testid="batch-select"
            checked={checked}
            disabled={!checkable}
            onChange={onToggle}
            aria-label={visibleText(`Select ${r.action.type}: ${r.action.description}`)}
            className="size-4 rounded border-slate-300 accent-indigo-600 disabled:opacity-40"
          />
        )}
      </div>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <RiskBadge level={r.risk.level} />
          <Link
            href={`/requests/${r.id}`}
            className="font-mono text-sm font-semibold hover:underline"
          >
            <VisibleText text={r.action.type} />
          </Link>
          {r.action.environment && (
            <Tag>
              <VisibleText text={r.action.environment} />
            </Tag>
          )}
          <StatusBadge status={r.status} />
        </div>
        <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
          <VisibleText text={r.action.description} />
        </p>
        <p className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-500 dark:text-slate-400">
          <span>
            <VisibleText text={r.agent_name} />
          </span>
          <DateTime iso={r.created_at} />
          {open && (
            <>
              <Countdown
                expiresAt={r.expires_at}
                startedAt={r.created_at}
                label={visibleText(r.action.type)}
              />
              <Quorum have={r.approvals.have} need={r.approvals.need} />
              <span>{roleWords(r.required_role)}+</span>
            </>
          )}
        </p>
        {open && !checkable && reason && (
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{reason}</p>
        )}
        <People r={r} />
        {result && (
          <p
            data-testid="batch-result"
            data-ok={result.ok ? "true" : "false"}
            className={cx(
              "mt-1.5 text-sm font-medium",
              result.ok
                ? "text-emerald-700 dark:text-emerald-400"
                : "text-red-700 dark:text-red-400",
            )}
          >
            {result.ok ? `Done: now ${result.status}` : `Refused: ${result.error.message}`}
          </p>
        )}
      </div>
    </li>
  );
}

/** Who approved the request and who closed it, by name and email, and how. */
function People({ r }: { r: WorkflowRequestDto }) {
  // The approval that closed the request is said once, as its decision.
  const closing = (a: WorkflowRequestDto["approvals_given"][number]) =>
    r.status === "approved" && a.counts && a.approver.id === r.decider?.id;
  const approvals = r.approvals_given.filter((a) => !closing(a));
  if (r.decider === null && approvals.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5 text-xs text-slate-600 dark:text-slate-400">
      {approvals.map((a) => (
        <li key={`${a.approver_id}-${a.at}`} data-testid="workflow-approval">
          Approved by <VisibleText text={personWords(a.approver)} />
          {a.via ? ` ${viaWords(a.via)}` : null}
          {a.counts ? null : " (voided by a later edit)"}
        </li>
      ))}
      {r.decider && (
        <li data-testid="workflow-decider">
          {r.status === "approved" ? "Approved" : "Rejected"} by{" "}
          <VisibleText text={personWords(r.decider)} />
          {r.decided_via ? ` ${viaWords(r.decided_via)}` : null}
          {r.decided_at ? (
            <>
              {" "}
              (<DateTime iso={r.decided_at} />)
            </>
          ) : null}
        </li>
      )}
    </ul>
  );
}

function BatchForm({
  decision,
  required,
  pending,
  error,
  onCancel,
  onSubmit,
}: {
  decision: "approve" | "reject";
  required: boolean;
  pending: boolean;
  error: string | null;
  onCancel: () => void;
  onSubmit: (text: string) => void;
}) {
  const [text, setText] = useState("");
  const [touched, setTouched] = useState(false);
  const id = useId();
  const missing = required && !text.trim();
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!missing) onSubmit(text.trim());
      }}
    >
      <Label htmlFor={id} hint={required ? "required" : "optional"}>
        {decision === "approve" ? "Justification" : "Reason"}
      </Label>
      <Textarea
        id={id}
        rows={3}
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={touched && missing ? true : undefined}
        data-testid="batch-text"
      />
      <FieldNote error={touched && missing}>
        {touched && missing
          ? decision === "approve"
            ? "One of these needs a justification."
            : "A reason is required."
          : decision === "reject"
            ? "The same reason is sent to each agent."
            : "Recorded with each approval."}
      </FieldNote>
      {error && (
        <Alert tone="error" className="mt-3">
          {error}
        </Alert>
      )}
      <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button onClick={onCancel}>Cancel</Button>
        <Button
          type="submit"
          variant={decision === "approve" ? "approve" : "danger"}
          disabled={pending}
          data-testid="batch-confirm"
        >
          {pending
            ? "Working…"
            : decision === "approve"
              ? "Approve all selected"
              : "Reject all selected"}
        </Button>
      </div>
    </form>
  );
}
