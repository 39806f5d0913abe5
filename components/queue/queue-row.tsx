"use client";
import Link from "next/link";
import { memo } from "react";
import type { QueueItemDto, RequestSummaryDto } from "@/lib/contract/api";
import { visibleText } from "@/lib/hitl/text";
import { roleWords } from "@/lib/hitl/types";
import { RiskBadge, StatusBadge, Tag } from "../ui/badge";
import { Button } from "../ui/button";
import { Age, Countdown } from "../ui/clock";
import { cx } from "../ui/cx";
import { VisibleText } from "../ui/visible-text";
import { can, canEscalate, personName, useViewer } from "../viewer";
import { Quorum } from "./quorum";
import type { DecisionKind } from "./use-decide";

function Meta({ r }: { r: RequestSummaryDto }) {
  const viewer = useViewer();
  return (
    <p className="row-meta">
      <span data-testid="row-agent" className="font-medium text-slate-700 dark:text-slate-300">
        <VisibleText text={r.agent_name} />
      </span>
      <span aria-hidden>·</span>
      <Link
        href={`/workflows/${encodeURIComponent(r.workflow_id)}`}
        data-testid="row-workflow"
        className="row-workflow"
      >
        <VisibleText text={r.workflow_id} />
      </Link>
      <span aria-hidden>·</span>
      <Age iso={r.created_at} />
      {r.claimed_by && (
        <>
          <span aria-hidden>·</span>
          <span data-testid="row-claimed">claimed by {personName(viewer, r.claimed_by)}</span>
        </>
      )}
    </p>
  );
}

function Title({ r }: { r: RequestSummaryDto }) {
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-1">
      <RiskBadge level={r.risk.level} />
      <Link href={`/requests/${r.id}`} data-testid="row-open" className="row-title">
        <VisibleText text={r.action.type} />
      </Link>
      {r.action.environment && (
        <Tag>
          <VisibleText text={r.action.environment} />
        </Tag>
      )}
      {r.escalated_to && r.status === "escalated" && (
        <Tag className="bg-violet-100 text-violet-800 dark:bg-violet-400/15 dark:text-violet-200">
          → {roleWords(r.escalated_to)}
        </Tag>
      )}
    </div>
  );
}

