// Responses are built field by field and parsed through the contract's schemas, so nothing
// a row gains later (a hash, a secret) can leave by accident.
import type { RequestRow } from "@/db/queries/requests";
import { type GrantDto, grantSchema } from "@/lib/contract/grants";
import {
  type SubmitTaskResponse,
  submitTaskResponseSchema,
  type TaskDto,
  taskSchema,
} from "@/lib/contract/tasks";
import type { Action, Grant } from "@/lib/hitl";
import { approvalGiven, riskOf } from "@/lib/services/queue";
import type { TaskView } from "@/lib/services/tasks";

export function submitResponse(row: RequestRow, threadId: string): SubmitTaskResponse {
  const open =
    row.status === "pending" || row.status === "escalated" || row.status === "quarantined";
  return submitTaskResponseSchema.parse({
    task_id: row.taskId,
    thread_id: threadId,
    approval_request_id: row.id,
    status: row.status,
    auto_approved: row.autoApproved,
    risk: riskOf(row),
    expires_at: open ? row.expiresAt.toISOString() : null,
  });
}

export function taskDto({ task, request: row, approvals }: TaskView): TaskDto {
  const closed =
    row.decidedAt !== null && !["pending", "escalated", "quarantined"].includes(row.status);
  const action = row.actionDetails as Action;
  return taskSchema.parse({
    task_id: task.id,
    workflow_id: task.workflowId,
    thread_id: task.threadId,
    agent_name: task.agentName,
    approval_request_id: row.id,
    status: row.status,
    auto_approved: row.autoApproved,
    execution: task.execution,
    risk: riskOf(row),
    action,
    approvals: approvals.map((a) => approvalGiven(a, row.contentHash)),
    required_approvals: row.requiredApprovals,
    decision: closed
      ? {
          status: row.status,
          decided_at: (row.decidedAt as Date).toISOString(),
          reviewer_id: row.decidedBy,
          justification: row.approvalJustification,
          reason: row.statusReason,
        }
      : null,
    edited_inputs: row.editedInputs ?? null,
    escalated_to: row.escalatedTo,
    created_at: task.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    resumed_at: task.resumedAt?.toISOString() ?? null,
  });
}

export function grantDto(g: Grant): GrantDto {
  return grantSchema.parse({
    ...g,
    created_at: g.created_at.toISOString(),
    expires_at: g.expires_at.toISOString(),
    revoked_at: g.revoked_at?.toISOString() ?? null,
  });
}
