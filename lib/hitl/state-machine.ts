// The request lifecycle (SPEC §4): one pure function decides whether a command may change a
// request and, if so, returns the request as it now stands and the audit events to append in
// the same transaction. The service never edits a request any other way.
import type { ActorType, AuditEventDraft, HitlEventType } from "./audit";
import type { Policies } from "./config-schema";
import {
  claimLimitRefusal,
  countingApprovals,
  eligibilityRefusal,
  justificationRefusal,
  quorum,
  type Refusal,
} from "./policy";
import {
  type ApprovalRequest,
  awaitedRole,
  contentHash,
  effectiveAction,
  escalationTarget,
  nextAutoEscalation,
} from "./request";
import { assess, type RuleSet } from "./risk";
import {
  type ClosedStatus,
  isOpenStatus,
  type RequestStatus,
  RISK_RANK,
  type RiskLevel,
  ROLE_RANK,
  type Role,
  roleWords,
} from "./types";

/** Status changes allowed (SPEC §4). Closed states have none: they never change again. */
export const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  pending: ["approved", "rejected", "escalated", "quarantined", "expired", "cancelled"],
  escalated: ["approved", "rejected", "quarantined", "expired", "cancelled"],
  // Released back to where it stood: pending, or escalated if it was (an escalation holds).
  quarantined: ["pending", "escalated", "rejected", "expired"],
  approved: [],
  rejected: [],
  expired: [],
  cancelled: [],
};

export type Actor =
  /** A person, signed in or through a reviewer key, with the role their user record has now. */
  | { kind: "user"; id: string; role: Role }
  /** The agent API key that submitted the request. */
  | { kind: "agent"; key_id: string }
  /** The sweeper. */
  | { kind: "system" };

export type Command =
  | {
      type: "approve";
      justification?: string;
      /** Edit-then-approve: the inputs the agent will receive instead. */
      edited_inputs?: Record<string, unknown>;
      /** The content hash the reviewer was shown; refused if the request changed since. */
      seen_hash?: string;
    }
  | { type: "reject"; reason: string }
  /** To the escalate_to of the reviewer's role (bounded by the chain of roles; the level's
   * max_escalations bounds only the automatic ones). */
  | { type: "escalate"; reason?: string }
  | { type: "quarantine"; reason: string }
  | { type: "release"; reason?: string }
  /** `claimed_count`: open requests the reviewer holds claimed now. */
  | { type: "claim"; claimed_count: number }
  | { type: "unclaim" }
  | { type: "cancel"; reason?: string }
  | { type: "expire" }
  | { type: "auto_escalate" };
export type CommandType = Command["type"];

export const COMMAND_TYPES = [
  "approve",
  "reject",
  "escalate",
  "quarantine",
  "release",
  "claim",
  "unclaim",
  "cancel",
  "expire",
  "auto_escalate",
] as const satisfies readonly CommandType[];

export interface DecideContext {
  ruleSet: RuleSet;
}

export type DecisionError = Refusal;

export type DecideResult =
  | {
      ok: true;
      request: ApprovalRequest;
      events: AuditEventDraft[];
      /** Set when this decision closed the request: the agent must be told. */
      outcome: ClosedStatus | null;
    }
  | { ok: false; error: DecisionError };

const WHO: Record<Actor["kind"], string> = {
  user: "a reviewer",
  agent: "the submitting agent",
  system: "the system",
};

const ACTOR_OF = {
  approve: "user",
  reject: "user",
  escalate: "user",
  quarantine: "user",
  release: "user",
  claim: "user",
  unclaim: "user",
  cancel: "agent",
  expire: "system",
  auto_escalate: "system",
} as const satisfies Record<CommandType, Actor["kind"]>;

/** The statuses each command applies to; any other open status is a conflict. */
const APPLIES_TO: Record<CommandType, readonly RequestStatus[]> = {
  approve: ["pending", "escalated"],
  reject: ["pending", "escalated", "quarantined"],
  escalate: ["pending", "escalated"],
  quarantine: ["pending", "escalated"],
  release: ["quarantined"],
  claim: ["pending", "escalated"],
  unclaim: ["pending", "escalated", "quarantined"],
  cancel: ["pending", "escalated"],
  expire: ["pending", "escalated", "quarantined"],
  auto_escalate: ["pending", "escalated"],
};

