// What a task's execution returns once its request has closed, the callback that tells its
// agent, and the audit event that records it — one shape for both ways a task gets there:
// - a task that waited for people: its hosted graph's last node (lib/jobs/workflow.ts,
//   finishTask), under the task's row lock;
// - a task approved on arrival (by its level's policy or a standing approval): the submit
//   itself, in the statement that records it (lib/services/requests/lifecycle.ts). Nobody decides,
//   nothing can change it, and a graph run would only pass its gate: so none runs, and no
//   checkpoint is written. The callback is queued in the same commit.
import type { AuditEventInput } from "@/db/queries/audit";
import type { OutboxInsert, RequestRow, TaskRow } from "@/db/queries/requests";
import type { ExecutionResultDto, PersonDto, ViaDto } from "@/lib/contract/tasks";
import { type Action, effectiveAction } from "@/lib/hitl";

/** What the task keeps and the agent receives (a failed drive is recorded elsewhere). */
export type ExecutionResult = Exclude<ExecutionResultDto, { status: "failed" }>;

/** How the request closed. */
export interface ClosedAs {
  status: ExecutionResult["status"];
  reason?: string | null;
}

/** The result: the action to run (with any edited inputs) when approved, else why not. */
export function executionResult(
  closed: ClosedAs,
  row: Pick<RequestRow, "actionDetails" | "editedInputs">,
  context: Record<string, unknown>,
): ExecutionResult {
  if (closed.status === "approved") {
    const action = effectiveAction({
      action: row.actionDetails as Action,
      edited_inputs: (row.editedInputs as Record<string, unknown> | null) ?? null,
    });
    return { executed: true, status: "approved", action, context };
  }
  return { executed: false, status: closed.status, reason: closed.reason ?? null, context };
}

type CallbackTask = Pick<TaskRow, "id" | "threadId" | "agentName" | "callbackUrl">;
type CallbackRequest = Pick<
  RequestRow,
  "id" | "workflowId" | "riskLevel" | "decidedBy" | "editedInputs"
>;

/** The agent's signed callback, queued when it gave a callback_url (the delivery id is added when sent). */
export function callbackRows(
  task: CallbackTask,
  row: CallbackRequest,
  result: ExecutionResult,
  decision: { decider: PersonDto | null; decided_via: ViaDto | null },
): OutboxInsert[] {
  if (!task.callbackUrl) return [];
  const event = result.executed ? "task.executed" : `task.${result.status}`;
  return [
    {
      kind: "webhook",
      requestId: row.id,
      taskId: task.id,
      eventType: event,
      targetUrl: task.callbackUrl,
      payload: {
        event,
        task_id: task.id,
        request_id: row.id,
        workflow_id: row.workflowId,
        thread_id: task.threadId,
        agent_name: task.agentName,
        risk_level: row.riskLevel,
        decided_by: row.decidedBy,
        decider: decision.decider,
        decided_via: decision.decided_via,
        edited_inputs: row.editedInputs ?? null,
        ...result,
      },
    },
  ];
}

/** `workflow.completed`: the task's execution ended, with what it returned. */
export function completedEvent(
  task: Pick<TaskRow, "id" | "callbackUrl">,
  row: Pick<RequestRow, "id" | "workflowId">,
  result: ExecutionResult,
  at?: Date,
): AuditEventInput {
  return {
    type: "workflow.completed",
    at,
    actor_type: "system",
    actor_id: null,
    request_id: row.id,
    workflow_id: row.workflowId,
    payload: {
      task_id: task.id,
      executed: result.executed,
      status: result.status,
      callback: task.callbackUrl !== null,
    },
  };
}
