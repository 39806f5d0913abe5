// The risk engine (SPEC §3.2): compiles the YAML rule set once, then assesses actions with
// no parsing, no regex construction and few allocations (SPEC §9: no dearer than JSON.parse).
//
// Rules are indexed so that an assessment only tests the rules that can hold: by operation,
// by type (the rules whose patterns match a given type are computed once per distinct type),
// and otherwise by the facts they need, so a rule about `estimated_cost` costs one array read
// for an action that has none.
import { canonicalJson, sha256Hex } from "./canonical";
import {
  type CompiledFactTest,
  compileFactTest,
  compileTemplate,
  compileTextTest,
  compileTypePatterns,
  compileValueList,
  FactSlots,
  type Predicate,
  type Template,
} from "./conditions";
import type {
  ApprovalPoliciesConfig,
  LevelConfig,
  ModifierConfig,
  Policies,
  RiskRulesConfig,
  RuleConfig,
} from "./config-schema";
import type { LowerMatcher } from "./glob";
import { autoApproves, buildView, type NotifyChannel, type RuleSetView } from "./rule-view";
import { type Action, RISK_LEVELS, RISK_RANK, type RiskLevel, type Role } from "./types";

export interface RuleSetOptions {
  /** Level of an action no rule matches (HITL_DEFAULT_RISK_LEVEL). */
  defaultRiskLevel?: RiskLevel;
  /** Whether low-risk actions pass without a person (HITL_AUTO_APPROVE_LOW_RISK). */
  autoApproveLowRisk?: boolean;
  /** Whether an action no rule matches waits for approval (HITL_DEFAULT_REQUIRES_APPROVAL). */
  defaultRequiresApproval?: boolean;
}

export interface Assessment {
  level: RiskLevel;
  /** 0..1, in steps of 0.001. */
  score: number;
  requires_approval: boolean;
  /** Why, in sentences a reviewer reads: each rule and modifier that fired, and any default. */
  reasons: string[];
  /** Ids of the rules that fired (highest level first), then of the modifiers. */
  matched_rules: string[];
  timeout_minutes: number;
  required_approvals: number;
  required_role: Role;
  requires_justification: boolean;
  notify: readonly NotifyChannel[];
  rule_set_version: string;
}

interface CompiledRule {
  readonly id: string;
  readonly level: RiskLevel;
  readonly rank: number;
  /** Position in the file: matched rules of one level keep the author's order. */
  readonly order: number;
  /** The rule's conditions, except the one it was selected by (operation or type). */
  readonly test: Predicate;
  /** Slots of which one must hold a fact for the rule to hold at all; null: always test. */
  readonly gate: readonly number[] | null;
  readonly reason: Template;
}

interface CompiledModifier {
  readonly id: string;
  readonly add: number;
  readonly test: Predicate;
  readonly gate: readonly number[] | null;
  /** The reason with the modifier's contribution, e.g. "Bulk operation (+0.2)". */
  readonly reason: Template;
}

interface FactGroup {
  /** Slots of which one must hold a fact for any rule of the group to hold; null: always test. */
  readonly gate: readonly number[] | null;
  readonly rules: readonly CompiledRule[];
}

interface TypeEntry {
  readonly lower: string;
  /** The type-selected rules whose patterns match this type. */
  readonly rules: readonly CompiledRule[];
}

// Agents use a small vocabulary of types; the bounds only stop a hostile agent from growing
// the memo without end.
const TYPE_MEMO_ENTRIES = 4096;
const TYPE_MEMO_KEY_LENGTH = 256;