const forbidden = (message: string): Refusal => ({ code: "forbidden", message });
const conflict = (message: string): Refusal => ({ code: "conflict", message });
const invalid = (message: string): Refusal => ({ code: "invalid", message });

const isBlank = (text: string | undefined) => (text ?? "").trim() === "";

/**
 * Why `actor` may not issue a command of this type on the request now, or null if they may
 * (the command's own fields, such as a reason, are checked by `decide`). Use it to decide
 * which buttons to show; `decide` applies the same checks.
 */
export function authorize(
  request: ApprovalRequest,
  type: CommandType,
  actor: Actor,
  now: Date,
  ctx: DecideContext,
): Refusal | null {
  const { status } = request;
  if (!isOpenStatus(status)) return conflict(`the request is already ${status}`);
  if (actor.kind !== ACTOR_OF[type]) {
    return forbidden(`only ${WHO[ACTOR_OF[type]]} may ${type.replace("_", "-")} a request`);
  }
  const who =
    actor.kind === "user"
      ? reviewerRefusal(ctx.ruleSet.policies, request, type, actor)
      : actor.kind === "agent" && actor.key_id !== request.submitter_key_id
        ? forbidden("only the agent that submitted a request may cancel it")
        : null;
  if (who !== null) return who;
  if (!APPLIES_TO[type].includes(status)) {
    return conflict(`a ${status} request cannot be ${PAST[type]}`);
  }
  return stateRefusal(request, type, actor, now, ctx);
}

function reviewerRefusal(
  policies: Policies,
  request: ApprovalRequest,
  type: CommandType,
  reviewer: Reviewer,
): Refusal | null {
  switch (type) {
    case "approve":
    case "reject":
    case "claim":
      return eligibilityRefusal(policies, request, reviewer, type);
    case "escalate":
      return policies[reviewer.role].escalate_to === null
        ? forbidden(`a ${roleWords(reviewer.role)} may not escalate requests`)
        : null;
    case "quarantine":
    case "release":
      return policies[reviewer.role][`can_${type}`]
        ? null
        : forbidden(`a ${roleWords(reviewer.role)} may not ${type} requests`);
    default:
      // unclaim, the only other command a reviewer issues: only the claimer may.
      return request.claimed_by !== null && request.claimed_by !== reviewer.id
        ? forbidden("the request is claimed by someone else")
        : null;
  }
}

/** The actor of a reviewer command: `authorize` has checked the kind before any cast to it. */
type Reviewer = Extract<Actor, { kind: "user" }>;

const PAST: Record<CommandType, string> = {
  approve: "approved",
  reject: "rejected",
  escalate: "escalated",
  quarantine: "quarantined",
  release: "released",
  claim: "claimed",
  unclaim: "unclaimed",
  cancel: "cancelled",
  expire: "expired",
  auto_escalate: "escalated automatically",
};

/** The checks that depend on the request's details rather than on who asks. */
function stateRefusal(
  request: ApprovalRequest,
  type: CommandType,
  actor: Actor,
  now: Date,
  ctx: DecideContext,
): Refusal | null {
  const due = now.getTime() >= request.expires_at.getTime();
  switch (type) {
    case "approve":
      // Fails closed: past its deadline a request can only expire (the sweeper does it).
      if (due) return conflict(`the request expired at ${request.expires_at.toISOString()}`);
      // One vote per person per edit generation; after an edit they may vote again.
      if (
        request.approvals.some(
          (a) =>
            a.approver_id === (actor as Reviewer).id && a.generation === request.edit_generation,
        )
      ) {
        return conflict(
          "you have already approved this version of the request; one person counts once",
        );
      }
      return null;
    case "escalate": {
      const target = ctx.ruleSet.policies[(actor as Reviewer).role].escalate_to as Role;
      const current = awaitedRole(request);
      if (ROLE_RANK[target] <= ROLE_RANK[current]) {
        return conflict(`the request already waits for ${current}`);
      }
      return null;
    }
    case "claim":
      if (request.claimed_by !== null) {
        const who = request.claimed_by === (actor as Reviewer).id ? "you" : "someone else";
        return conflict(`the request is already claimed by ${who}`);
      }
      return null;
    case "unclaim":
      return request.claimed_by === null ? conflict("the request is not claimed") : null;
    case "expire":
      return due
        ? null
        : conflict(`the request does not expire until ${request.expires_at.toISOString()}`);
    case "auto_escalate": {
      if (due) return conflict("the request is past its deadline; it expires instead");
      const at = request.auto_escalate_at;
      if (at === null) return conflict("the request does not escalate automatically");
      if (now.getTime() < at.getTime()) {
        return conflict(`the request does not escalate until ${at.toISOString()}`);
      }
      return null;
    }
    default:
      return null;
  }
}

