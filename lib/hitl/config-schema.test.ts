import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { applyEdits, DELETE, type Edit, readShipped } from "@/test-support/config";
import { approvalPoliciesSchema, riskRulesSchema } from "./config-schema";

const read = readShipped;
const edit = (tree: unknown, path: string, value: unknown) => applyEdits(tree, [[path, value]]);

function issues(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value);
  return result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

function issuesAfter(file: string, schema: z.ZodType, edits: Edit[]) {
  return issues(schema, applyEdits(read(file), edits));
}

const shipped = riskRulesSchema.parse(read("risk-rules.yaml"));
/** The path of a shipped rule, by id, so the table survives rules being added. */
const rule = (id: string) => `rules.${shipped.rules.findIndex((r) => r.id === id)}`;

describe("the shipped configuration", () => {
  it("is valid", () => {
    expect(issues(riskRulesSchema, read("risk-rules.yaml"))).toEqual([]);
    expect(issues(approvalPoliciesSchema, read("approval-policies.yaml"))).toEqual([]);
  });

  it("normalizes single values to lists and fills defaults", () => {
    const tree = read("risk-rules.yaml");
    edit(tree, "rules.0.when.operation", "delete");
    edit(tree, "levels.low.expiry_outcome", DELETE);
    edit(tree, "levels.low.notify", DELETE);
    const parsed = riskRulesSchema.parse(tree);
    expect(parsed.rules[0]?.when.operation).toEqual(["delete"]);
    expect(parsed.levels.low.expiry_outcome).toBe("reject");
    expect(parsed.levels.low.notify).toEqual(["log"]);
  });

  it("lowercases internal domains", () => {
    const tree = read("risk-rules.yaml");
    edit(tree, "internal_domains", ["Corp.Example"]);
    expect(riskRulesSchema.parse(tree).internal_domains).toEqual(["corp.example"]);
  });

  it("accepts a disabled auto-escalation", () => {
    const found = issuesAfter("risk-rules.yaml", riskRulesSchema, [
      ["levels.low.auto_escalate_after", null],
    ]);
    expect(found).toEqual([]);
  });
});

const closedDeal = rule("closed-deal");
const shellDelete = rule("shell-recursive-delete");

