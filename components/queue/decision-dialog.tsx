"use client";
import { type ReactNode, useId, useState } from "react";
import type { RequestSummaryDto } from "@/lib/contract/api";
import { visibleText } from "@/lib/hitl/text";
import { type RiskLevel, roleWords } from "@/lib/hitl/types";
import { failureText } from "../action-result";
import { Alert } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { useAnnounce } from "../ui/clock";
import { Dialog } from "../ui/dialog";
import { FieldNote, Label, Textarea } from "../ui/field";
import { VisibleText } from "../ui/visible-text";
import { useViewer } from "../viewer";
import { type DecisionKind, useDecide } from "./use-decide";

export interface DecisionTarget {
  id: string;
  agent_name: string;
  workflow_id: string;
  action: { type: string; description: string; environment?: string };
  risk: { level: RiskLevel };
  approvals: { have: number; need: number };
  /** Known on the request page; in the queue it comes from the level's policy. */
  requires_justification?: boolean;
}

const COPY: Record<
  DecisionKind,
  {
    title: string;
    confirm: string;
    variant: "approve" | "danger" | "primary" | "secondary";
    done: string;
  }
> = {
  approve: { title: "Approve", confirm: "Approve", variant: "approve", done: "Approved" },
  reject: {
    title: "Reject",
    confirm: "Reject and tell the agent",
    variant: "danger",
    done: "Rejected",
  },
  escalate: { title: "Escalate", confirm: "Escalate", variant: "primary", done: "Escalated" },
  quarantine: {
    title: "Quarantine",
    confirm: "Quarantine",
    variant: "danger",
    done: "Quarantined",
  },
  release: {
    title: "Release from quarantine",
    confirm: "Release",
    variant: "primary",
    done: "Released",
  },
};

/** What happened, in words, once the server has answered. */
function outcome(kind: DecisionKind, r: RequestSummaryDto): string {
  if (kind === "approve" && r.status !== "approved") {
    const left = r.approvals.need - r.approvals.have;
    return `Your approval is recorded; ${left} more needed from ${roleWords(r.required_role)} or above`;
  }
  const what = r.action.description ? `${r.action.type} — ${r.action.description}` : r.action.type;
  return `${COPY[kind].done}: ${visibleText(what.length > 120 ? `${what.slice(0, 119)}…` : what)}`;
}

/**
 * The confirm step of every decision. A rejection (and a quarantine) needs a reason, which is
 * sent to the agent; an approval needs a justification where the level says so.
 */
export function DecisionDialog({
  kind,
  target,
  onClose,
  onDone,
  editedInputs,
  seenHash,
  preface,
}: {
  kind: DecisionKind | null;
  target: DecisionTarget | null;
  onClose: () => void;
  onDone?: (message: string, result: RequestSummaryDto) => void;
  editedInputs?: Record<string, unknown>;
  seenHash?: string;
  /** Shown above the form: the diff of an edit-then-approve. */
  preface?: ReactNode;
}) {
  const open = kind !== null && target !== null;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={
        kind && target
          ? editedInputs
            ? `Approve ${visibleText(target.action.type)} with your edits?`
            : `${COPY[kind].title} ${visibleText(target.action.type)}?`
          : ""
      }
      testId="decision-dialog"
      wide={preface !== undefined}
    >
      {open && preface}
      {open && (
        <DecisionForm
          // A fresh form (and a fresh mutation state) for every decision.
          key={`${kind}:${target.id}`}
          kind={kind}
          target={target}
          onClose={onClose}
          onDone={onDone}
          editedInputs={editedInputs}
          seenHash={seenHash}
        />
      )}
    </Dialog>
  );
}

