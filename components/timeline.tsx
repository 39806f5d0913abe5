"use client";
import Link from "next/link";
import type { RequestDetailDto } from "@/lib/contract/api";
import { type AuditType, isAuditType } from "@/lib/contract/audit";
import { roleWords } from "@/lib/hitl/types";

import { DateTime } from "./ui/clock";
import { cx } from "./ui/cx";
import { JsonTree } from "./ui/json-tree";
import { VisibleText } from "./ui/visible-text";
import { personName, useViewer, type ViewerInfo } from "./viewer";

export type AuditEvent = RequestDetailDto["events"][number];

const WORDS: Record<AuditType, string> = {
  "hitl.approval_requested": "Submitted for approval",
  "hitl.auto_approved": "Approved on arrival",
  "hitl.approval_recorded": "Approval recorded",
  "hitl.approved": "Approved",
  "hitl.rejected": "Rejected",
  "hitl.escalated": "Escalated",
  "hitl.quarantined": "Quarantined",
  "hitl.released": "Released from quarantine",
  "hitl.expired": "Expired",
  "hitl.cancelled": "Cancelled by the agent",
  "hitl.claimed": "Claimed",
  "hitl.unclaimed": "Unclaimed",
  "hitl.inputs_edited": "Inputs edited",
  "hitl.grant_created": "Standing approval granted",
  "hitl.grant_revoked": "Standing approval revoked",
  "hitl.expiry_warned": "Expiry warning sent",
  "checkpoint.saved": "Checkpoint saved",
  "checkpoint.resumed": "Checkpoint resumed",
  "checkpoint.expired": "Checkpoint expired",
  "checkpoint.cancelled": "Checkpoint cancelled",
  "workflow.resumed": "Workflow resumed",
  "workflow.completed": "Workflow completed",
  "workflow.failed": "Workflow failed",
  "key.created": "API key created",
  "key.revoked": "API key revoked",
  "outbox.retried": "Delivery retried",
  "user.created": "Account created",
  "user.role_changed": "Role changed",
  "user.disabled": "Account disabled",
  "user.enabled": "Account enabled",
  "user.slack_linked": "Slack account linked",
  "demo.history_seeded": "Demo history written",
};

/**
 * What happened, in words. Given the event, words that depend on what it carries: the task's
 * graph taking a rejection, an expiry or a cancellation runs nothing, so it is not "resumed".
 */
export function eventWords(type: string, payload?: Record<string, unknown>): string {
  if (type === "workflow.resumed" && closedWithoutApproval(payload)) {
    return `Workflow told the agent: ${String(payload?.status)}`;
  }
  return isAuditType(type) ? WORDS[type] : type.replace(/^[a-z]+\./, "").replaceAll("_", " ");
}

function closedWithoutApproval(payload?: Record<string, unknown>): boolean {
  const status = payload?.status;
  return typeof status === "string" && status !== "approved";
}

function tone(type: string, payload?: Record<string, unknown>): string {
  if (type === "workflow.resumed" && closedWithoutApproval(payload)) return "bg-slate-400";
  if (/approved|released|resumed/.test(type)) return "bg-emerald-500";
  if (/rejected|quarantined|revoked/.test(type)) return "bg-red-500";
  if (/escalated|risk_raised|edited/.test(type)) return "bg-violet-500";
  if (/expired|cancelled/.test(type)) return "bg-slate-400";
  if (/requested|recorded/.test(type)) return "bg-sky-500";
  return "bg-slate-300 dark:bg-slate-600";
}

export function actorName(
  v: ViewerInfo,
  e: Pick<AuditEvent, "actor_type" | "actor_id" | "payload">,
): string {
  switch (e.actor_type) {
    case "user":
      return personName(v, e.actor_id);
    case "agent": {
      const name = e.payload.agent_name;
      return typeof name === "string" ? `agent ${name}` : "the agent";
    }
    case "operator":
      return `operator${e.actor_id ? ` ${e.actor_id}` : ""}`;
    case "system":
      return "Airlock";
  }
}

const str = (v: unknown) => (typeof v === "string" && v.trim() ? v : null);

/**
 * The few details worth a line: the reason, the justification, where it went, and for an
 * approval on arrival by a standing approval, whose it is (named through `viewer`, when given).
 */
