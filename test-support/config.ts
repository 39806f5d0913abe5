// Test support: the shipped rule set, and variants of it with a few settings changed, so a
// test states only what it changes.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { APPROVAL_POLICIES_FILE, loadHitlConfig, RISK_RULES_FILE } from "@/lib/config/load";
import {
  approvalPoliciesSchema,
  compileRuleSet,
  type RuleSet,
  type RuleSetOptions,
  riskRulesSchema,
} from "@/lib/hitl";

export const SHIPPED_CONFIG_DIR = fileURLToPath(new URL("../config/hitl", import.meta.url));

export function shippedRuleSet(options: RuleSetOptions = {}): RuleSet {
  return loadHitlConfig({ dir: SHIPPED_CONFIG_DIR, ...options }).ruleSet;
}

/** A value at a dotted path of a YAML tree (`levels.high.required_approvals`), or DELETE. */
export type Edit = [path: string, value: unknown];
export const DELETE = Symbol("delete");

export function readShipped(file: string): unknown {
  return YAML.parse(fs.readFileSync(path.join(SHIPPED_CONFIG_DIR, file), "utf8"));
}

export function applyEdits(tree: unknown, edits: readonly Edit[]): unknown {
  for (const [dotted, value] of edits) {
    const keys = dotted.split(".");
    const last = keys.pop() as string;
    let node = tree as Record<string, unknown>;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (value === DELETE) delete node[last];
    else node[last] = value;
  }
  return tree;
}

/** The shipped rule set with edits to risk-rules.yaml and approval-policies.yaml. */
export function ruleSetVariant(
  riskRuleEdits: readonly Edit[],
  policyEdits: readonly Edit[] = [],
  options: RuleSetOptions = {},
): RuleSet {
  const riskRules = riskRulesSchema.parse(applyEdits(readShipped(RISK_RULES_FILE), riskRuleEdits));
  const policies = approvalPoliciesSchema.parse(
    applyEdits(readShipped(APPROVAL_POLICIES_FILE), policyEdits),
  );
  return compileRuleSet(riskRules, policies, options);
}
