// An approval request as plain data (one database row, its approvals a child list), how one
// is opened from an assessment, and what the expiry sweeper should do with it.
import type { AuditEventDraft } from "./audit";
import { canonicalJson, sha256Hex } from "./canonical";
import type { Assessment, RuleSet } from "./risk";
import {
  type Action,
  DECISIONS,
  type Decision,
  type RequestStatus,
  type RiskLevel,
  ROLE_RANK,
  type Role,
} from "./types";

export interface Approval {
  approver_id: string;
  /** The approver's role at the moment of approving. */
  role: Role;
  /** The hash of the action as the approver saw it: an approval of other content never counts. */
  content_hash: string;
  /** The request's edit generation when given: it counts only while that generation stands. */
  generation: number;
  rule_set_version: string;
  justification: string | null;
  at: Date;
}

export interface ApprovalRequest {
  id: string;
  workflow_id: string;
  status: RequestStatus;
  /** The action as submitted; never changed, so the audit keeps the original. */
  action: Action;
  /** Inputs as last edited by a reviewer (what the agent receives), or null. */
  edited_inputs: Record<string, unknown> | null;
  /** Hash of the action with any edited inputs: what approvals are bound to. */
  content_hash: string;
  /**
   * What the submitting agent accepts back: without "edit" no reviewer may change the inputs;
   * without "approve" only an edited approval is accepted. A rejection is always possible.
   */
  allowed_decisions: Decision[];
  /** How many edits the request has had; each voids the approvals given before it. */
  edit_generation: number;
  risk_level: RiskLevel;
  risk_score: number;
  /** Snapshot of the level's policy at submission, so a config change never moves a request. */
  required_approvals: number;
  required_role: Role;
  requires_justification: boolean;
  timeout_minutes: number;
  rule_set_version: string;
  /** The API key that submitted the request, and the user who owns it (four-eyes). */
  submitter_key_id: string;
  submitter_owner_id: string | null;
  escalated_to: Role | null;
  escalated_at: Date | null;
  escalation_count: number;
  /** The automatic escalations among them: the level's `max_escalations` bounds only these. */
  auto_escalation_count: number;
  /** Whether expiry has already handed the request up once with a fresh timeout. */
  expiry_extended: boolean;
  claimed_by: string | null;
  claimed_at: Date | null;
  /** Every approval given, in order; see `quorum` for the ones that count now. */
  approvals: Approval[];
  /** The standing approval that approved the request on arrival, if any. */
  grant_id: string | null;
  /** Who closed it: the last approver, the rejecter, or null (system, agent). */
  decided_by: string | null;
  /** The reason given for the current state: rejection (sent to the agent), quarantine, ... */
  status_reason: string | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
  /** When the sweeper escalates it if still undecided; null: it will not. */
  auto_escalate_at: Date | null;
  decided_at: Date | null;
}

/** The action as it would run: with the reviewer's edited inputs, if any. */
export function effectiveAction(
  request: Pick<ApprovalRequest, "action" | "edited_inputs">,
): Action {
  return request.edited_inputs === null
    ? request.action
    : { ...request.action, inputs: request.edited_inputs };
}

/** SHA-256 of the canonical JSON of the action's fields (extra properties are ignored). */
export function contentHash(action: Action): string {
  return sha256Hex(
    canonicalJson({
      type: action.type,
      operation: action.operation,
      environment: action.environment,
      resource_type: action.resource_type,
      description: action.description,
      inputs: action.inputs,
      context: action.context,
    }),
  );
}

/** The role the request waits for now: the one it was escalated to, else its level's. */
export function awaitedRole(
  request: Pick<ApprovalRequest, "escalated_to" | "required_role">,
): Role {
  return request.escalated_to ?? request.required_role;
}

/** Where a request waiting for `role` is handed up to, or null at the top of the chain. */
export function escalationTarget(ruleSet: RuleSet, role: Role): Role | null {
  const target = ruleSet.policies[role].escalate_to;
  return target !== null && ROLE_RANK[target] > ROLE_RANK[role] ? target : null;
}

/**
 * When an undecided request escalates by itself: after the level's share of the time left
 * from `from` (its creation, or its last escalation, release or edit), while the level's
 * `max_escalations` automatic escalations are not used up (manual ones do not count: a
 * reviewer's escalation is bounded by the chain of roles instead).
 */