export function eventDetails(e: AuditEvent, viewer?: ViewerInfo): string[] {
  const p = e.payload;
  const out: string[] = [];
  if (e.type === "hitl.auto_approved" && str(p.grant_id)) {
    const grantor = str(p.granted_by);
    out.push(
      grantor
        ? `By a standing approval granted by ${viewer ? personName(viewer, grantor) : grantor}`
        : "By a standing approval",
    );
  }
  const to = str(p.escalated_to) ?? str(p.to);
  if (e.type === "hitl.escalated") {
    const trigger = str(p.trigger);
    out.push(
      `${trigger && trigger !== "manual" ? `By ${trigger}` : "By a reviewer"}${to ? ` to ${roleWords(to)}` : ""}`,
    );
  } else if (to && e.type === "user.role_changed") {
    out.push(`${roleWords(String(p.from ?? "?"))} → ${roleWords(to)}`);
  }
  if (e.type === "hitl.approval_requested" || e.type === "hitl.auto_approved") {
    const level = str(p.risk_level) ?? str((p.risk as { level?: unknown } | undefined)?.level);
    if (level) out.push(`${level} risk`);
  }
  const role = str(p.role);
  if (
    role &&
    (e.type === "hitl.approved" ||
      e.type === "hitl.approval_recorded" ||
      e.type === "hitl.rejected")
  ) {
    out.push(`as ${roleWords(role)}`);
  }
  const justification = str(p.justification);
  if (justification) out.push(`“${justification}”`);
  const reason = str(p.reason);
  if (reason)
    out.push(e.type === "hitl.rejected" ? `Reason sent to the agent: “${reason}”` : `“${reason}”`);
  const name = str(p.name) ?? str(p.checkpoint_name);
  if (name && e.type.startsWith("checkpoint.")) out.push(name);
  return out;
}

export function Timeline({
  events,
  showRequestLinks,
  requestNames,
  testId = "timeline",
}: {
  events: AuditEvent[];
  showRequestLinks?: boolean;
  /** What to call each request in its link (its action), when known. */
  requestNames?: Record<string, string>;
  testId?: string;
}) {
  const viewer = useViewer();
  if (events.length === 0) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">No events yet.</p>;
  }
  return (
    <ol data-testid={testId} className="relative">
      {events.map((e, i) => {
        const details = eventDetails(e, viewer);
        return (
          <li
            key={e.id}
            data-testid="timeline-event"
            data-type={e.type}
            className="relative flex gap-3 pb-4 last:pb-0"
          >
            {i < events.length - 1 && (
              <span
                aria-hidden
                className="absolute top-4 bottom-0 left-[5px] w-px bg-slate-200 dark:bg-slate-700"
              />
            )}
            <span
              aria-hidden
              className={cx(
                "relative mt-1.5 size-[11px] shrink-0 rounded-full ring-4 ring-white dark:ring-slate-900",
                tone(e.type, e.payload),
              )}
            />
            <div className="min-w-0 flex-1 text-sm">
              <p className="flex flex-wrap items-baseline gap-x-2">
                <span className="font-medium text-slate-900 dark:text-slate-100">
                  {eventWords(e.type, e.payload)}
                </span>
                <span className="text-slate-600 dark:text-slate-400">
                  by <VisibleText text={actorName(viewer, e)} />
                </span>
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  <DateTime iso={e.at} />
                </span>
              </p>
              {details.length > 0 && (
                <p className="mt-0.5 break-words text-slate-700 dark:text-slate-300">
                  <VisibleText text={details.join(" · ")} />
                </p>
              )}
              <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs">
                {showRequestLinks && e.request_id && (
                  <Link
                    href={`/requests/${e.request_id}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    <VisibleText
                      text={requestNames?.[e.request_id] ?? `Request ${e.request_id.slice(0, 8)}`}
                    />
                  </Link>
                )}
                <details className="group">
                  <summary className="cursor-pointer list-none text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200">
                    <span className="group-open:hidden">Details</span>
                    <span className="hidden group-open:inline">Hide details</span>
                    <span className="ml-1 text-slate-500 dark:text-slate-400">
                      {e.seq === null ? "sealing…" : `#${e.seq}`}
                    </span>
                  </summary>
                  <div className="mt-1 rounded-md bg-slate-50 p-2 dark:bg-slate-950">
                    <JsonTree
                      value={e.payload}
                      label={`Event ${e.seq ?? e.id} payload`}
                      openDepth={1}
                    />
                  </div>
                </details>
              </div>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
