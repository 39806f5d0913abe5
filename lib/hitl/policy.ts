// Who may do what (SPEC §3.3): one permissions table built from approval-policies.yaml, and
// the per-request checks every entry point shares (server action, API, CLI).
import type { Policies } from "./config-schema";
import { type Approval, type ApprovalRequest, awaitedRole } from "./request";
import { RISK_LEVELS, type RiskLevel, ROLE_RANK, ROLES, type Role } from "./types";

export const PERMISSIONS = [
  "view",
  "claim",
  "approve",
  "reject",
  "escalate",
  "quarantine",
  "release",
  "grant",
  "manage_keys",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The level standing approvals never cover (SPEC §4.1). */
export const NEVER_GRANTED: RiskLevel = "critical";

/**
 * Whether `role` holds `permission`; for approve, reject, claim and grant, at `level` (or at
 * some level when none is given, e.g. to decide whether to show a button at all).
 */
export function can(
  policies: Policies,
  role: Role,
  permission: Permission,
  level?: RiskLevel,
): boolean {
  const p = policies[role];
  const atLevel = (levels: readonly RiskLevel[]) =>
    level === undefined ? levels.length > 0 : levels.includes(level);
  switch (permission) {
    case "view":
      return true;
    case "approve":
    case "reject":
      return atLevel(p.can_approve);
    case "claim":
      return p.max_claimed > 0 && atLevel(p.can_approve);
    case "grant":
      return p.can_grant && atLevel(p.can_approve.filter((l) => l !== NEVER_GRANTED));
    case "escalate":
      return p.escalate_to !== null;
    case "quarantine":
      return p.can_quarantine;
    case "release":
      return p.can_release;
    case "manage_keys":
      return p.can_manage_keys;
  }
}

/** For each role and permission, the levels at which it is held (every level, or none, for
 * the permissions that do not depend on one). Plain JSON, for the rule viewer. */
export type PermissionTable = Record<Role, Record<Permission, RiskLevel[]>>;

export function permissionTable(policies: Policies): PermissionTable {
  const row = (role: Role) =>
    Object.fromEntries(
      PERMISSIONS.map((p) => [p, RISK_LEVELS.filter((l) => can(policies, role, p, l))]),
    ) as Record<Permission, RiskLevel[]>;
  return Object.fromEntries(ROLES.map((r) => [r, row(r)])) as PermissionTable;
}

export interface Refusal {
  /** forbidden: never allowed for this actor; conflict: not in the request's current state;
   * invalid: the command itself is incomplete (a missing reason or justification). */
  code: "forbidden" | "conflict" | "invalid";
  message: string;
}

export interface Reviewer {
  id: string;
  /** The reviewer's role now, read from the user record at the moment of the decision. */
  role: Role;
}

type EligibilityRequest = Pick<
  ApprovalRequest,
  "risk_level" | "escalated_to" | "required_role" | "submitter_owner_id"
>;

/**
 * Why `reviewer` may not approve, reject or claim this request, or null if they may:
 * their role must approve its level, rank at least the role it waits for (its level's, or
 * the one it was escalated to), and they must not own the key that submitted it. Rejecting is
 * exempt from four-eyes: stopping one's own agent is always safe.
 */
export function eligibilityRefusal(
  policies: Policies,
  request: EligibilityRequest,
  reviewer: Reviewer,
  permission: "approve" | "reject" | "claim",
): Refusal | null {
  const { role } = reviewer;
  const level = request.risk_level;
  if (!can(policies, role, permission, level)) {
    return { code: "forbidden", message: `a ${role} may not ${permission} ${level}-risk requests` };
  }
  const needed = awaitedRole(request);
  if (ROLE_RANK[role] < ROLE_RANK[needed]) {
    const why = request.escalated_to === null ? `its level requires` : `it was escalated to`;
    return { code: "forbidden", message: `${why} ${needed} or above; you are ${role}` };
  }
  if (permission !== "reject" && request.submitter_owner_id === reviewer.id) {
    return {
      code: "forbidden",
      message: "you own the API key that submitted this request; someone else must review it",
    };
  }
  return null;
}

/**
 * The approvals that count now: given to the current content, by a role that approves the
 * level and ranks at least the awaited role, one per person (the first).
 */
export function countingApprovals(
  policies: Policies,
  request: Pick<
    ApprovalRequest,
    "risk_level" | "escalated_to" | "required_role" | "content_hash" | "approvals"
  >,
): Approval[] {
  const needed = ROLE_RANK[awaitedRole(request)];
  const seen = new Set<string>();
  return request.approvals.filter((a) => {
    if (a.content_hash !== request.content_hash || seen.has(a.approver_id)) return false;
    if (ROLE_RANK[a.role] < needed || !can(policies, a.role, "approve", request.risk_level)) {
      return false;
    }
    seen.add(a.approver_id);
    return true;
  });
}

export interface Quorum {
  have: number;
  need: number;
  met: boolean;
  /** Distinct people whose approvals count, in the order they approved. */
  approvers: string[];
}

export function quorum(
  policies: Policies,
  request: Pick<
    ApprovalRequest,
    | "risk_level"
    | "escalated_to"
    | "required_role"
    | "content_hash"
    | "approvals"
    | "required_approvals"
  >,
): Quorum {
  const approvers = countingApprovals(policies, request).map((a) => a.approver_id);
  const need = request.required_approvals;
  return { have: approvers.length, need, met: approvers.length >= need, approvers };
}

/** A justification is text with something in it, where the level requires one. */
export function justificationRefusal(
  request: Pick<ApprovalRequest, "requires_justification" | "risk_level">,
  justification: string | undefined,
): Refusal | null {
  if (!request.requires_justification || (justification ?? "").trim() !== "") return null;
  return {
    code: "invalid",
    message: `a justification is required to approve a ${request.risk_level}-risk request`,
  };
}

/** "Max claimed at once": `claimedCount` is how many open requests the reviewer holds now. */
export function claimLimitRefusal(
  policies: Policies,
  role: Role,
  claimedCount: number,
): Refusal | null {
  const max = policies[role].max_claimed;
  if (claimedCount < max) return null;
  return {
    code: "conflict",
    message: `you already hold ${claimedCount} claimed requests, the most a ${role} may hold at once (${max})`,
  };
}