export const QueueRow = memo(function QueueRow({
  item,
  selected,
  onSelect,
  onDecide,
  onClaim,
  onExpire,
  claimPending,
  reserveActions,
}: {
  item: QueueItemDto;
  selected: boolean;
  onSelect: (id: string) => void;
  onDecide: (kind: DecisionKind, item: QueueItemDto) => void;
  onClaim: (item: QueueItemDto, claim: boolean) => void;
  onExpire: () => void;
  claimPending: boolean;
  /** Keep the actions column's width even when empty, so rows line up. */
  reserveActions: boolean;
}) {
  const viewer = useViewer();
  const r = item;
  const canApprove = r.actionable && r.allowed_decisions.includes("approve");
  const escalate = canEscalate(viewer, r);
  const mineClaimed = r.claimed_by === viewer.user.id;
  const claimable =
    r.actionable &&
    !r.claimed_by &&
    r.status !== "quarantined" &&
    can(viewer, "claim", r.risk.level);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the queue's j/k keys select; this is the pointer's way
    <li
      data-testid="queue-row"
      data-id={r.id}
      data-selected={selected ? "true" : "false"}
      aria-current={selected ? "true" : undefined}
      onClick={() => onSelect(r.id)}
      className={cx("queue-row", selected ? "queue-row-selected" : "queue-row-idle")}
    >
      <div className="min-w-0 flex-1">
        <Title r={r} />
        <p className="row-description" data-testid="row-description">
          {r.action.description ? (
            <VisibleText text={r.action.description} />
          ) : (
            <span className="italic text-slate-500">No description</span>
          )}
        </p>
        <Meta r={r} />
        {r.status === "quarantined" && r.status_reason && (
          <p className="mt-1 text-xs text-fuchsia-800 dark:text-fuchsia-300">
            Quarantined: <VisibleText text={r.status_reason} />
          </p>
        )}
        {!r.actionable && r.not_actionable_reason && viewer.user.role !== "viewer" && (
          <p
            data-testid="not-actionable"
            className="mt-1.5 flex items-start gap-1.5 text-xs text-slate-600 dark:text-slate-400"
          >
            <svg
              aria-hidden
              viewBox="0 0 16 16"
              className="mt-px size-3.5 shrink-0"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.5"
            >
              <circle cx="8" cy="8" r="6.25" />
              <path d="M8 7.25v4M8 4.75v.5" strokeLinecap="round" />
            </svg>
            <span>{r.not_actionable_reason}</span>
          </p>
        )}
      </div>
      <div className="flex items-center gap-4 sm:w-44 sm:flex-col sm:items-end sm:gap-1">
        <Countdown
          expiresAt={r.expires_at}
          startedAt={r.created_at}
          label={visibleText(`${r.action.type} from ${r.agent_name}`)}
          onExpire={onExpire}
        />
        <span className="flex items-center gap-2">
          <Quorum have={r.approvals.have} need={r.approvals.need} />
          <span className="text-xs text-slate-500 dark:text-slate-400" data-testid="row-role">
            {roleWords(r.required_role)}+
          </span>
        </span>
      </div>
      {(reserveActions || canApprove || r.actionable || escalate || claimable || mineClaimed) && (
        <div className="row-actions *:max-sm:h-10">
          {canApprove && (
            <Button
              size="sm"
              variant="approve"
              className="max-sm:flex-1"
              data-testid="row-approve"
              title="Approve (a)"
              aria-keyshortcuts={selected ? "a" : undefined}
              onClick={(e) => {
                e.stopPropagation();
                onDecide("approve", r);
              }}
            >
              Approve
            </Button>
          )}
          {r.actionable && (
            <Button
              size="sm"
              variant="reject"
              className="max-sm:flex-1"
              data-testid="row-reject"
              title="Reject (r)"
              aria-keyshortcuts={selected ? "r" : undefined}
              onClick={(e) => {
                e.stopPropagation();
                onDecide("reject", r);
              }}
            >
              Reject
            </Button>
          )}
          {escalate && (
            <Button
              size="sm"
              data-testid="row-escalate"
              title="Escalate (e)"
              aria-keyshortcuts={selected ? "e" : undefined}
              onClick={(e) => {
                e.stopPropagation();
                onDecide("escalate", r);
              }}
            >
              Escalate
            </Button>
          )}
          {(claimable || mineClaimed) && (
            <Button
              size="sm"
              variant="ghost"
              data-testid={mineClaimed ? "row-unclaim" : "row-claim"}
              disabled={claimPending}
              onClick={(e) => {
                e.stopPropagation();
                onClaim(r, !mineClaimed);
              }}
            >
              {mineClaimed ? "Unclaim" : "Claim"}
            </Button>
          )}
        </div>
      )}
    </li>
  );
});

export function DecidedRow({ r }: { r: RequestSummaryDto }) {
  return (
    <li
      data-testid="decided-row"
      data-id={r.id}
      className="flex flex-col gap-2 px-4 py-3.5 sm:flex-row sm:items-center sm:gap-4"
    >
      <div className="min-w-0 flex-1">
        <Title r={r} />
        <p className="row-description" data-testid="row-description">
          <VisibleText text={r.action.description} />
        </p>
        <Meta r={r} />
        {r.status_reason && (
          <p className="mt-1 line-clamp-2 text-xs text-slate-600 dark:text-slate-400">
            <span className="font-medium">{r.status === "rejected" ? "Reason" : "Note"}:</span>{" "}
            <VisibleText text={r.status_reason} />
          </p>
        )}
      </div>
      <div className="flex items-center gap-3 sm:flex-col sm:items-end sm:gap-1">
        <StatusBadge status={r.status} />
        {r.decided_at && (
          <span className="text-xs text-slate-500 dark:text-slate-400">
            decided <Age iso={r.decided_at} />
          </span>
        )}
      </div>
    </li>
  );
}
