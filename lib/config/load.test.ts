import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SHIPPED_CONFIG_DIR } from "@/test-support/config";
import { APPROVAL_POLICIES_FILE, ConfigError, loadHitlConfig, RISK_RULES_FILE } from "./load";

const shippedRules = fs.readFileSync(path.join(SHIPPED_CONFIG_DIR, RISK_RULES_FILE), "utf8");
const shippedPolicies = fs.readFileSync(
  path.join(SHIPPED_CONFIG_DIR, APPROVAL_POLICIES_FILE),
  "utf8",
);

// Inside the working directory, so messages show the short relative path people see in logs.
const scratchRoot = path.join(process.cwd(), "node_modules", ".cache");
fs.mkdirSync(scratchRoot, { recursive: true });
const scratch = fs.mkdtempSync(path.join(scratchRoot, "hitl-config-"));
const shown = path.relative(process.cwd(), scratch);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A config directory holding the given files (the shipped ones unless replaced or null). */
function configDir(
  files: { rules?: string | null; policies?: string | null },
  root = scratch,
): string {
  const dir = path.join(root, `case-${++counter}`);
  fs.mkdirSync(dir);
  const rules = files.rules === undefined ? shippedRules : files.rules;
  const policies = files.policies === undefined ? shippedPolicies : files.policies;
  if (rules !== null) fs.writeFileSync(path.join(dir, RISK_RULES_FILE), rules);
  if (policies !== null) fs.writeFileSync(path.join(dir, APPROVAL_POLICIES_FILE), policies);
  return dir;
}

function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from)).toHaveLength(2);
  return text.replace(from, to);
}

/** 1-based line of the first occurrence of `needle` (after `after`, if given). */
function lineOf(text: string, needle: string, after = ""): number {
  const start = after === "" ? 0 : text.indexOf(after);
  const at = text.indexOf(needle, start);
  expect(at).toBeGreaterThanOrEqual(0);
  return text.slice(0, at).split("\n").length;
}

