"use client";
// One request in the workflow page's list: its badges, timing and quorum, a box to select it
// for a batch decision, who approved or closed it, and what the last batch did to it.

import Link from "next/link";
import { useId } from "react";
import type { WorkflowRequestDto } from "@/lib/contract/api";
import { personWords, viaWords } from "@/lib/contract/tasks";
import { visibleText } from "@/lib/hitl/text";
import { isOpenStatus, roleWords } from "@/lib/hitl/types";
import { Quorum } from "../queue/quorum";
import { RiskBadge, StatusBadge, Tag } from "../ui/badge";
import { Countdown, DateTime } from "../ui/clock";
import { cx } from "../ui/cx";
import { VisibleText } from "../ui/visible-text";
import type { BatchResult } from "./use-batch-selection";

export function WorkflowRow({
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
