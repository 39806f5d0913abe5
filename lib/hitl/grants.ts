// Standing approvals (SPEC §4.1): "agent X may run actions matching DEPLOY in staging, up to
// 20 times, for the next 2 hours". A grant approves matching requests on arrival, within the
// rights of the person who gave it, and never covers critical actions.
import type { AuditEventDraft } from "./audit";
import { compileGlob, globProblem } from "./glob";
import { can, NEVER_GRANTED } from "./permissions";
import type { Refusal, Reviewer } from "./policy";
import type { RuleSet } from "./risk";
import {
  type Action,
  GRANT_LIMITS,
  RISK_LEVELS,
  RISK_RANK,
  type RiskLevel,
  ROLE_RANK,
  type Role,
  roleWords,
} from "./types";

export interface Grant {
  id: string;
  grantor_id: string;
  /** The grantor's role when granting; their current role is checked again at each use. */
  grantor_role: Role;
  /** The name the agent's API key was created with. */
  agent: string;
  /** Narrows the grant to tasks carrying this sub-agent label; null: any. */
  agent_name: string | null;
  type_pattern: string;
  /** Narrows the grant to one environment; null: any. */
  environment: string | null;
  /** The highest level it covers: the highest the grantor may approve, and never critical. */
  max_level: RiskLevel;
  max_uses: number;
  uses: number;
  reason: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}

export interface GrantInput {
  agent: string;
  agent_name?: string | null;
  type_pattern: string;
  environment?: string | null;
  /** The highest level it covers; at most, and by default, the grantor's own highest. */
  max_level?: RiskLevel | null;
  max_uses: number;
  expires_in_minutes: number;
  reason: string;
}

export type GrantResult =
  | { ok: true; grant: Grant; events: AuditEventDraft[] }
  | { ok: false; error: Refusal };

/** Whether a person with `role` could approve a fresh request of `level` on their own. */
function covers(ruleSet: RuleSet, role: Role, level: RiskLevel): boolean {
  return (
    level !== NEVER_GRANTED &&
    can(ruleSet.policies, role, "grant", level) &&
    ROLE_RANK[role] >= ROLE_RANK[ruleSet.levels[level].required_role]
  );
}

const invalid = (message: string): GrantResult => ({
  ok: false,
  error: { code: "invalid", message },
});

function isCount(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= max;
}

export function createGrant(
  ruleSet: RuleSet,
  grantor: Reviewer,
  input: GrantInput,
  now: Date,
  id: string,
): GrantResult {
  const maxLevel = RISK_LEVELS.filter((l) => covers(ruleSet, grantor.role, l)).at(-1);
  if (maxLevel === undefined) {
    return {
      ok: false,
      error: {
        code: "forbidden",
        message: `a ${roleWords(grantor.role)} may not grant standing approvals`,
      },
    };
  }
  const agent = input.agent.trim();
  const reason = input.reason.trim();
  const patternProblem = globProblem(input.type_pattern);
  if (agent === "") return invalid("agent: the agent's name is required");
  if (patternProblem !== null) return invalid(`type_pattern: ${patternProblem}`);
  if (!isCount(input.max_uses, GRANT_LIMITS.maxUses)) {
    return invalid(`max_uses: a whole number from 1 to ${GRANT_LIMITS.maxUses}`);
  }
  if (!isCount(input.expires_in_minutes, GRANT_LIMITS.maxMinutes)) {
    return invalid(`expires_in_minutes: a whole number from 1 to ${GRANT_LIMITS.maxMinutes}`);
  }
  if (reason === "") return invalid("reason: a reason is required");
  const level = input.max_level ?? maxLevel;
  if (RISK_RANK[level] > RISK_RANK[maxLevel]) {
    return invalid(
      `max_level: a ${roleWords(grantor.role)}'s standing approvals cover up to ${maxLevel} risk`,
    );
  }

  const grant: Grant = {
    id,
    grantor_id: grantor.id,
    grantor_role: grantor.role,
    agent,
    agent_name: input.agent_name?.trim() || null,
    type_pattern: input.type_pattern,
    environment: input.environment?.trim() || null,
    max_level: level,
    max_uses: input.max_uses,
    uses: 0,
    reason,
    created_at: now,
    expires_at: new Date(now.getTime() + input.expires_in_minutes * 60_000),
    revoked_at: null,
    revoked_by: null,
  };
  const { id: grant_id, ...details } = grant;
  return {
    ok: true,
    grant,
    events: [grantEvent("hitl.grant_created", grantor, now, { grant_id, ...details })],
  };
}