/** Whether the command carries what it must (a reason, a justification, a claim count). */
function commandRefusal(
  request: ApprovalRequest,
  command: Command,
  ctx: DecideContext,
  actor: Actor,
): Refusal | null {
  switch (command.type) {
    case "approve": {
      if (command.seen_hash !== undefined && command.seen_hash !== request.content_hash) {
        return conflict("the request changed since you opened it; review it again");
      }
      const edits = editsContent(request, command);
      const allowed = request.allowed_decisions;
      if (edits && !allowed.includes("edit")) {
        return invalid(
          `the agent does not accept edited inputs for this action (it accepts: ${allowed.join(", ")}); approve it as it is or reject it`,
        );
      }
      if (!edits && !allowed.includes("approve")) {
        return invalid(
          `the agent accepts only an approval with edited inputs for this action (it accepts: ${allowed.join(", ")})`,
        );
      }
      return justificationRefusal(request, command.justification);
    }
    case "reject":
      return isBlank(command.reason) ? invalid("a reason is required to reject a request") : null;
    case "quarantine":
      return isBlank(command.reason)
        ? invalid("a reason is required to quarantine a request")
        : null;
    case "claim":
      return claimLimitRefusal(
        ctx.ruleSet.policies,
        (actor as Reviewer).role,
        command.claimed_count,
      );
    default:
      return null;
  }
}

export function decide(
  request: ApprovalRequest,
  command: Command,
  actor: Actor,
  now: Date,
  ctx: DecideContext,
): DecideResult {
  // An approval that edits the content is a vote on the new generation: whether the reviewer
  // already voted is judged against that one.
  const subject =
    command.type === "approve" && editsContent(request, command)
      ? { ...request, edit_generation: request.edit_generation + 1 }
      : request;
  const refusal =
    authorize(subject, command.type, actor, now, ctx) ??
    commandRefusal(request, command, ctx, actor);
  if (refusal !== null) return { ok: false, error: refusal };
  return apply(request, command, actor, now, ctx);
}

function editsContent(
  request: ApprovalRequest,
  command: Extract<Command, { type: "approve" }>,
): boolean {
  return (
    command.edited_inputs !== undefined &&
    contentHash({ ...request.action, inputs: command.edited_inputs }) !== request.content_hash
  );
}

/**
 * Re-assess an edited action; when it rates higher than the request, raise the request's
 * level, score and policy (approvals, role, justification) in place, give it the new level's
 * time from now (never shortening what is left), reschedule its automatic escalation, and
 * say what changed.
 */
function raiseForEdit(
  ruleSet: RuleSet,
  next: ApprovalRequest,
  edited: ApprovalRequest["action"],
  now: Date,
): {
  from: RiskLevel;
  to: RiskLevel;
  score: number;
  matched_rules: string[];
  expires_at: Date;
} | null {
  const a = assess(ruleSet, edited);
  if (RISK_RANK[a.level] <= RISK_RANK[next.risk_level]) return null;
  const from = next.risk_level;
  next.risk_level = a.level;
  next.risk_score = Math.max(next.risk_score, a.score);
  next.required_approvals = Math.max(next.required_approvals, a.required_approvals);
  if (ROLE_RANK[a.required_role] > ROLE_RANK[next.required_role])
    next.required_role = a.required_role;
  next.requires_justification = next.requires_justification || a.requires_justification;
  next.timeout_minutes = Math.max(next.timeout_minutes, a.timeout_minutes);
  const fresh = now.getTime() + a.timeout_minutes * 60_000;
  if (fresh > next.expires_at.getTime()) next.expires_at = new Date(fresh);
  next.auto_escalate_at = nextAutoEscalation(ruleSet, next, now);
  return {
    from,
    to: a.level,
    score: a.score,
    matched_rules: a.matched_rules,
    expires_at: next.expires_at,
  };
}

function actorFields(actor: Actor): { actor_type: ActorType; actor_id: string | null } {
  switch (actor.kind) {
    case "user":
      return { actor_type: "user", actor_id: actor.id };
    case "agent":
      return { actor_type: "agent", actor_id: actor.key_id };
    case "system":
      return { actor_type: "system", actor_id: null };
  }
}