interface Engine {
  readonly slots: FactSlots;
  /** Rules with an operation condition, under each operation they name. */
  readonly byOperation: ReadonlyMap<string, readonly CompiledRule[]>;
  /** Rules with a type condition and no operation condition. */
  readonly byType: readonly { readonly match: LowerMatcher; readonly rule: CompiledRule }[];
  /** Memo of the type-selected rules per raw type; a cache, not state: results never differ. */
  readonly typeMemo: Map<string, TypeEntry>;
  /**
   * Rules with neither: selected by the facts they need, grouped by them, so that the twenty
   * rules about a shell command cost one look for an action that has no command.
   */
  readonly byFacts: readonly FactGroup[];
  readonly modifiers: readonly CompiledModifier[];
  /** Scores are summed in thousandths so that 0.5 + 0.2 lands exactly on the 0.7 band edge. */
  readonly base: Readonly<Record<RiskLevel, number>>;
  readonly defaultRank: number;
  /** The bands above the lowest, highest first; a score below them all is the lowest level. */
  readonly bandsHighFirst: readonly { level: RiskLevel; rank: number; from: number }[];
}

export interface RuleSet {
  /** Stable hash of the normalized configuration and options; approvals record it. */
  readonly version: string;
  readonly levels: Readonly<Record<RiskLevel, LevelConfig>>;
  readonly policies: Policies;
  readonly options: Readonly<Required<RuleSetOptions>>;
  /** Everything a rule viewer or `GET /api/hitl/risk-rules` shows, as plain JSON. */
  readonly view: RuleSetView;
  readonly engine: Engine;
}

export interface RuleSetIssue {
  /** The file, or the environment for the HITL_* overrides. */
  file: "risk-rules" | "approval-policies" | "environment";
  path: (string | number)[];
  message: string;
}

/** Each file is valid on its own, but together they contradict each other. */
export class RuleSetError extends Error {
  override name = "RuleSetError";
  constructor(readonly issues: RuleSetIssue[]) {
    super(issues.map((i) => `${i.file}: ${i.path.join(".")}: ${i.message}`).join("\n"));
  }
}

const permille = (x: number) => Math.round(x * 1000);

export function compileRuleSet(
  riskRules: RiskRulesConfig,
  policies: ApprovalPoliciesConfig,
  options: RuleSetOptions = {},
): RuleSet {
  const opts: Required<RuleSetOptions> = {
    defaultRiskLevel: options.defaultRiskLevel ?? "medium",
    autoApproveLowRisk: options.autoApproveLowRisk ?? true,
    defaultRequiresApproval: options.defaultRequiresApproval ?? true,
  };
  checkConsistency(riskRules, policies, opts);
  const domains = riskRules.internal_domains;
  const version = sha256Hex(canonicalJson({ riskRules, policies, options: opts })).slice(0, 16);

  const slots = new FactSlots();
  const byOperation = new Map<string, CompiledRule[]>();
  const byType: { match: LowerMatcher; rule: CompiledRule }[] = [];
  const byFacts = new Map<string, { gate: readonly number[] | null; rules: CompiledRule[] }>();
  riskRules.rules.forEach((config, order) => {
    const { operation, type } = config.when;
    const rule = compileRule(config, order, slots, domains, operation !== undefined);
    if (operation !== undefined) {
      for (const op of new Set(operation.map((o) => o.toLowerCase()))) {
        const bucket = byOperation.get(op);
        if (bucket === undefined) byOperation.set(op, [rule]);
        else bucket.push(rule);
      }
    } else if (type !== undefined) {
      byType.push({ match: compileTypePatterns(type), rule });
    } else {
      const key = rule.gate === null ? "" : rule.gate.join(",");
      const group = byFacts.get(key);
      if (group === undefined) byFacts.set(key, { gate: rule.gate, rules: [rule] });
      else group.rules.push(rule);
    }
  });

  const engine: Engine = {
    slots,
    byOperation,
    byType,
    typeMemo: new Map(),
    byFacts: [...byFacts.values()],
    modifiers: riskRules.modifiers.map((m) => compileModifier(m, slots, domains)),
    base: {
      low: permille(riskRules.levels.low.score.base),
      medium: permille(riskRules.levels.medium.score.base),
      high: permille(riskRules.levels.high.score.base),
      critical: permille(riskRules.levels.critical.score.base),
    },
    defaultRank: RISK_RANK[opts.defaultRiskLevel],
    bandsHighFirst: RISK_LEVELS.slice(1)
      .reverse()
      .map((level) => ({
        level,
        rank: RISK_RANK[level],
        from: permille(riskRules.levels[level].score.band_from),
      })),
  };
  return {
    version,
    levels: riskRules.levels,
    policies: policies.roles,
    options: opts,
    view: buildView(version, riskRules, policies, opts),
    engine,
  };
}

