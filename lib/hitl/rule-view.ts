// The rule set as plain JSON for the rule viewer and `GET /api/hitl/risk-rules`, so that no
// caller re-reads or re-interprets the YAML.
import { describeFactTest, describeTextTest } from "./conditions";
import type {
  ApprovalPoliciesConfig,
  LevelConfig,
  NOTIFY_CHANNELS,
  Policies,
  RiskRulesConfig,
  WhenConfig,
} from "./config-schema";
import { type PermissionTable, permissionTable } from "./permissions";
import { orList } from "./text";
import { RISK_LEVELS, RISK_RANK, type RiskLevel, ROLE_RANK, ROLES, type Role } from "./types";

export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

export interface RuleSetView {
  version: string;
  defaults: { level: RiskLevel; auto_approve_low_risk: boolean; requires_approval: boolean };
  levels: {
    level: RiskLevel;
    rank: number;
    /** Effective: HITL_AUTO_APPROVE_LOW_RISK=false turns it off for low. */
    auto_approve: boolean;
    timeout_minutes: number;
    required_approvals: number;
    required_role: Role;
    requires_justification: boolean;
    notify: NotifyChannel[];
    score_base: number;
    band_from: number;
    expiry_outcome: LevelConfig["expiry_outcome"];
    auto_escalate_after: number | null;
    max_escalations: number;
  }[];
  /** In file order; `conditions` are the `when` entries in words, all of which must hold. */
  rules: { id: string; level: RiskLevel; reason: string; conditions: string[]; when: WhenConfig }[];
  /** `conditions`: any one of them makes the modifier fire. */
  modifiers: { id: string; add: number; reason: string; conditions: string[] }[];
  internal_domains: string[];
  roles: ({ role: Role; rank: number } & Policies[Role])[];
  /** Role × permission → the levels at which it is held (see `can`). */
  permissions: PermissionTable;
}

export interface ViewDefaults {
  defaultRiskLevel: RiskLevel;
  autoApproveLowRisk: boolean;
  defaultRequiresApproval: boolean;
}

/** Whether a level passes without a person, once the environment's switch is applied. */
export function autoApproves(level: RiskLevel, l: LevelConfig, opts: ViewDefaults): boolean {
  return l.auto_approve && (level !== "low" || opts.autoApproveLowRisk);
}

function describeWhen(when: WhenConfig, domains: readonly string[]): string[] {
  const out: string[] = [];
  if (when.type) out.push(`type matches ${orList(when.type)}`);
  if (when.operation) out.push(`operation is ${orList(when.operation)}`);
  if (when.environment) out.push(`environment is ${orList(when.environment)}`);
  if (when.resource_type) out.push(`resource type is ${orList(when.resource_type)}`);
  for (const t of when.facts ?? []) out.push(describeFactTest(t, domains));
  for (const t of when.text ?? []) out.push(describeTextTest(t));
  return out;
}

export function buildView(
  version: string,
  riskRules: RiskRulesConfig,
  policies: ApprovalPoliciesConfig,
  opts: ViewDefaults,
): RuleSetView {
  const domains = riskRules.internal_domains;
  return {
    version,
    defaults: {
      level: opts.defaultRiskLevel,
      auto_approve_low_risk: opts.autoApproveLowRisk,
      requires_approval: opts.defaultRequiresApproval,
    },
    levels: RISK_LEVELS.map((level) => {
      const l = riskRules.levels[level];
      return {
        level,
        rank: RISK_RANK[level],
        auto_approve: autoApproves(level, l, opts),
        timeout_minutes: l.timeout_minutes,
        required_approvals: l.required_approvals,
        required_role: l.required_role,
        requires_justification: l.requires_justification,
        notify: [...l.notify],
        score_base: l.score.base,
        band_from: l.score.band_from,
        expiry_outcome: l.expiry_outcome,
        auto_escalate_after: l.auto_escalate_after,
        max_escalations: l.max_escalations,
      };
    }),
    rules: riskRules.rules.map((r) => ({
      id: r.id,
      level: r.level,
      reason: r.reason,
      conditions: describeWhen(r.when, domains),
      when: structuredClone(r.when),
    })),
    modifiers: riskRules.modifiers.map((m) => ({
      id: m.id,
      add: m.add,
      reason: m.reason,
      conditions: m.when_any.map((t) => describeFactTest(t, domains)),
    })),
    internal_domains: [...domains],
    roles: ROLES.map((role) => ({
      role,
      rank: ROLE_RANK[role],
      ...structuredClone(policies.roles[role]),
    })),
    permissions: permissionTable(policies.roles),
  };
}
