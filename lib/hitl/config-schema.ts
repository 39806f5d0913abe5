// The shape of config/hitl/risk-rules.yaml and config/hitl/approval-policies.yaml.
//
// Every default rule of the product is data in these files; this schema is the only place
// that decides what a rule may say. Messages are written for the person editing the YAML:
// the loader prefixes them with the file and the path of the offending node.
import { z } from "zod";
import { globProblem } from "./glob";
import { patternProblem, patternsProblem } from "./pattern";
import { orList } from "./text";
import { RISK_LEVELS, type RiskLevel, ROLE_RANK, ROLES } from "./types";

type RawIssue = z.core.$ZodRawIssue;

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value);
}

/** Type errors say what was expected and what was found; other issues keep zod's wording. */
function expecting(what: string) {
  return (iss: RawIssue) => {
    if (iss.code !== "invalid_type") return undefined;
    return iss.input === undefined ? "is required" : `expected ${what}, got ${show(iss.input)}`;
  };
}

function oneOf(what: string, values: readonly string[]) {
  const list = orList(values);
  return (iss: RawIssue) =>
    iss.input === undefined
      ? "is required"
      : `unknown ${what} ${show(iss.input)} (expected ${list})`;
}

/** A mapping that refuses keys it does not know, naming them. */
function mapping<T extends z.core.$ZodLooseShape>(shape: T, keyWord = "key") {
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "unrecognized_keys") {
        return `unknown ${keyWord}${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map(show).join(", ")}`;
      }
      return expecting("a mapping")(iss);
    },
  });
}

/** Config authors may write a single value where a list is expected. */
function listOf<T extends z.ZodType>(item: T, what: string) {
  return z.preprocess(
    (v) => (typeof v === "string" ? [v] : v),
    z.array(item, { error: expecting(`${what} or a list of them`) }).min(1, "must not be empty"),
  );
}

const bool = z.boolean({ error: expecting("true or false") });
const num = z.number({ error: expecting("a number") });
const int = (min: number, max: number) =>
  z
    .number({ error: expecting("an integer") })
    .int("expected an integer")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const share = num.min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");
