// The outbox rows a change writes in its own transaction: a drive of the task's graph when
// the task is submitted and when its request closes (the graph's last node queues the
// agent's callback: lib/services/workflow.ts), and the level's notification channels when a
// request opens or escalates. Delivery happens afterwards, with retries; a failing receiver
// never blocks a decision.
import type { OutboxInsert } from "@/db/queries/requests";
import type { ApprovalRequest, NotifyChannel } from "@/lib/hitl";

export interface OutboxSubject {
  request: ApprovalRequest;
  taskId: string;
}

function payloadOf(s: OutboxSubject, eventType: string): Record<string, unknown> {
  const r = s.request;
  return {
    event: eventType,
    task_id: s.taskId,
    request_id: r.id,
    workflow_id: r.workflow_id,
    status: r.status,
    risk_level: r.risk_level,
    action_type: r.action.type,
    decided_by: r.decided_by,
    reason: r.status_reason,
    edited_inputs: r.edited_inputs,
    escalated_to: r.escalated_to,
    expires_at: r.expires_at.toISOString(),
  };
}

/** A new task, or a closed request: bring the task's graph up to where the request stands. */
export function workflowRows(s: OutboxSubject, eventType: string): OutboxInsert[] {
  return [
    {
      kind: "workflow",
      requestId: s.request.id,
      taskId: s.taskId,
      eventType,
      payload: payloadOf(s, eventType),
    },
  ];
}

/** A request that now needs people: tell the level's channels (the log is the audit itself). */
export function notifyRows(
  s: OutboxSubject,
  eventType: string,
  channels: readonly NotifyChannel[],
): OutboxInsert[] {
  const payload = payloadOf(s, eventType);
  return channels
    .filter((c) => c !== "log")
    .map((channel) => ({
      kind: "notify",
      channel,
      requestId: s.request.id,
      taskId: s.taskId,
      eventType,
      payload,
    }));
}