/**
 * A level whose required role cannot approve it could never be decided; and nothing may let
 * a critical action through unreviewed.
 */
function checkConsistency(
  riskRules: RiskRulesConfig,
  policies: ApprovalPoliciesConfig,
  opts: Required<RuleSetOptions>,
) {
  const issues: RuleSetIssue[] = [];
  if (opts.defaultRiskLevel === "critical" && !opts.defaultRequiresApproval) {
    issues.push({
      file: "environment",
      path: ["HITL_DEFAULT_REQUIRES_APPROVAL"],
      message:
        "must be true when HITL_DEFAULT_RISK_LEVEL is critical: critical actions are never approved automatically",
    });
  }
  for (const level of RISK_LEVELS) {
    const role = riskRules.levels[level].required_role;
    if (!policies.roles[role].can_approve.includes(level)) {
      issues.push({
        file: "risk-rules",
        path: ["levels", level, "required_role"],
        message: `${role} cannot approve ${level} requests (approval-policies.yaml: roles.${role}.can_approve)`,
      });
    }
  }
  if (issues.length > 0) throw new RuleSetError(issues);
}

function compileRule(
  rule: RuleConfig,
  order: number,
  slots: FactSlots,
  domains: readonly string[],
  indexedByOperation: boolean,
): CompiledRule {
  const { when } = rule;
  const facts = (when.facts ?? []).map((t) => compileFactTest(t, slots, domains));
  const texts = (when.text ?? []).map((t) => ({
    input: t.input,
    compiled: compileTextTest(t, slots),
  }));
  // Cheapest first: a set lookup rejects most actions before any pattern or fact is looked at,
  // and text, which is read character by character, comes last.
  const predicates: Predicate[] = [];
  if (when.environment) predicates.push(compileValueList(when.environment, (s) => s.environment));
  if (when.resource_type) {
    predicates.push(compileValueList(when.resource_type, (s) => s.resourceType));
  }
  if (when.type && indexedByOperation) {
    const match = compileTypePatterns(when.type);
    predicates.push((s) => match(s.type));
  }
  for (const f of facts) predicates.push(f.test);
  for (const t of texts) predicates.push(t.compiled.test);
  return {
    id: rule.id,
    level: rule.level,
    rank: RISK_RANK[rule.level],
    order,
    test: allOf(predicates),
    // Every condition must hold, so one fact or text test that needs a fact is enough of a
    // gate (a text test needs one of its inputs).
    gate: facts.find((f) => f.needsFact)?.slots ?? texts[0]?.compiled.slots ?? null,
    reason: compileTemplate(rule.reason, when.facts ?? [], slots, texts),
  };
}

function allOf(predicates: readonly Predicate[]): Predicate {
  const [first, second] = predicates;
  if (first === undefined) return () => true;
  if (second === undefined) return first;
  if (predicates.length === 2) return (s) => first(s) && second(s);
  return (s) => {
    for (const p of predicates) if (!p(s)) return false;
    return true;
  };
}

function compileModifier(
  m: ModifierConfig,
  slots: FactSlots,
  domains: readonly string[],
): CompiledModifier {
  const tests: CompiledFactTest[] = m.when_any.map((t) => compileFactTest(t, slots, domains));
  // Any one test firing is enough, so the gate is the union of their facts, unless one of
  // them can hold with no fact given at all.
  const gate = tests.every((t) => t.needsFact) ? tests.flatMap((t) => t.slots) : null;
  return {
    id: m.id,
    add: permille(m.add),
    test: (s) => {
      for (const t of tests) if (t.test(s)) return true;
      return false;
    },
    gate,
    reason: withSuffix(compileTemplate(m.reason, m.when_any, slots), ` (+${m.add})`),
  };
}