const text = (max: number) =>
  z
    .string({ error: expecting("text") })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`);

export const riskLevelSchema = z.enum(RISK_LEVELS, { error: oneOf("level", RISK_LEVELS) });
export const roleSchema = z.enum(ROLES, { error: oneOf("role", ROLES) });

export const NOTIFY_CHANNELS = ["log", "webhook", "email", "slack"] as const;
export const EXPIRY_OUTCOMES = ["reject", "escalate"] as const;

const idSchema = z
  .string({ error: expecting("an id") })
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "an id is 1-64 lowercase letters, digits, _ . or -");

// A reason is read by a reviewer; `{name}` inserts the value of a fact or an action field.
const reasonSchema = text(300).refine(
  (s) => /^(?:[^{}]|\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\})*$/.test(s),
  "placeholders are written {name}, with a name of letters, digits and _ (or a dotted path of them)",
);

const globSchema = z.string({ error: expecting("a pattern") }).superRefine((pattern, ctx) => {
  const problem = globProblem(pattern);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem, input: pattern });
});

// Fact names are read straight off the agent's objects, so a name that every object inherits
// (`constructor`, `__proto__`, ...) would always look present. A dotted name is a path into
// nested objects (`mcp.annotations.destructiveHint`); one that starts with `inputs.` or
// `context.` reads that bag alone.
const factKeySchema = z
  .string({ error: expecting("a fact name") })
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}$/,
    "a fact name is letters, digits and _, or a dotted path of such names",
  )
  .refine(
    (k) => k.split(".").every((part) => !(part in Object.prototype)),
    "this name is reserved by JavaScript objects",
  );

const valueSchema = z
  .string({ error: expecting("text") })
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");

const NUMERIC_TESTS = ["gt", "gte", "lt", "lte"] as const;
const OTHER_TESTS = [
  "is",
  "in",
  "present",
  "count_gt",
  "severity_in",
  "external_recipient",
] as const;

/**
 * A test on facts the agent supplied in `inputs` or `context`. `fact` names one key or
 * several (`[amount, value, total]`): the test holds when any of them passes it. Exactly one
 * kind of test per entry; `or_unknown` makes a numeric test also hold when none of the keys
 * carries a number (fail safe: an unknown amount is treated as a large one).
 */
export const factTestSchema = mapping({
  fact: listOf(factKeySchema, "a fact name"),
  gt: num.optional(),
  gte: num.optional(),
  lt: num.optional(),
  lte: num.optional(),
  or_unknown: bool.optional(),
  is: bool.optional(),
  in: listOf(valueSchema, "a value").optional(),
  present: bool.optional(),
  count_gt: int(0, 1_000_000).optional(),
  severity_in: listOf(valueSchema, "a severity").optional(),
  external_recipient: z.literal(true, { error: "expected true" }).optional(),
}).superRefine((test, ctx) => {
  const numeric = NUMERIC_TESTS.filter((k) => test[k] !== undefined);
  const other = OTHER_TESTS.filter((k) => test[k] !== undefined);
  const kinds = other.length + (numeric.length > 0 ? 1 : 0);
  if (kinds !== 1) {
    ctx.addIssue({
      code: "custom",
      message:
        kinds === 0
          ? `needs one test: ${[...NUMERIC_TESTS, ...OTHER_TESTS].join(", ")}`
          : `has several kinds of test (${[...(numeric.length ? ["gt/gte/lt/lte"] : []), ...other].join(", ")}); use one per entry`,
    });
  }
  if (test.or_unknown !== undefined && numeric.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["or_unknown"],
      message: "only applies to a numeric test (gt, gte, lt, lte)",
    });
  }
});
export type FactTestConfig = z.output<typeof factTestSchema>;

const patternSchema = z.string({ error: expecting("a pattern") }).superRefine((pattern, ctx) => {
  const problem = patternProblem(pattern);
  if (problem !== null) ctx.addIssue({ code: "custom", message: problem, input: pattern });
});

/**
 * A test on the text of facts the agent supplied (a shell command, a SQL statement), read like
 * a fact (`inputs` first, then `context`): holds when any of the RE2 patterns matches anywhere
 * in the text of any of the named inputs. Compiled here, so an invalid pattern stops start-up.
 */
export const textTestSchema = mapping({
  input: listOf(factKeySchema, "an input name"),
  matches: listOf(patternSchema, "a pattern"),
}).superRefine((test, ctx) => {
  // Each pattern's own problem is reported at the pattern; this is about valid ones together.
  if (test.matches.some((p) => patternProblem(p) !== null)) return;
  const problem = patternsProblem(test.matches);
  if (problem !== null) ctx.addIssue({ code: "custom", path: ["matches"], message: problem });
});
export type TextTestConfig = z.output<typeof textTestSchema>;

const whenSchema = mapping({
  type: listOf(globSchema, "a pattern").optional(),
  operation: listOf(valueSchema, "a value").optional(),
  environment: listOf(valueSchema, "a value").optional(),
  resource_type: listOf(valueSchema, "a value").optional(),
  facts: z
    .array(factTestSchema, { error: expecting("a list of fact tests") })
    .min(1)
    .optional(),
  text: z
    .array(textTestSchema, { error: expecting("a list of text tests") })
    .min(1)
    .optional(),
}).refine(
  (w) => Object.values(w).some((v) => v !== undefined),
  "a rule needs at least one condition (type, operation, environment, resource_type, facts or text)",
);
export type WhenConfig = z.output<typeof whenSchema>;

export const ruleSchema = mapping({
  id: idSchema,
  level: riskLevelSchema,
  reason: reasonSchema,
  when: whenSchema,
});
export type RuleConfig = z.output<typeof ruleSchema>;

export const modifierSchema = mapping({
  id: idSchema,
  add: num.min(0, "must be between 0 and 1").max(1, "must be between 0 and 1"),
  reason: reasonSchema,
  when_any: z.array(factTestSchema, { error: expecting("a list of fact tests") }).min(1),
});
export type ModifierConfig = z.output<typeof modifierSchema>;

const levelSchema = mapping({
  auto_approve: bool,
  timeout_minutes: int(1, 10_080),
  required_approvals: int(1, 10),
  required_role: roleSchema.refine((r) => r !== "viewer", "viewer is read-only and cannot approve"),
  requires_justification: bool.default(false),
  notify: z
    .array(z.enum(NOTIFY_CHANNELS, { error: oneOf("channel", NOTIFY_CHANNELS) }), {
      error: expecting("a list of channels"),
    })
    .refine((a) => new Set(a).size === a.length, "lists a channel twice")
    .default(["log"]),
  // Where the slack channel posts this level's requests (a channel id or #name); without
  // it, SLACK_CHANNEL.
  slack_channel: z
    .string({ error: expecting("a Slack channel") })
    .regex(/^#?[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/, "expected a channel id (C0123…) or #name")
    .optional(),
  score: mapping({ base: share, band_from: share }),
  // What expiry does: fail closed at once, or first hand the request up with a fresh timeout.
  expiry_outcome: z
    .enum(EXPIRY_OUTCOMES, { error: oneOf("outcome", EXPIRY_OUTCOMES) })
    .default("reject"),
  // Share of the timeout after which an undecided request escalates by itself; null: never.
  auto_escalate_after: num
    .gt(0, "must be above 0 and below 1")
    .lt(1, "must be above 0 and below 1")
    .nullable()
    .default(0.5),
  max_escalations: int(0, 5).default(1),
});
export type LevelConfig = z.output<typeof levelSchema>;

const domainSchema = z
  .string({ error: expecting("a domain") })
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, "not a domain name");

export const riskRulesSchema = mapping({
  version: z.literal(1, { error: "must be 1" }),
  levels: mapping(
    {
      low: levelSchema,
      medium: levelSchema,
      high: levelSchema,
      critical: levelSchema,
    },
    "level",
  ),
  internal_domains: z.array(domainSchema, { error: expecting("a list of domains") }).default([]),
  rules: z.array(ruleSchema, { error: expecting("a list of rules") }),
  modifiers: z.array(modifierSchema, { error: expecting("a list of modifiers") }).default([]),
}).superRefine((cfg, ctx) => {
  checkBands(cfg.levels, ctx);
  if (cfg.levels.critical.auto_approve) {
    ctx.addIssue({
      code: "custom",
      path: ["levels", "critical", "auto_approve"],
      message: "critical actions are never approved automatically; set it to false",
    });
  }
  const seen = new Map<string, string>();
  const claim = (id: string, path: (string | number)[]) => {
    const other = seen.get(id);
    if (other !== undefined) {
      ctx.addIssue({
        code: "custom",
        path,
        message: `id ${JSON.stringify(id)} is already used by ${other}`,
      });
    } else {
      seen.set(id, `${path[0]}[${path[1]}]`);
    }
  };
  for (const [i, r] of cfg.rules.entries()) claim(r.id, ["rules", i, "id"]);
  for (const [i, m] of cfg.modifiers.entries()) claim(m.id, ["modifiers", i, "id"]);
});
export type RiskRulesConfig = z.output<typeof riskRulesSchema>;

/** Bands partition 0..1 in rank order, and each level's base score lies in its own band. */
function checkBands(levels: Record<RiskLevel, LevelConfig>, ctx: z.RefinementCtx) {
  const first = levels[RISK_LEVELS[0]].score.band_from;
  if (first !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["levels", RISK_LEVELS[0], "score", "band_from"],
      message: "the lowest level's band must start at 0",
    });
  }
  RISK_LEVELS.forEach((level, i) => {
    const { base, band_from } = levels[level].score;
    const next = RISK_LEVELS[i + 1];
    const prev = RISK_LEVELS[i - 1];
    if (prev !== undefined && band_from <= levels[prev].score.band_from) {
      ctx.addIssue({
        code: "custom",
        path: ["levels", level, "score", "band_from"],
        message: `bands must increase with the level: ${level} starts at ${band_from}, not above ${prev} (${levels[prev].score.band_from})`,
      });
    }
    const upper = next === undefined ? Number.POSITIVE_INFINITY : levels[next].score.band_from;
    if (base < band_from || base >= upper) {
      ctx.addIssue({
        code: "custom",
        path: ["levels", level, "score", "base"],
        message: `must lie in the ${level} band (from ${band_from}${next ? ` to below ${upper}` : ""})`,
      });
    }
  });
}

const roleEntrySchema = mapping({
  can_approve: z
    .array(riskLevelSchema, { error: expecting("a list of levels") })
    .refine((a) => new Set(a).size === a.length, "lists a level twice")
    .default([]),
  // The role a holder of this role hands a request up to; null: cannot escalate.
  escalate_to: roleSchema.nullable().default(null),
  can_quarantine: bool.default(false),
  can_release: bool.default(false),
  can_grant: bool.default(false),
  can_manage_keys: bool.default(false),
  max_claimed: int(0, 1000).default(0),
});
export type RolePolicy = z.output<typeof roleEntrySchema>;

export const approvalPoliciesSchema = mapping({
  version: z.literal(1, { error: "must be 1" }),
  roles: mapping(
    {
      viewer: roleEntrySchema,
      developer: roleEntrySchema,
      tech_lead: roleEntrySchema,
      devops_engineer: roleEntrySchema,
    },
    "role",
  ),
}).superRefine((cfg, ctx) => {
  for (const role of ROLES) {
    const target = cfg.roles[role].escalate_to;
    if (target !== null && ROLE_RANK[target] <= ROLE_RANK[role]) {
      ctx.addIssue({
        code: "custom",
        path: ["roles", role, "escalate_to"],
        message: `must be a role above ${role}`,
      });
    }
  }
});
export type ApprovalPoliciesConfig = z.output<typeof approvalPoliciesSchema>;
export type Policies = ApprovalPoliciesConfig["roles"];
