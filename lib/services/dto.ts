// Every response shape built in one place, field by field, and parsed through the contract's
// schemas: routes, server actions and the CLI print the same DTOs, and nothing a row gains
// later (a hash, a secret) can leave by accident.

import type { CheckpointRow } from "@/db/queries/checkpoints";
import type { ApiKeyRow } from "@/db/queries/keys";
import type { ApprovalRow, RequestRow, RequestRowCore, TaskRow } from "@/db/queries/requests";
import { toDomain } from "@/db/queries/requests";
import type { UserRow } from "@/db/queries/users";
import type { auditEvents } from "@/db/schema";
import { type ApiKeyDto, apiKeySchema, type UserDto, userSchema } from "@/lib/contract/accounts";
import {
  type QueueItemDto,
  queueItemSchema,
  type RequestDetailDto,
  type RequestSummaryDto,
  requestDetailSchema,
  requestSummarySchema,
} from "@/lib/contract/api";
import { type CheckpointDto, checkpointSchema } from "@/lib/contract/checkpoints";
import { type GrantDto, grantSchema } from "@/lib/contract/grants";
import {
  type ApprovedByGrant,
  type DecisionChannel,
  type PersonDto,
  type SubmitTaskResponse,
  submitTaskResponseSchema,
  type TaskDto,
  taskSchema,
  type ViaDto,
} from "@/lib/contract/tasks";
import {
  type Action,
  type ApprovalRequest,
  type Grant,
  isOpenStatus,
  type Policies,
  quorum,
  type RequestStatus,
  type RiskLevel,
} from "@/lib/hitl";

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d === null ? null : d.toISOString());

/** The assessment a request row stores, as reviewers and agents see it. */
export function riskOf(
  row: Pick<RequestRow, "riskLevel" | "riskScore" | "riskFactors">,
): RequestSummaryDto["risk"] {
  const factors = row.riskFactors as { reasons?: string[]; matched_rules?: string[] };
  return {
    level: row.riskLevel as RiskLevel,
    score: row.riskScore,
    reasons: factors.reasons ?? [],
    matched_rules: factors.matched_rules ?? [],
  };
}

/** A request row with its approvals, in the core's terms: what quorum and authorize read. */
export function requestOf(row: RequestRow, approvals: readonly ApprovalRow[]): ApprovalRequest {
  return toDomain(row, approvals);
}

/** The request as a list shows it; the quorum is the core's, the one every view uses. */
export function requestSummary(
  policies: Policies,
  row: RequestRow,
  approvals: readonly ApprovalRow[],
): RequestSummaryDto {
  const q = quorum(policies, requestOf(row, approvals));
  return requestSummarySchema.parse({
    id: row.id,
    task_id: row.taskId,
    workflow_id: row.workflowId,
    thread_id: row.threadId,
    agent_name: row.agentName,
    status: row.status,
    priority: row.priority,
    action: {
      type: row.actionType,
      operation: row.actionOperation ?? undefined,
      environment: row.actionEnvironment ?? undefined,
      resource_type: row.actionResourceType ?? undefined,
      description: row.actionDescription,
    },
    risk: riskOf(row),
    allowed_decisions: row.allowedDecisions,
    approvals: { have: q.have, need: q.need },
    required_role: q.role,
    escalated_to: row.escalatedTo,
    claimed_by: row.claimedBy,
    status_reason: row.statusReason,
    auto_approved: row.autoApproved,
    created_at: iso(row.createdAt),
    expires_at: iso(row.expiresAt),
    decided_at: isoOrNull(row.decidedAt),
  });
}

export function queueItem(
  summary: RequestSummaryDto,
  refusal: { message: string } | null,
): QueueItemDto {
  return queueItemSchema.parse({
    ...summary,
    actionable: refusal === null,
    not_actionable_reason: refusal === null ? null : capitalise(refusal.message),
  });
}

