// What a closed task means for the agent that asked: run (with a reviewer's edits, if any) or
// not, and why not in words the agent can pass on to its model. Every adapter acts on this.
import type { TaskDto } from "./types";

/** A closed task as its agent acts on it. */
export interface ApprovalOutcome {
  task_id: string;
  request_id: string;
  status: "approved" | "rejected" | "expired" | "cancelled";
  approved: boolean;
  /** The inputs to run with: a reviewer's edits, or the action's own. */
  inputs: Record<string, unknown>;
  /** Whether a reviewer changed them. */
  edited: boolean;
  /** Why not, for a rejection (the reviewer's reason), an expiry or a cancellation. */
  reason: string | null;
}

/** A closed task as its agent acts on it. */
export function outcomeOf(task: TaskDto): ApprovalOutcome {
  const status = task.status as ApprovalOutcome["status"];
  const approved = status === "approved";
  return {
    task_id: task.task_id,
    request_id: task.approval_request_id,
    status,
    approved,
    inputs: task.edited_inputs ?? task.action.inputs ?? {},
    edited: task.edited_inputs !== null,
    reason: approved ? null : why(status, task.decision?.reason ?? null),
  };
}

/** Why a closed task will not run, in words the agent can pass on. */
function why(status: ApprovalOutcome["status"], reason: string | null): string {
  const noted = reason ? ` (${reason})` : "";
  switch (status) {
    case "expired":
      return `The request expired before anyone decided; it will not run (fail closed)${noted}`;
    case "cancelled":
      return `The request was cancelled; it will not run${noted}`;
    default:
      return reason ?? "Rejected without a reason";
  }
}