describe("risk-rules.yaml refusals name the path and the problem", () => {
  it.each<[string, Edit[], string, string]>([
    ["a missing level", [["levels.critical", DELETE]], "levels.critical", "is required"],
    ["an unknown level key", [["levels.urgent", {}]], "levels", 'unknown level "urgent"'],
    [
      "an unknown rule level",
      [["rules.0.level", "severe"]],
      "rules.0.level",
      'unknown level "severe" (expected low, medium, high or critical)',
    ],
    ["a missing rule level", [["rules.2.level", DELETE]], "rules.2.level", "is required"],
    [
      "an unknown role",
      [["levels.high.required_role", "admin"]],
      "levels.high.required_role",
      'unknown role "admin" (expected viewer, developer, tech_lead or devops_engineer)',
    ],
    [
      "a read-only required role",
      [["levels.low.required_role", "viewer"]],
      "levels.low.required_role",
      "viewer is read-only and cannot approve",
    ],
    [
      "a glob with a class",
      [[`${rule("high-value-financial")}.when.type`, ["*PAY[MENT*"]]],
      `${rule("high-value-financial")}.when.type.0`,
      'unsupported character "[" at position 5 (character classes are not supported)',
    ],
    [
      "a glob written as a single bad value",
      [[`${rule("analysis")}.when.type`, "ANALYSIS *"]],
      `${rule("analysis")}.when.type.0`,
      'unsupported character " " at position 9',
    ],
    [
      "an empty glob",
      [[`${rule("analysis")}.when.type`, ["ANALYSIS.*", ""]]],
      `${rule("analysis")}.when.type.1`,
      "a pattern must not be empty",
    ],
    [
      "an empty list",
      [["rules.0.when.operation", []]],
      "rules.0.when.operation",
      "must not be empty",
    ],
    [
      "a string timeout",
      [["levels.critical.timeout_minutes", "two hours"]],
      "levels.critical.timeout_minutes",
      'expected an integer, got "two hours"',
    ],
    [
      "a fractional timeout",
      [["levels.critical.timeout_minutes", 1.5]],
      "levels.critical.timeout_minutes",
      "expected an integer",
    ],
    [
      "a zero timeout",
      [["levels.low.timeout_minutes", 0]],
      "levels.low.timeout_minutes",
      "must be at least 1",
    ],
    [
      "a mapping where a boolean belongs",
      [["levels.low.auto_approve", { yes: 1 }]],
      "levels.low.auto_approve",
      "expected true or false, got a mapping",
    ],
    [
      "a list where a mapping belongs",
      [["levels", []]],
      "levels",
      "expected a mapping, got a list",
    ],
    ["null levels", [["levels", null]], "levels", "expected a mapping, got null"],
    [
      "bands that do not increase",
      [["levels.medium.score", { base: 0.8, band_from: 0.75 }]],
      "levels.high.score.band_from",
      "bands must increase with the level: high starts at 0.7, not above medium (0.75)",
    ],
    [
      "a base outside its band",
      [["levels.high.score.base", 0.95]],
      "levels.high.score.base",
      "must lie in the high band (from 0.7 to below 0.92)",
    ],
    [
      "a critical base below its band",
      [["levels.critical.score.base", 0.9]],
      "levels.critical.score.base",
      "must lie in the critical band (from 0.92)",
    ],
    [
      "a lowest band not at 0",
      [["levels.low.score.band_from", 0.1]],
      "levels.low.score.band_from",
      "the lowest level's band must start at 0",
    ],
    [
      "a score above 1",
      [["levels.critical.score.base", 1.2]],
      "levels.critical.score.base",
      "between 0 and 1",
    ],
    [
      "an unknown channel",
      [["levels.low.notify", ["pager"]]],
      "levels.low.notify.0",
      'unknown channel "pager"',
    ],
    [
      "a channel twice",
      [["levels.low.notify", ["log", "log"]]],
      "levels.low.notify",
      "lists a channel twice",
    ],
    [
      "an unknown expiry outcome",
      [["levels.low.expiry_outcome", "approve"]],
      "levels.low.expiry_outcome",
      'unknown outcome "approve" (expected reject or escalate)',
    ],
    [
      "an escalation share of 1",
      [["levels.low.auto_escalate_after", 1]],
      "levels.low.auto_escalate_after",
      "must be above 0 and below 1",
    ],
    [
      "too many escalations",
      [["levels.low.max_escalations", 9]],
      "levels.low.max_escalations",
      "at most 5",
    ],
    [
      "a duplicate id",
      [["rules.1.id", "production-delete"]],
      "rules.1.id",
      'id "production-delete" is already used by rules[0]',
    ],
    [
      "a modifier reusing a rule id",
      [["modifiers.0.id", "analysis"]],
      "modifiers.0.id",
      `id "analysis" is already used by ${rule("analysis").replace(".", "[")}]`,
    ],
    ["a bad id", [["rules.0.id", "Prod Delete"]], "rules.0.id", "an id is 1-64 lowercase letters"],
    ["an unknown key in a rule", [["rules.0.severity", "x"]], "rules.0", 'unknown key "severity"'],
    [
      "two unknown keys",
      [
        ["rules.0.a", 1],
        ["rules.0.b", 2],
      ],
      "rules.0",
      'unknown keys "a", "b"',
    ],
    [
      "an empty when",
      [["rules.0.when", {}]],
      "rules.0.when",
      "a rule needs at least one condition",
    ],
    [
      "a fact test without a test",
      [[`${closedDeal}.when.facts`, [{ fact: "deal_stage" }]]],
      `${closedDeal}.when.facts.0`,
      "needs one test: gt, gte, lt, lte, is, in, present, count_gt, severity_in, external_recipient",
    ],
    [
      "a fact test with two kinds",
      [[`${closedDeal}.when.facts`, [{ fact: "x", is: true, gt: 1 }]]],
      `${closedDeal}.when.facts.0`,
      "has several kinds of test (gt/gte/lt/lte, is); use one per entry",
    ],
    [
      "a fact test with two kinds, neither numeric",
      [[`${closedDeal}.when.facts`, [{ fact: "x", is: true, present: true }]]],
      `${closedDeal}.when.facts.0`,
      "has several kinds of test (is, present); use one per entry",
    ],
    [
      "or_unknown without a bound",
      [[`${closedDeal}.when.facts`, [{ fact: "x", is: true, or_unknown: true }]]],
      `${closedDeal}.when.facts.0.or_unknown`,
      "only applies to a numeric test",
    ],
    [
      "a reserved fact name",
      [[`${closedDeal}.when.facts`, [{ fact: "constructor", present: true }]]],
      `${closedDeal}.when.facts.0.fact.0`,
      "reserved by JavaScript objects",
    ],
    [
      "a fact name with an empty step",
      [[`${closedDeal}.when.facts`, [{ fact: "deal..stage", present: true }]]],
      `${closedDeal}.when.facts.0.fact.0`,
      "a fact name is letters, digits and _, or a dotted path of such names",
    ],
    [
      "a fact name with a dash",
      [[`${closedDeal}.when.facts`, [{ fact: "deal-stage", present: true }]]],
      `${closedDeal}.when.facts.0.fact.0`,
      "a fact name is letters, digits and _",
    ],
    [
      "a reserved step of a dotted fact name",
      [[`${closedDeal}.when.facts`, [{ fact: "mcp.__proto__.x", present: true }]]],
      `${closedDeal}.when.facts.0.fact.0`,
      "reserved by JavaScript objects",
    ],
    [
      "an invalid text pattern",
      [[`${shellDelete}.when.text`, [{ input: "command", matches: ["rm", "rm(?!dir)"] }]]],
      `${shellDelete}.when.text.0.matches.1`,
      "not a valid RE2 pattern: error parsing regexp: invalid or unsupported Perl syntax: `(?!`",
    ],
    [
      "a text pattern that is not text",
      [[`${shellDelete}.when.text`, [{ input: "command", matches: [3] }]]],
      `${shellDelete}.when.text.0.matches.0`,
      "expected a pattern, got 3",
    ],
    [
      "an empty text pattern",
      [[`${shellDelete}.when.text`, [{ input: "command", matches: "" }]]],
      `${shellDelete}.when.text.0.matches.0`,
      "a pattern must not be empty",
    ],
    [
      "a text pattern too long",
      [[`${shellDelete}.when.text`, [{ input: "command", matches: "a".repeat(1001) }]]],
      `${shellDelete}.when.text.0.matches.0`,
      "a pattern must be at most 1000 characters",
    ],
    [
      "a text test without patterns",
      [[`${shellDelete}.when.text`, [{ input: "command" }]]],
      `${shellDelete}.when.text.0.matches`,
      "is required",
    ],
    [
      "a text test without an input",
      [[`${shellDelete}.when.text`, [{ matches: "rm" }]]],
      `${shellDelete}.when.text.0.input`,
      "is required",
    ],
    [
      "an unknown key in a text test",
      [[`${shellDelete}.when.text`, [{ input: "command", matches: "rm", pattern: "x" }]]],
      `${shellDelete}.when.text.0`,
      'unknown key "pattern"',
    ],
    [
      "an empty list of text tests",
      [[`${shellDelete}.when.text`, []]],
      `${shellDelete}.when.text`,
      ">=1",
    ],
    [
      "a placeholder with an empty step",
      [["rules.0.reason", "Runs {command..x}"]],
      "rules.0.reason",
      "placeholders are written {name}",
    ],
    [
      "external_recipient: false",
      [[`${closedDeal}.when.facts`, [{ fact: "to", external_recipient: false }]]],
      `${closedDeal}.when.facts.0.external_recipient`,
      "expected true",
    ],
    [
      "a broken placeholder",
      [["rules.0.reason", "Costs {amount"]],
      "rules.0.reason",
      "placeholders are written {name}",
    ],
    ["an empty reason", [["rules.0.reason", "  "]], "rules.0.reason", "must not be empty"],
    ["a modifier above 1", [["modifiers.0.add", 2]], "modifiers.0.add", "between 0 and 1"],
    ["a modifier with no tests", [["modifiers.0.when_any", []]], "modifiers.0.when_any", ">=1"],
    [
      "a bad domain",
      [["internal_domains", ["not a domain"]]],
      "internal_domains.0",
      "not a domain name",
    ],
    [
      "a number as domain list",
      [["internal_domains", 3]],
      "internal_domains",
      "expected a list of domains, got 3",
    ],
    ["another format version", [["version", 2]], "version", "must be 1"],
    ["no rules", [["rules", DELETE]], "rules", "is required"],
    [
      "a number as pattern",
      [[`${rule("analysis")}.when.type`, [3]]],
      `${rule("analysis")}.when.type.0`,
      "expected a pattern, got 3",
    ],
    [
      "a number as value list",
      [["rules.0.when.environment", 3]],
      "rules.0.when.environment",
      "expected a value or a list of them, got 3",
    ],
  ])("%s", (_, edits, path, message) => {
    const found = issuesAfter("risk-rules.yaml", riskRulesSchema, edits);
    expect(found).toContainEqual({ path, message: expect.stringContaining(message) });
  });
});

