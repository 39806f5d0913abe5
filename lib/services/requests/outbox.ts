// The outbox rows a change writes in its own transaction: a drive of the task's graph when
// the task is submitted and when its request closes (the graph's last node queues the
// agent's callback: lib/jobs/workflow.ts), and the level's notification channels when a
// request opens or escalates. Delivery happens afterwards, with retries; a failing receiver
// never blocks a decision.
import type { OutboxInsert } from "@/db/queries/requests";
import type { PersonDto, ViaDto } from "@/lib/contract/tasks";
import { type ApprovalRequest, awaitedRole, type NotifyChannel, type Role } from "@/lib/hitl";
import { type NotificationTargets, notificationTargets } from "@/lib/services/integrations/notify";

/** The person making a decision, by name, and how it reached Airlock. */
export interface Decider {
  person: PersonDto;
  via: ViaDto | null;
}

export interface OutboxSubject {
  request: ApprovalRequest;
  taskId: string;
  /** Who made the change, when a person did. */
  decider?: Decider | null;
}

function payloadOf(s: OutboxSubject, eventType: string): Record<string, unknown> {
  const r = s.request;
  // Named only as the one who closed the request (decided_by), as the callback names them.
  const closer = s.decider && s.decider.person.id === r.decided_by ? s.decider : null;
  return {
    event: eventType,
    task_id: s.taskId,
    request_id: r.id,
    workflow_id: r.workflow_id,
    status: r.status,
    risk_level: r.risk_level,
    action_type: r.action.type,
    decided_by: r.decided_by,
    decider: closer?.person ?? null,
    decided_via: closer?.via ?? null,
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

/**
 * A request that now needs people: tell the level's channels, those that are configured (the
 * log is the audit itself): a row per webhook URL, one for email. `audience` is the role
 * that may act on it now (an email goes to it and above): by default the one it waits for.
 */
export function notifyRows(
  s: OutboxSubject,
  eventType: string,
  channels: readonly NotifyChannel[],
  options: { audience?: Role; targets?: NotificationTargets } = {},
): OutboxInsert[] {
  const targets = options.targets ?? notificationTargets();
  const payload = {
    ...payloadOf(s, eventType),
    audience_role: options.audience ?? awaitedRole(s.request),
  };
  const base = { kind: "notify", requestId: s.request.id, taskId: s.taskId, eventType, payload };
  return channels.flatMap((channel): OutboxInsert[] => {
    if (channel === "webhook") {
      return targets.webhookUrls.map((url) => ({ ...base, channel, targetUrl: url }));
    }
    if (channel === "email" && targets.email) return [{ ...base, channel }];
    if (channel === "slack" && targets.slack) return [{ ...base, channel }];
    // The log is the audit itself.
    return [];
  });
}

/**
 * Any other change of a request whose level posts to Slack: a row that brings the request's
 * message up to date (votes, the decision, a claim, a release, expiry).
 */
export function slackUpdateRows(
  s: OutboxSubject,
  eventType: string,
  channels: readonly NotifyChannel[],
): OutboxInsert[] {
  return notifyRows(s, eventType, channels.includes("slack") ? ["slack"] : []);
}