/** One change being made: the request as it was, the one being built, and how to record it. */
interface Change {
  request: ApprovalRequest;
  next: ApprovalRequest;
  ruleSet: RuleSet;
  now: Date;
  emit(type: HitlEventType, payload: Record<string, unknown>): void;
  close(status: ClosedStatus, decidedBy: string | null, reason: string | null): void;
  /** To `to`'s role: the approvals that no longer count are voided, and said so. */
  escalate(to: Role, automatic?: boolean): Record<string, unknown>;
}

type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;
/** The one who makes a command of this type (ACTOR_OF; authorize refused anyone else). */
type ActorOf<T extends CommandType> = Extract<Actor, { kind: (typeof ACTOR_OF)[T] }>;
/** Makes a command's change on `change.next`; a refusal found only on the way (an edit that
 * raises the request's level beyond the reviewer) stops it. */
type Apply<T extends CommandType> = (
  change: Change,
  command: CommandOf<T>,
  actor: ActorOf<T>,
) => Refusal | null;

const APPLY: { [T in CommandType]: Apply<T> } = {
  approve(c, command, reviewer) {
    const { request, next, ruleSet } = c;
    if (command.edited_inputs !== undefined) {
      const edited = structuredClone(command.edited_inputs);
      const hash = contentHash({ ...request.action, inputs: edited });
      if (hash !== request.content_hash) {
        next.edited_inputs = edited;
        next.content_hash = hash;
        next.edit_generation = request.edit_generation + 1;
        // The edited action is assessed again: an edit may raise what the request needs
        // (a larger amount, an outside recipient), never lower it.
        const raised = raiseForEdit(ruleSet, next, { ...request.action, inputs: edited }, c.now);
        if (raised !== null) {
          const refusal =
            eligibilityRefusal(ruleSet.policies, next, reviewer, "approve") ??
            justificationRefusal(next, command.justification);
          if (refusal !== null) {
            return {
              code: refusal.code,
              message: `this edit raises the request to ${next.risk_level} risk, and ${refusal.message}`,
            };
          }
        }
        c.emit("hitl.inputs_edited", {
          original_inputs: request.action.inputs ?? null,
          previous_inputs: effectiveAction(request).inputs ?? null,
          edited_inputs: edited,
          previous_hash: request.content_hash,
          content_hash: hash,
          approvals_voided: countingApprovals(ruleSet.policies, request).map((a) => a.approver_id),
          ...(raised === null ? {} : { risk_raised: raised }),
        });
      }
    }
    const justification = isBlank(command.justification)
      ? null
      : (command.justification as string).trim();
    next.approvals = [
      ...request.approvals,
      {
        approver_id: reviewer.id,
        role: reviewer.role,
        content_hash: next.content_hash,
        generation: next.edit_generation,
        rule_set_version: ruleSet.version,
        justification,
        at: c.now,
      },
    ];
    const q = quorum(ruleSet.policies, next);
    if (q.met) c.close("approved", reviewer.id, null);
    c.emit(q.met ? "hitl.approved" : "hitl.approval_recorded", {
      role: reviewer.role,
      justification,
      content_hash: next.content_hash,
      rule_set_version: ruleSet.version,
      approvals: q.have,
      required_approvals: q.need,
      approvers: q.approvers,
    });
    return null;
  },
  reject(c, command, reviewer) {
    const reason = command.reason.trim();
    c.close("rejected", reviewer.id, reason);
    c.emit("hitl.rejected", { role: reviewer.role, reason });
    return null;
  },
  escalate(c, command, reviewer) {
    const to = c.ruleSet.policies[reviewer.role].escalate_to as Role;
    c.emit("hitl.escalated", {
      trigger: "manual",
      reason: command.reason?.trim() || null,
      ...c.escalate(to),
    });
    return null;
  },
  auto_escalate(c) {
    const { request, ruleSet } = c;
    const to = escalationTarget(ruleSet, awaitedRole(request));
    // The sweeper's schedule was computed from the same rule, so this only happens when the
    // configuration changed under a waiting request: stop escalating it.
    if (
      to === null ||
      request.auto_escalation_count >= ruleSet.levels[request.risk_level].max_escalations
    ) {
      c.next.auto_escalate_at = null;
      return null;
    }
    c.emit("hitl.escalated", { trigger: "timeout", ...c.escalate(to, true) });
    return null;
  },
  quarantine(c, command) {
    c.next.status = "quarantined";
    c.next.status_reason = command.reason.trim();
    c.next.auto_escalate_at = null;
    c.emit("hitl.quarantined", { reason: c.next.status_reason });
    return null;
  },
  release(c, command) {
    c.next.status = c.request.escalated_to === null ? "pending" : "escalated";
    c.next.status_reason = null;
    c.next.auto_escalate_at = nextAutoEscalation(c.ruleSet, c.next, c.now);
    c.emit("hitl.released", { reason: command.reason?.trim() || null });
    return null;
  },
  claim(c, _command, reviewer) {
    c.next.claimed_by = reviewer.id;
    c.next.claimed_at = c.now;
    c.emit("hitl.claimed", {});
    return null;
  },
  unclaim(c) {
    c.next.claimed_by = null;
    c.next.claimed_at = null;
    c.emit("hitl.unclaimed", {});
    return null;
  },
  cancel(c, command) {
    c.close("cancelled", null, command.reason?.trim() || null);
    c.emit("hitl.cancelled", { reason: c.next.status_reason });
    return null;
  },
  expire(c) {
    const { request, next, now } = c;
    const level = c.ruleSet.levels[request.risk_level];
    if (
      level.expiry_outcome === "escalate" &&
      !request.expiry_extended &&
      request.status !== "quarantined"
    ) {
      // Once, with a fresh timeout, to the next role up (or the same role if none is above).
      const current = awaitedRole(request);
      next.expires_at = new Date(now.getTime() + request.timeout_minutes * 60_000);
      next.expiry_extended = true;
      const details = c.escalate(escalationTarget(c.ruleSet, current) ?? current);
      c.emit("hitl.escalated", { trigger: "expiry", expires_at: next.expires_at, ...details });
    } else {
      c.close("expired", null, `no decision before ${request.expires_at.toISOString()}`);
      c.emit("hitl.expired", { expires_at: request.expires_at });
    }
    return null;
  },
};

