// Who may do what (SPEC §3.3): one permissions table built from approval-policies.yaml.
import type { Policies } from "./config-schema";
import { RISK_LEVELS, type RiskLevel, ROLES, type Role } from "./types";

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