function withSuffix(template: Template, suffix: string): Template {
  return typeof template === "string" ? template + suffix : (s) => template(s) + suffix;
}

function typeEntry(e: Engine, type: unknown): TypeEntry {
  const raw = typeof type === "string" ? type : "";
  const known = e.typeMemo.get(raw);
  if (known !== undefined) return known;
  const lower = raw.toLowerCase();
  const entry: TypeEntry = {
    lower,
    rules: e.byType.filter((t) => t.match(lower)).map((t) => t.rule),
  };
  if (raw.length <= TYPE_MEMO_KEY_LENGTH) {
    if (e.typeMemo.size >= TYPE_MEMO_ENTRIES) e.typeMemo.clear();
    e.typeMemo.set(raw, entry);
  }
  return entry;
}

function gateOpen(gate: readonly number[] | null, facts: readonly unknown[]): boolean {
  if (gate === null) return true;
  for (const slot of gate) if (facts[slot] !== undefined) return true;
  return false;
}

/** Assess an action against a compiled rule set. */
export function assess(ruleSet: RuleSet, action: Action): Assessment {
  const e = ruleSet.engine;
  const opts = ruleSet.options;
  const typed = typeEntry(e, action.type);
  const s = e.slots.toSubject(action, typed.lower);

  const matched: CompiledRule[] = [];
  const byOperation = e.byOperation.get(s.operation);
  if (byOperation !== undefined) {
    for (const r of byOperation) if (r.test(s)) matched.push(r);
  }
  for (const r of typed.rules) if (r.test(s)) matched.push(r);
  for (const group of e.byFacts) {
    if (!gateOpen(group.gate, s.facts)) continue;
    for (const r of group.rules) if (r.test(s)) matched.push(r);
  }

  let ruleLevel = opts.defaultRiskLevel;
  let ruleRank = e.defaultRank;
  const reasons: string[] = [];
  const ids: string[] = [];
  if (matched.length === 0) {
    reasons.push(`No rule matched; an unmatched action is ${ruleLevel} by default`);
  } else {
    if (matched.length > 1) matched.sort(byRankThenOrder);
    const top = matched[0] as CompiledRule;
    ruleLevel = top.level;
    ruleRank = top.rank;
    for (const r of matched) {
      ids.push(r.id);
      reasons.push(typeof r.reason === "string" ? r.reason : r.reason(s));
    }
  }

  let score = e.base[ruleLevel];
  for (const m of e.modifiers) {
    if (!gateOpen(m.gate, s.facts) || !m.test(s)) continue;
    score += m.add;
    ids.push(m.id);
    reasons.push(typeof m.reason === "string" ? m.reason : m.reason(s));
  }
  if (score > 1000) score = 1000;

  let level = ruleLevel;
  const band = bandOf(e, score);
  if (band !== undefined && band.rank > ruleRank) {
    level = band.level;
    reasons.push(
      `Score ${score / 1000} is in the ${level} band, which raises ${ruleLevel} to ${level}`,
    );
  }

  const policy = ruleSet.levels[level];
  // Critical always waits for people, whatever the configuration says (it is also refused at
  // load): the last line of defence of fail-closed.
  const requiresApproval =
    level === "critical" ||
    (matched.length === 0 && level === opts.defaultRiskLevel
      ? opts.defaultRequiresApproval
      : !autoApproves(level, policy, opts));
  return {
    level,
    score: score / 1000,
    requires_approval: requiresApproval,
    reasons,
    matched_rules: ids,
    timeout_minutes: policy.timeout_minutes,
    required_approvals: policy.required_approvals,
    required_role: policy.required_role,
    requires_justification: policy.requires_justification,
    notify: policy.notify,
    rule_set_version: ruleSet.version,
  };
}

function bandOf(e: Engine, score: number): Engine["bandsHighFirst"][number] | undefined {
  for (const b of e.bandsHighFirst) if (score >= b.from) return b;
  return undefined;
}

function byRankThenOrder(a: CompiledRule, b: CompiledRule): number {
  return b.rank - a.rank || a.order - b.order;
}