/** The command's change through its entry in APPLY, with the actor authorize() admitted. */
function applyCommand<T extends CommandType>(
  change: Change,
  command: CommandOf<T>,
  actor: ActorOf<T>,
): Refusal | null {
  const apply: Apply<T> = APPLY[command.type];
  return apply(change, command, actor);
}

function apply(
  request: ApprovalRequest,
  command: Command,
  actor: Actor,
  now: Date,
  ctx: DecideContext,
): DecideResult {
  // authorize() refused every actor but the command's own: narrowed here, once.
  if (actor.kind !== ACTOR_OF[command.type]) {
    throw new Error(
      `${command.type} by ${actor.kind}: authorize() admits only ${WHO[ACTOR_OF[command.type]]}`,
    );
  }
  const ruleSet = ctx.ruleSet;
  const next: ApprovalRequest = { ...request, updated_at: now };
  const events: AuditEventDraft[] = [];
  const change: Change = {
    request,
    next,
    ruleSet,
    now,
    emit(type, payload) {
      events.push({
        type,
        at: now,
        ...actorFields(actor),
        request_id: request.id,
        workflow_id: request.workflow_id,
        payload: { from_status: request.status, status: next.status, ...payload },
      });
    },
    close(status, decidedBy, reason) {
      next.status = status;
      next.decided_by = decidedBy;
      next.decided_at = now;
      next.status_reason = reason;
      next.auto_escalate_at = null;
    },
    escalate(to, automatic = false) {
      const counted = new Set(
        countingApprovals(ruleSet.policies, request).map((a) => a.approver_id),
      );
      next.status = "escalated";
      next.escalated_to = to;
      next.escalated_at = now;
      next.escalation_count = request.escalation_count + 1;
      if (automatic) next.auto_escalation_count = request.auto_escalation_count + 1;
      next.auto_escalate_at = nextAutoEscalation(ruleSet, next, now);
      const stillCounting = countingApprovals(ruleSet.policies, next).map((a) => a.approver_id);
      return {
        from_role: awaitedRole(request),
        to_role: to,
        approvals_voided: [...counted].filter((id) => !stillCounting.includes(id)),
      };
    },
  };
  const refusal = applyCommand(change, command, actor);
  if (refusal !== null) return { ok: false, error: refusal };
  const outcome = isOpenStatus(next.status) ? null : next.status;
  return { ok: true, request: next, events, outcome };
}
