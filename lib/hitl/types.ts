// The vocabulary of the domain core: levels, roles, statuses and the action an agent submits.

/** Risk levels, lowest first. Compare them with `RISK_RANK`, never alphabetically. */
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const RISK_RANK: Readonly<Record<RiskLevel, number>> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
};

/** Roles, least privileged first: `viewer` reads, the others review. */
export const ROLES = ["viewer", "developer", "tech_lead", "devops_engineer"] as const;
export type Role = (typeof ROLES)[number];
/** A role as a sentence says it: "tech lead", not "tech_lead". */
export function roleWords(role: string): string {
  return role.replaceAll("_", " ");
}

export const ROLE_RANK: Readonly<Record<Role, number>> = {
  viewer: 0,
  developer: 1,
  tech_lead: 2,
  devops_engineer: 3,
};

export const REQUEST_STATUSES = [
  "pending",
  "escalated",
  "quarantined",
  "approved",
  "rejected",
  "expired",
  "cancelled",
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const OPEN_STATUSES = ["pending", "escalated", "quarantined"] as const;
export type OpenStatus = (typeof OPEN_STATUSES)[number];
export const CLOSED_STATUSES = ["approved", "rejected", "expired", "cancelled"] as const;
export type ClosedStatus = (typeof CLOSED_STATUSES)[number];

export function isOpenStatus(status: RequestStatus): status is OpenStatus {
  return status === "pending" || status === "escalated" || status === "quarantined";
}

/**
 * What an agent wants to do. `type` is a dotted name (`COMMUNICATION.SEND_EMAIL`) or a plain
 * verb (`deploy`); facts the rules read (`amount`, `estimated_cost`, ...) live in `inputs` or
 * `context`.
 */
export interface Action {
  type: string;
  operation?: string;
  environment?: string;
  resource_type?: string;
  description?: string;
  inputs?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

/** What an agent's own approval protocol accepts back (SPEC §5); rejection always stands. */
export const DECISIONS = ["approve", "edit", "reject"] as const;
export type Decision = (typeof DECISIONS)[number];

/** A grant is time-boxed and counted: at most a week and 10,000 uses. */
export const GRANT_LIMITS = { maxUses: 10_000, maxMinutes: 7 * 24 * 60 } as const;