function grantEvent(
  type: "hitl.grant_created" | "hitl.grant_revoked",
  actor: Reviewer,
  at: Date,
  payload: Record<string, unknown>,
): AuditEventDraft {
  return {
    type,
    at,
    actor_type: "user",
    actor_id: actor.id,
    request_id: null,
    workflow_id: null,
    payload,
  };
}

/** The grantor may revoke their grant, and so may anyone who may grant at their rank or above. */
export function revokeGrant(
  ruleSet: RuleSet,
  grant: Grant,
  actor: Reviewer,
  now: Date,
): GrantResult {
  const mayRevoke =
    actor.id === grant.grantor_id ||
    (can(ruleSet.policies, actor.role, "grant") &&
      ROLE_RANK[actor.role] >= ROLE_RANK[grant.grantor_role]);
  if (!mayRevoke) {
    return { ok: false, error: { code: "forbidden", message: "you may not revoke this grant" } };
  }
  if (grant.revoked_at !== null) {
    return { ok: false, error: { code: "conflict", message: "the grant is already revoked" } };
  }
  return {
    ok: true,
    grant: { ...grant, revoked_at: now, revoked_by: actor.id },
    events: [grantEvent("hitl.grant_revoked", actor, now, { grant_id: grant.id })],
  };
}

export function isGrantActive(grant: Grant, now: Date): boolean {
  const t = now.getTime();
  return (
    grant.revoked_at === null &&
    grant.uses < grant.max_uses &&
    t >= grant.created_at.getTime() &&
    t < grant.expires_at.getTime()
  );
}

export interface GrantCandidate {
  /** The agent key's name, and the task's sub-agent label. */
  agent: string;
  agent_name: string | null;
  action: Action;
  /** The assessed level of the action. */
  level: RiskLevel;
  /** Owner of the submitting key: nobody's grant approves their own agent (four-eyes). */
  submitter_owner_id: string | null;
}

function environmentOf(action: Action): string | undefined {
  // As the risk engine reads it: the action's own field, else inputs, else context.
  const env =
    typeof action.environment === "string"
      ? action.environment
      : (action.inputs?.environment ?? action.context?.environment);
  return typeof env === "string" ? env.toLowerCase() : undefined;
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The active grant that approves `candidate`, or null. `currentRoles` holds each grantor's
 * role now: a grant whose grantor lost the right (or left) approves nothing. When several
 * match, the one ending soonest is used, so the longer-lived ones last.
 */
export function matchGrant(
  ruleSet: RuleSet,
  grants: readonly Grant[],
  candidate: GrantCandidate,
  now: Date,
  currentRoles: ReadonlyMap<string, Role>,
): Grant | null {
  const type = candidate.action.type.toLowerCase();
  const env = environmentOf(candidate.action);
  const matching = grants.filter((g) => {
    const role = currentRoles.get(g.grantor_id);
    return (
      isGrantActive(g, now) &&
      role !== undefined &&
      RISK_RANK[candidate.level] <= RISK_RANK[g.max_level] &&
      covers(ruleSet, role, candidate.level) &&
      g.grantor_id !== candidate.submitter_owner_id &&
      sameText(g.agent, candidate.agent) &&
      (g.agent_name === null ||
        (candidate.agent_name !== null && sameText(g.agent_name, candidate.agent_name))) &&
      (g.environment === null || env === g.environment.toLowerCase()) &&
      compileGlob(g.type_pattern)(type)
    );
  });
  matching.sort(
    (a, b) =>
      a.expires_at.getTime() - b.expires_at.getTime() ||
      a.max_uses - a.uses - (b.max_uses - b.uses) ||
      (a.id < b.id ? -1 : 1),
  );
  return matching[0] ?? null;
}