describe("approval-policies.yaml refusals name the path and the problem", () => {
  it.each<[string, Edit[], string, string]>([
    ["a missing role", [["roles.viewer", DELETE]], "roles.viewer", "is required"],
    ["an unknown role", [["roles.admin", {}]], "roles", 'unknown role "admin"'],
    [
      "an unknown escalation target",
      [["roles.tech_lead.escalate_to", "cto"]],
      "roles.tech_lead.escalate_to",
      'unknown role "cto"',
    ],
    [
      "an escalation down",
      [["roles.tech_lead.escalate_to", "developer"]],
      "roles.tech_lead.escalate_to",
      "must be a role above tech_lead",
    ],
    [
      "an unknown level",
      [["roles.developer.can_approve", ["low", "urgent"]]],
      "roles.developer.can_approve.1",
      'unknown level "urgent"',
    ],
    [
      "a level twice",
      [["roles.developer.can_approve", ["low", "low"]]],
      "roles.developer.can_approve",
      "lists a level twice",
    ],
    [
      "a negative claim limit",
      [["roles.developer.max_claimed", -1]],
      "roles.developer.max_claimed",
      "must be at least 0",
    ],
    [
      "a string flag",
      [["roles.tech_lead.can_quarantine", "yes"]],
      "roles.tech_lead.can_quarantine",
      'expected true or false, got "yes"',
    ],
    [
      "an unknown key",
      [["roles.tech_lead.can_deploy", true]],
      "roles.tech_lead",
      'unknown key "can_deploy"',
    ],
  ])("%s", (_, edits, path, message) => {
    const found = issuesAfter("approval-policies.yaml", approvalPoliciesSchema, edits);
    expect(found).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it("defaults every flag to the least privilege", () => {
    const parsed = approvalPoliciesSchema.parse({
      version: 1,
      roles: { viewer: {}, developer: {}, tech_lead: {}, devops_engineer: {} },
    });
    expect(parsed.roles.tech_lead).toEqual({
      can_approve: [],
      escalate_to: null,
      can_quarantine: false,
      can_release: false,
      can_grant: false,
      can_manage_keys: false,
      max_claimed: 0,
    });
  });
});