export function nextAutoEscalation(
  ruleSet: RuleSet,
  request: Pick<
    ApprovalRequest,
    "risk_level" | "auto_escalation_count" | "escalated_to" | "required_role" | "expires_at"
  >,
  from: Date,
): Date | null {
  const level = ruleSet.levels[request.risk_level];
  if (level.auto_escalate_after === null) return null;
  if (request.auto_escalation_count >= level.max_escalations) return null;
  if (escalationTarget(ruleSet, awaitedRole(request)) === null) return null;
  const remaining = request.expires_at.getTime() - from.getTime();
  if (remaining <= 0) return null;
  return new Date(from.getTime() + Math.round(level.auto_escalate_after * remaining));
}

export interface OpenRequestInput {
  id: string;
  workflow_id: string;
  action: Action;
  assessment: Assessment;
  submitter_key_id: string;
  submitter_owner_id: string | null;
  now: Date;
  /** The standing approval `matchGrant` found for this action, if any. */
  grant_id?: string | null;
  /** Default: every decision. */
  allowed_decisions?: readonly Decision[];
}

/**
 * The request for a submitted action. Actions that need no approval (auto-approved levels,
 * or a matching standing approval) are stored too, already approved by the system, so the
 * timeline and the metrics see every action.
 */
export function openRequest(
  ruleSet: RuleSet,
  input: OpenRequestInput,
): { request: ApprovalRequest; events: AuditEventDraft[] } {
  const { assessment: a, now } = input;
  const grantId = input.grant_id ?? null;
  const autoApproved = !a.requires_approval || grantId !== null;
  const expiresAt = new Date(now.getTime() + a.timeout_minutes * 60_000);
  const request: ApprovalRequest = {
    id: input.id,
    workflow_id: input.workflow_id,
    status: autoApproved ? "approved" : "pending",
    action: input.action,
    edited_inputs: null,
    content_hash: contentHash(input.action),
    allowed_decisions: [...(input.allowed_decisions ?? DECISIONS)],
    edit_generation: 0,
    risk_level: a.level,
    risk_score: a.score,
    required_approvals: a.required_approvals,
    required_role: a.required_role,
    requires_justification: a.requires_justification,
    timeout_minutes: a.timeout_minutes,
    rule_set_version: a.rule_set_version,
    submitter_key_id: input.submitter_key_id,
    submitter_owner_id: input.submitter_owner_id,
    escalated_to: null,
    escalated_at: null,
    escalation_count: 0,
    auto_escalation_count: 0,
    expiry_extended: false,
    claimed_by: null,
    claimed_at: null,
    approvals: [],
    grant_id: grantId,
    decided_by: null,
    status_reason: null,
    created_at: now,
    updated_at: now,
    expires_at: expiresAt,
    auto_escalate_at: null,
    decided_at: autoApproved ? now : null,
  };
  if (!autoApproved) request.auto_escalate_at = nextAutoEscalation(ruleSet, request, now);

  // The submission is always recorded; an automatic approval follows it as its own event.
  const subject = { request_id: request.id, workflow_id: request.workflow_id, at: now };
  const events: AuditEventDraft[] = [
    {
      ...subject,
      type: "hitl.approval_requested",
      actor_type: "agent",
      actor_id: input.submitter_key_id,
      payload: {
        action: input.action,
        content_hash: request.content_hash,
        risk: {
          level: a.level,
          score: a.score,
          reasons: a.reasons,
          matched_rules: a.matched_rules,
        },
        requires_approval: !autoApproved,
        required_approvals: a.required_approvals,
        required_role: a.required_role,
        expires_at: autoApproved ? null : expiresAt,
        rule_set_version: a.rule_set_version,
      },
    },
  ];
  if (autoApproved) {
    events.push({
      ...subject,
      type: "hitl.auto_approved",
      actor_type: "system",
      actor_id: null,
      payload: { grant_id: grantId, level: a.level },
    });
  }
  return { request, events };
}

/** What the sweeper should do with a request at `now`; it applies it with `decide`. */
export function sweepCommand(
  request: Pick<ApprovalRequest, "status" | "expires_at" | "auto_escalate_at">,
  now: Date,
): { type: "expire" } | { type: "auto_escalate" } | null {
  const { status } = request;
  if (status !== "pending" && status !== "escalated" && status !== "quarantined") return null;
  if (now.getTime() >= request.expires_at.getTime()) return { type: "expire" };
  if (
    status !== "quarantined" &&
    request.auto_escalate_at !== null &&
    now.getTime() >= request.auto_escalate_at.getTime()
  ) {
    return { type: "auto_escalate" };
  }
  return null;
}