function messageOf(dir: string, options = {}): string {
  try {
    loadHitlConfig({ dir, ...options });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

const ruleIndex = (id: string) => {
  const ids = [...shippedRules.matchAll(/^ {2}- id: (\S+)$/gm)].map((m) => m[1]);
  return ids.indexOf(id);
};

describe("loadHitlConfig", () => {
  it("loads the shipped configuration", () => {
    const config = loadHitlConfig({ dir: SHIPPED_CONFIG_DIR });
    expect(config.files).toEqual({
      riskRules: path.join(SHIPPED_CONFIG_DIR, RISK_RULES_FILE),
      approvalPolicies: path.join(SHIPPED_CONFIG_DIR, APPROVAL_POLICIES_FILE),
    });
    expect(config.ruleSet.view.levels.map((l) => l.level)).toEqual([
      "low",
      "medium",
      "high",
      "critical",
    ]);
    expect(config.ruleSet.options).toEqual({
      defaultRiskLevel: "medium",
      autoApproveLowRisk: true,
      defaultRequiresApproval: true,
    });
  });

  it("passes the environment's settings to the rule set", () => {
    const { ruleSet } = loadHitlConfig({
      dir: SHIPPED_CONFIG_DIR,
      defaultRiskLevel: "high",
      autoApproveLowRisk: false,
      defaultRequiresApproval: false,
    });
    expect(ruleSet.options).toEqual({
      defaultRiskLevel: "high",
      autoApproveLowRisk: false,
      defaultRequiresApproval: false,
    });
  });

  it("names a missing level", () => {
    const rules = shippedRules.replace(/ {2}critical:\n(?: {4}.*\n)+/, "");
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "levels:")} levels.critical: is required`,
    );
  });

  it("names an unknown role", () => {
    const anchor = "timeout_minutes: 60\n    required_approvals: 1\n    required_role: tech_lead";
    const rules = replaceOnce(shippedRules, anchor, anchor.replace("tech_lead", "team_lead"));
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "team_lead")} ` +
        'levels.high.required_role: unknown role "team_lead" (expected viewer, developer, tech_lead or devops_engineer)',
    );
  });

  it("names a bad glob written as a single value", () => {
    const rules = replaceOnce(
      shippedRules,
      "type: [DOCUMENT.GENERATE_*]",
      'type: "DOCUMENT.GENERATE_[*"',
    );
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "DOCUMENT.GENERATE_[")} ` +
        `rules[${ruleIndex("document-generation")}].when.type: unsupported character "[" at position 19 ` +
        "(character classes are not supported); use letters, digits, _ . - : / and the wildcards * and ?",
    );
  });

  it("names a bad glob inside a list", () => {
    const rules = replaceOnce(shippedRules, '"*TRANSFER*"', '"*TRANS FER*"');
    const dir = configDir({ rules });
    expect(messageOf(dir)).toContain(
      `risk-rules.yaml:${lineOf(rules, "TRANS FER")} rules[${ruleIndex("high-value-financial")}].when.type[1]: ` +
        'unsupported character " " at position 7',
    );
  });

  it("names a value of the wrong type", () => {
    const rules = replaceOnce(shippedRules, "timeout_minutes: 120", 'timeout_minutes: "two hours"');
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "two hours")} ` +
        'levels.critical.timeout_minutes: expected an integer, got "two hours"',
    );
  });

  it("points at a misspelt key", () => {
    const rules = replaceOnce(
      shippedRules,
      "requires_justification: true",
      "requires_justificaton: true",
    );
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "requires_justificaton")} ` +
        'levels.critical.requires_justificaton: unknown key "requires_justificaton"',
    );
  });

  it("names a YAML syntax error with its line", () => {
    const rules = replaceOnce(shippedRules, "notify: [log, webhook]\n", "notify: [log, webhook\n");
    const dir = configDir({ rules });
    const message = messageOf(dir);
    expect(message).toMatch(
      new RegExp(
        `^Invalid HITL configuration:\\n  ${shown}/case-${counter}/risk-rules\\.yaml:\\d+: YAML syntax error: `,
      ),
    );
    const line = Number(/risk-rules\.yaml:(\d+):/.exec(message)?.[1]);
    expect(line).toBeGreaterThanOrEqual(lineOf(rules, "notify: [log, webhook"));
    expect(line).toBeLessThanOrEqual(lineOf(rules, "notify: [log, webhook") + 2);
  });

  it("refuses a key written twice", () => {
    const policies = replaceOnce(
      shippedPolicies,
      "    max_claimed: 5\n",
      "    max_claimed: 5\n    max_claimed: 6\n",
    );
    const dir = configDir({ policies });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/approval-policies.yaml:${lineOf(policies, "max_claimed: 6")}: ` +
        "YAML syntax error: Map keys must be unique",
    );
  });

  it("names a missing file", () => {
    const dir = configDir({ policies: null });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/approval-policies.yaml: file not found`,
    );
  });

  it("names a file it cannot read", () => {
    const dir = configDir({ rules: null });
    fs.mkdirSync(path.join(dir, RISK_RULES_FILE));
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml: cannot read the file (EISDIR)`,
    );
  });

  it("names an empty file", () => {
    const dir = configDir({ rules: "# nothing yet\n" });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml: expected a mapping, got null`,
    );
  });

  it("reports the problems of both files at once", () => {
    const rules = replaceOnce(shippedRules, "version: 1", "version: 2");
    const policies = replaceOnce(
      shippedPolicies,
      "escalate_to: devops_engineer",
      "escalate_to: cto",
    );
    const dir = configDir({ rules, policies });
    expect(messageOf(dir)).toBe(
      [
        "Invalid HITL configuration:",
        `  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "version: 2")} version: must be 1`,
        `  ${shown}/case-${counter}/approval-policies.yaml:${lineOf(policies, "escalate_to: cto")} ` +
          'roles.tech_lead.escalate_to: unknown role "cto" (expected viewer, developer, tech_lead or devops_engineer)',
      ].join("\n"),
    );
  });

  it("names files that contradict each other", () => {
    const anchor = "timeout_minutes: 30\n    required_approvals: 1\n    required_role: tech_lead";
    const rules = replaceOnce(shippedRules, anchor, anchor.replace("tech_lead", "developer"));
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "required_role: developer", "  medium:")} ` +
        "levels.medium.required_role: developer cannot approve medium requests " +
        "(approval-policies.yaml: roles.developer.can_approve)",
    );
  });

  it("refuses a configuration that approves critical actions automatically", () => {
    const anchor = "  critical:\n    auto_approve: false";
    const rules = replaceOnce(shippedRules, anchor, anchor.replace("false", "true"));
    const dir = configDir({ rules });
    expect(messageOf(dir)).toBe(
      `Invalid HITL configuration:\n  ${shown}/case-${counter}/risk-rules.yaml:${lineOf(rules, "auto_approve: true", "  critical:\n")} ` +
        "levels.critical.auto_approve: critical actions are never approved automatically; set it to false",
    );
  });

  it("refuses a critical default level that would pass without approval", () => {
    expect(
      messageOf(SHIPPED_CONFIG_DIR, {
        defaultRiskLevel: "critical",
        defaultRequiresApproval: false,
      }),
    ).toBe(
      "Invalid HITL configuration:\n  environment HITL_DEFAULT_REQUIRES_APPROVAL: must be true when " +
        "HITL_DEFAULT_RISK_LEVEL is critical: critical actions are never approved automatically",
    );
  });

  it("shows an absolute path outside the working directory", () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "hitl-config-"));
    try {
      const dir = configDir({ policies: null }, outside);
      expect(messageOf(dir)).toContain(
        `  ${path.join(dir, APPROVAL_POLICIES_FILE)}: file not found`,
      );
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("keeps the problems as data", () => {
    const dir = configDir({ policies: null, rules: null });
    try {
      loadHitlConfig({ dir });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        {
          file: `${shown}/case-${counter}/risk-rules.yaml`,
          line: null,
          path: "",
          message: "file not found",
        },
        {
          file: `${shown}/case-${counter}/approval-policies.yaml`,
          line: null,
          path: "",
          message: "file not found",
        },
      ]);
    }
    expect.assertions(1);
  });
});