export function capitalise(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The people a read names, by id: read once for the whole read (db/queries/users listPeople). */
export type People = ReadonlyMap<string, PersonDto>;

function personIn(people: People, id: string): PersonDto {
  const person = people.get(id);
  if (!person) throw new Error(`person ${id} was not read with the rows that name them`);
  return person;
}

/** How a decision was made, from its columns; null for one made before they were recorded. */
export function viaOf(channel: string | null, osUser: string | null): ViaDto | null {
  return channel === null ? null : { channel: channel as DecisionChannel, os_user: osUser };
}

/** Who closed the request, by name, and how; nulls when nobody (the system, the agent) did. */
export function decisionBy(
  row: Pick<RequestRow, "decidedBy" | "decidedChannel" | "decidedOsUser">,
  people: People,
): { decider: PersonDto | null; decided_via: ViaDto | null } {
  if (row.decidedBy === null) return { decider: null, decided_via: null };
  return {
    decider: personIn(people, row.decidedBy),
    decided_via: viaOf(row.decidedChannel, row.decidedOsUser),
  };
}

/** An approval as reviewers and agents see it; `counts` is false once an edit voided it. */
export function approvalGiven(
  a: ApprovalRow,
  row: Pick<RequestRow, "editGeneration">,
  people: People,
) {
  return {
    approver_id: a.approverId,
    approver: personIn(people, a.approverId),
    via: viaOf(a.channel, a.osUser),
    role: a.approverRole,
    justification: a.justification,
    counts: a.generation === row.editGeneration,
    at: iso(a.createdAt),
  };
}

export function auditEventDto(e: typeof auditEvents.$inferSelect) {
  return {
    id: e.id,
    seq: e.seq,
    type: e.type,
    at: iso(e.at),
    actor_type: e.actorType,
    actor_id: e.actorId,
    request_id: e.requestId,
    payload: e.payload,
  };
}

export function requestDetail(
  policies: Policies,
  row: RequestRow,
  approvals: readonly ApprovalRow[],
  task: TaskRow | undefined,
  events: readonly (typeof auditEvents.$inferSelect)[],
  refusal: { message: string } | null,
  people: People,
): RequestDetailDto {
  return requestDetailSchema.parse({
    actionable: refusal === null,
    not_actionable_reason: refusal === null ? null : capitalise(refusal.message),
    ...requestSummary(policies, row, approvals),
    action_details: row.actionDetails as Action,
    edited_inputs: row.editedInputs ?? null,
    content_hash: row.contentHash,
    edit_generation: row.editGeneration,
    rule_set_version: row.ruleSetVersion,
    requires_justification: row.requiresJustification,
    execution: task?.execution ?? "waiting",
    callback_url: task?.callbackUrl ?? null,
    approvals_given: approvals.map((a) => approvalGiven(a, row, people)),
    ...decisionBy(row, people),
    events: events.map(auditEventDto),
  });
}

/** What a submit answers: from the row as stored, or the values it is being written with. */
export function submitResponse(
  row: RequestRowCore,
  threadId: string,
  approvedByGrant: ApprovedByGrant = null,
): SubmitTaskResponse {
  return submitTaskResponseSchema.parse({
    task_id: row.taskId,
    thread_id: threadId,
    approval_request_id: row.id,
    status: row.status,
    auto_approved: row.autoApproved,
    approved_by_grant: approvedByGrant,
    risk: riskOf(row),
    expires_at: isOpenStatus(row.status as RequestStatus) ? iso(row.expiresAt) : null,
  });
}

export function taskDto(
  task: TaskRow,
  row: RequestRow,
  approvals: readonly ApprovalRow[],
  people: People,
  approvedByGrant: ApprovedByGrant = null,
): TaskDto {
  const closed = row.decidedAt !== null && !isOpenStatus(row.status as RequestStatus);
  const { decider, decided_via } = decisionBy(row, people);
  return taskSchema.parse({
    task_id: task.id,
    workflow_id: task.workflowId,
    thread_id: task.threadId,
    agent_name: task.agentName,
    approval_request_id: row.id,
    status: row.status,
    auto_approved: row.autoApproved,
    approved_by_grant: approvedByGrant,
    execution: task.execution,
    risk: riskOf(row),
    action: row.actionDetails as Action,
    approvals: approvals.map((a) => approvalGiven(a, row, people)),
    required_approvals: row.requiredApprovals,
    allowed_decisions: row.allowedDecisions,
    decision: closed
      ? {
          status: row.status,
          decided_at: iso(row.decidedAt as Date),
          reviewer_id: row.decidedBy,
          reviewer: decider,
          via: decided_via,
          justification: row.approvalJustification,
          reason: row.statusReason,
        }
      : null,
    edited_inputs: row.editedInputs ?? null,
    escalated_to: row.escalatedTo,
    created_at: iso(task.createdAt),
    expires_at: iso(row.expiresAt),
    started_at: isoOrNull(task.startedAt),
    resumed_at: isoOrNull(task.resumedAt),
    completed_at: isoOrNull(task.completedAt),
    result: task.executionResult ?? null,
  });
}

export function grantDto(g: Grant): GrantDto {
  return grantSchema.parse({
    ...g,
    created_at: iso(g.created_at),
    expires_at: iso(g.expires_at),
    revoked_at: isoOrNull(g.revoked_at),
  });
}

export function checkpointDto(row: CheckpointRow): CheckpointDto {
  return checkpointSchema.parse({
    checkpoint_id: row.id,
    action_id: row.actionId,
    name: row.checkpointName,
    type: row.checkpointType,
    data: row.checkpointData,
    sequence_number: row.sequenceNumber,
    status: row.status,
    correlation_id: row.correlationId,
    run_id: row.runId,
    created_at: iso(row.createdAt),
    expires_at: isoOrNull(row.expiresAt),
    resumed_at: isoOrNull(row.resumedAt),
    resumed_by: row.resumedBy,
  });
}

export function userDto(u: UserRow): UserDto {
  return userSchema.parse({
    id: u.id,
    email: u.email,
    role: u.role,
    name: u.name,
    disabled: u.disabledAt !== null,
    disabled_at: isoOrNull(u.disabledAt),
    // Rows disabled before the column existed were disabled by the operator.
    disabled_by: u.disabledAt === null ? null : (u.disabledBy ?? "operator"),
  });
}

export function apiKeyDto(k: ApiKeyRow): ApiKeyDto {
  return apiKeySchema.parse({
    id: k.id,
    scope: k.scope,
    name: k.name,
    prefix: k.prefix,
    user_id: k.userId,
    created_at: iso(k.createdAt),
    last_used_at: isoOrNull(k.lastUsedAt),
    revoked_at: isoOrNull(k.revokedAt),
    expires_at: isoOrNull(k.expiresAt),
  });
}