function DecisionForm({
  kind,
  target,
  onClose,
  onDone,
  editedInputs,
  seenHash,
}: {
  kind: DecisionKind;
  target: DecisionTarget;
  onClose: () => void;
  onDone?: (message: string, result: RequestSummaryDto) => void;
  editedInputs?: Record<string, unknown>;
  seenHash?: string;
}) {
  const viewer = useViewer();
  const announce = useAnnounce();
  const decide = useDecide();
  const [text, setText] = useState("");
  const [touched, setTouched] = useState(false);
  const fieldId = useId();
  const noteId = useId();
  const justificationRequired =
    target.requires_justification ??
    viewer.levels[target.risk.level]?.requires_justification ??
    false;
  const needsText =
    kind === "reject" || kind === "quarantine" || (kind === "approve" && justificationRequired);
  const missing = needsText && text.trim() === "";
  const label =
    kind === "approve"
      ? "Justification"
      : kind === "reject" || kind === "quarantine"
        ? "Reason"
        : "Reason";
  const hint = needsText ? "required" : "optional";

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (missing) return;
    const id = target.id;
    const input =
      kind === "approve"
        ? {
            kind,
            id,
            justification: text.trim() || undefined,
            edited_inputs: editedInputs,
            seen_hash: seenHash,
          }
        : kind === "reject" || kind === "quarantine"
          ? { kind, id, reason: text.trim() }
          : { kind, id, reason: text.trim() || undefined };
    decide.mutate(input, {
      onSuccess: (result) => {
        const message = outcome(kind, result);
        announce(message);
        onDone?.(message, result);
        onClose();
      },
    });
  }

  return (
    <form onSubmit={submit} noValidate>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <RiskBadge level={target.risk.level} />
        <span className="min-w-0 break-words text-slate-700 dark:text-slate-300">
          <VisibleText text={target.action.description} />
        </span>
      </div>
      {kind === "approve" && target.approvals.need > 1 && (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          {target.approvals.have} of {target.approvals.need} approvals so far; yours counts once.
        </p>
      )}
      {kind === "approve" && editedInputs && (
        <Alert tone="warning" className="mt-3">
          You approve with edited inputs: the agent runs with your version, and approvals given
          before the edit no longer count.
        </Alert>
      )}
      {kind === "escalate" && (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          It goes to {viewer.escalateTo ? roleWords(viewer.escalateTo) : "the next role"}s, who
          decide from then on.
        </p>
      )}
      {kind === "quarantine" && (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          Nobody can approve it while it is quarantined; a devops engineer may release or reject it.
        </p>
      )}
      <div className="mt-4">
        <Label htmlFor={fieldId} hint={hint}>
          {label}
        </Label>
        <Textarea
          id={fieldId}
          data-testid="decision-text"
          rows={3}
          autoFocus
          value={text}
          maxLength={5000}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={noteId}
          aria-invalid={touched && missing ? true : undefined}
          aria-required={needsText}
          placeholder={
            kind === "reject"
              ? "What should the agent do instead?"
              : kind === "approve"
                ? "Why this is safe to run"
                : undefined
          }
        />
        <FieldNote id={noteId} error={touched && missing}>
          {touched && missing
            ? kind === "approve"
              ? `A justification is required to approve a ${target.risk.level}-risk request.`
              : "A reason is required."
            : kind === "reject"
              ? "The reason is sent to the agent with the rejection, so it can change course."
              : kind === "approve"
                ? "Recorded in the audit log with your approval."
                : "Recorded in the audit log."}
        </FieldNote>
      </div>
      {decide.error && (
        <Alert tone="error" className="mt-4" testId="decision-error">
          {failureText(decide.error)}
        </Alert>
      )}
      <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button onClick={onClose} data-testid="decision-cancel">
          Cancel
        </Button>
        <Button
          type="submit"
          variant={COPY[kind].variant === "secondary" ? "secondary" : COPY[kind].variant}
          disabled={decide.isPending}
          data-testid="decision-confirm"
        >
          {decide.isPending
            ? "Working…"
            : editedInputs
              ? "Approve with my edits"
              : COPY[kind].confirm}
        </Button>
      </div>
    </form>
  );
}
