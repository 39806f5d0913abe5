"use client";
import Link from "next/link";
import type { QueueResponse, WorkflowStatusDto } from "@/lib/contract/api";
import { isOpenStatus } from "@/lib/hitl/types";
import { failureText } from "../action-result";
import { Timeline } from "../timeline";
import { Alert, EmptyState, Panel, SectionTitle } from "../ui/alert";
import { Button } from "../ui/button";
import { Age } from "../ui/clock";
import { VisibleText } from "../ui/visible-text";
import { BatchDialog } from "./batch-dialog";
import { CheckpointsPanel } from "./checkpoints-panel";
import { MorePages } from "./more-pages";
import { useBatchSelection } from "./use-batch-selection";
import { useWorkflowPages } from "./use-workflow-pages";
import { WorkflowRow } from "./workflow-row";

export function WorkflowView({
  initial,
  initialStanding,
}: {
  initial: WorkflowStatusDto;
  initialStanding: QueueResponse;
}) {
  const id = initial.workflow_id;
  const { wf, more } = useWorkflowPages(initial);
  const data = wf.data;
  const requests = data.requests;
  const {
    verdict,
    decidable,
    chosen,
    setSelected,
    toggle,
    results,
    summary,
    dialog,
    setDialog,
    batch,
    needsJustification,
  } = useBatchSelection(id, requests, initialStanding);
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

        {data.checkpoints.length > 0 && <CheckpointsPanel data={data} more={more} />}
      </div>

      <BatchDialog
        dialog={dialog}
        count={chosen.length}
        required={needsJustification}
        pending={batch.isPending}
        error={batch.error}
        onClose={() => setDialog(null)}
        onSubmit={(decision, text) => batch.mutate({ decision, text })}
      />
    </div>
  );
}
