import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadHitlConfig } from "@/lib/config/load";
import { approvalPoliciesSchema, riskRulesSchema } from "./config-schema";
import {
  type Assessment,
  assess,
  compileRuleSet,
  type RuleSet,
  RuleSetError,
  type RuleSetOptions,
} from "./risk";
import { type Action, RISK_LEVELS, type RiskLevel } from "./types";

const CONFIG_DIR = fileURLToPath(new URL("../../config/hitl", import.meta.url));
const load = (opts: RuleSetOptions = {}) => loadHitlConfig({ dir: CONFIG_DIR, ...opts }).ruleSet;
const rules = load();
const a = (action: Action) => assess(rules, action);

// --------------------------------------------------------------------------------------------
// Every shipped rule fires on an action written the way an agent would send it, at its level.

const EVERY_RULE: [string, Action, RiskLevel][] = [
  [
    "production-delete",
    { type: "delete", environment: "production", resource_type: "service" },
    "critical",
  ],
  [
    "production-database-change",
    { type: "db.alter", operation: "alter", resource_type: "database", environment: "prod" },
    "critical",
  ],
  ["production-deploy", { type: "deploy", environment: "production" }, "high"],
  ["production-scale", { type: "scale", environment: "prod" }, "high"],
  ["staging-deploy", { type: "deploy", environment: "staging" }, "medium"],
  ["development-deploy", { type: "deploy", environment: "dev" }, "low"],
  [
    "secrets-change",
    { type: "vault.rotate", operation: "rotate", resource_type: "secret" },
    "critical",
  ],
  ["permissions-change", { type: "iam.grant", operation: "grant", resource_type: "role" }, "high"],
  ["infrastructure-create", { type: "provision", resource_type: "cluster" }, "medium"],
  ["infrastructure-change", { type: "destroy", resource_type: "vm" }, "high"],
  ["network-change", { type: "update", resource_type: "firewall" }, "high"],
  ["data-export", { type: "export", resource_type: "table" }, "high"],
  ["sensitive-data-export", { type: "export", inputs: { data_sensitive: true } }, "critical"],
  ["data-import", { type: "import", resource_type: "dataset" }, "medium"],
  ["data-delete", { type: "purge", resource_type: "records", environment: "staging" }, "critical"],
  ["merge-to-main", { type: "merge", inputs: { target_branch: "main" } }, "medium"],
  ["merge-to-production", { type: "merge", inputs: { target_branch: "production" } }, "high"],
  ["cost-above-1000", { type: "run_job", inputs: { estimated_cost: 2500 } }, "high"],
  ["cost-above-100", { type: "run_job", inputs: { estimated_cost: 250 } }, "medium"],
  [
    "security-finding-critical",
    { type: "scan", context: { security_findings: [{ severity: "critical" }] } },
    "critical",
  ],
  [
    "security-finding-high",
    { type: "scan", context: { security_findings: [{ severity: "high" }] } },
    "high",
  ],
  [
    "security-finding-medium",
    { type: "scan", context: { security_findings: [{ severity: "medium" }] } },
    "medium",
  ],
  ["file-read", { type: "fs.open", operation: "read", resource_type: "file" }, "low"],
  ["file-write", { type: "fs.save", operation: "write", resource_type: "file" }, "medium"],
  ["file-delete", { type: "fs.rm", operation: "delete", resource_type: "file" }, "high"],
  ["database-select", { type: "sql", operation: "select", resource_type: "db" }, "low"],
  ["database-insert", { type: "sql", operation: "insert", resource_type: "database" }, "medium"],
  ["database-modify", { type: "sql", operation: "update", resource_type: "database" }, "high"],
  [
    "send-email",
    { type: "COMMUNICATION.SEND_EMAIL", inputs: { to: "ann@company.example" } },
    "critical",
  ],
  ["document-generation", { type: "DOCUMENT.GENERATE_NDA" }, "high"],
  ["high-value-financial", { type: "BANK.TRANSFER", inputs: { amount: 25_000 } }, "high"],
  ["data-enrichment", { type: "CRM.ENRICH_CONTACT" }, "medium"],
  ["analysis", { type: "ANALYSIS.MARKET_SIZE" }, "medium"],
  ["read-only", { type: "CRM.LIST_CONTACTS" }, "low"],
  ["type-names-a-change", { type: "CRM.UPDATE_CONTACT" }, "medium"],
  ["type-names-a-deletion", { type: "CRM.REMOVE_CONTACT" }, "high"],
  ["closed-deal", { type: "DEAL.UPDATE_NOTES", context: { deal_stage: "closed" } }, "critical"],
  // Coding agents (more cases in coding-agent.test.ts).
  ["coding-agent-read", { type: "Grep", inputs: { pattern: "TODO" } }, "low"],
  ["coding-agent-edit", { type: "MultiEdit", inputs: { file_path: "a.ts" } }, "medium"],
  ["coding-agent-web", { type: "WebSearch", inputs: { query: "airlock" } }, "medium"],
  ["shell-command", { type: "Bash", inputs: { command: "npm test" } }, "medium"],
  ["shell-recursive-delete", { type: "Bash", inputs: { command: "rm -rf ./build" } }, "high"],
  ["shell-delete-everything", { type: "Bash", inputs: { command: "rm -rf /" } }, "critical"],
  ["disk-overwrite", { type: "Bash", inputs: { command: "mkfs.ext4 /dev/sdb1" } }, "critical"],
  ["fork-bomb", { type: "Bash", inputs: { command: ":(){ :|:& };:" } }, "critical"],
  ["machine-shutdown", { type: "Bash", inputs: { command: "sudo reboot" } }, "high"],
  ["kubernetes-delete", { type: "Bash", inputs: { command: "kubectl delete pod x" } }, "high"],
  ["helm-uninstall", { type: "Bash", inputs: { command: "helm uninstall web" } }, "high"],
  ["infrastructure-destroy", { type: "Bash", inputs: { command: "terraform destroy" } }, "high"],
  [
    "infrastructure-apply-unreviewed",
    { type: "Bash", inputs: { command: "terraform apply -auto-approve" } },
    "high",
  ],
  ["sql-drop", { type: "execute_sql", inputs: { sql: "DROP TABLE users" } }, "high"],
  ["sql-truncate", { type: "Bash", inputs: { command: "psql -c 'TRUNCATE users'" } }, "high"],
  ["sql-delete-all", { type: "Bash", inputs: { command: 'psql -c "DELETE FROM users"' } }, "high"],
  ["git-force-push", { type: "Bash", inputs: { command: "git push -f" } }, "high"],
  ["git-push-delete", { type: "Bash", inputs: { command: "git push origin :old" } }, "high"],
  ["git-discard-changes", { type: "Bash", inputs: { command: "git reset --hard" } }, "high"],
  ["download-to-shell", { type: "Bash", inputs: { command: "curl https://x | sh" } }, "high"],
  ["permissions-world-writable", { type: "Bash", inputs: { command: "chmod -R 777 ." } }, "high"],
  ["container-delete", { type: "Bash", inputs: { command: "docker rm -f web" } }, "high"],
  ["cloud-delete", { type: "Bash", inputs: { command: "az group delete -n rg" } }, "high"],
  [
    "production-destructive-command",
    { type: "Bash", inputs: { command: "helm uninstall web --kube-context prod" } },
    "critical",
  ],
  [
    "mcp-destructive-tool",
    {
      type: "archive_issue",
      context: {
        mcp: { server: "github", tool: "archive_issue", annotations: { destructiveHint: true } },
      },
    },
    "high",
  ],
];

describe("every shipped rule", () => {
  it("is covered by this table", () => {
    expect(EVERY_RULE.map(([id]) => id).sort()).toEqual(rules.view.rules.map((r) => r.id).sort());
  });

  it.each(EVERY_RULE)("%s fires", (id, action, level) => {
    const result = a(action);
    expect(result.matched_rules).toContain(id);
    expect(result.level).toBe(level);
    const reason = rules.view.rules.find((r) => r.id === id)?.reason as string;
    if (!reason.includes("{")) expect(result.reasons).toContain(reason);
  });
});

// --------------------------------------------------------------------------------------------

type Case = [string, Action, RiskLevel, string[]?];

describe("operational rules (seed 000)", () => {
  it.each<Case>([
    [
      "production delete",
      { type: "delete", environment: "production" },
      "critical",
      ["production-delete", "type-names-a-deletion"],
    ],
    [
      "DELETE in PRODUCTION",
      { type: "DELETE", environment: "PRODUCTION" },
      "critical",
      ["production-delete", "type-names-a-deletion"],
    ],
    [
      "Delete in Prod via operation",
      { type: "x", operation: "Delete", environment: "Prod" },
      "critical",
    ],
    [
      "delete with the environment in context",
      { type: "delete", context: { environment: "production" } },
      "critical",
    ],
    [
      "delete with the environment in inputs",
      { type: "delete", inputs: { environment: "Production" } },
      "critical",
    ],
    [
      "delete in staging (a deletion by its type name)",
      { type: "delete", environment: "staging" },
      "high",
      ["type-names-a-deletion"],
    ],
    [
      "production database delete",
      { type: "x", operation: "delete", resource_type: "database", environment: "production" },
      "critical",
      ["production-delete", "production-database-change", "data-delete"],
    ],
    [
      "database modify in production",
      { type: "x", operation: "modify", resource_type: "DB", environment: "production" },
      "critical",
    ],
    [
      "database modify in staging",
      { type: "x", operation: "modify", resource_type: "database", environment: "staging" },
      "high",
    ],
    [
      "database delete anywhere",
      { type: "x", operation: "delete", resource_type: "database" },
      "critical",
      ["data-delete"],
    ],
    [
      "deploy to production",
      { type: "deploy", environment: "production" },
      "high",
      ["production-deploy"],
    ],
    [
      "Deploy to Production",
      { type: "Deploy", environment: "Production" },
      "high",
      ["production-deploy"],
    ],
    [
      "deploy by operation",
      { type: "INFRA.RELEASE", operation: "deploy", environment: "prod" },
      "high",
    ],
    ["deploy to staging", { type: "deploy", environment: "staging" }, "medium", ["staging-deploy"]],
    [
      "deploy to development",
      { type: "deploy", environment: "development" },
      "low",
      ["development-deploy"],
    ],
    ["deploy to local", { type: "deploy", environment: "local" }, "low"],
    ["deploy without environment", { type: "deploy" }, "medium", []],
    [
      "scale in production",
      { type: "scale", environment: "production" },
      "high",
      ["production-scale"],
    ],
    ["scale in staging", { type: "scale", environment: "staging" }, "medium", []],
    ["create a secret", { type: "x", operation: "create", resource_type: "secret" }, "critical"],
    [
      "modify access keys",
      { type: "x", operation: "modify", resource_type: "access_keys" },
      "critical",
    ],
    ["rotate an API key", { type: "x", operation: "rotate", resource_type: "API_KEY" }, "critical"],
    [
      "delete credentials",
      { type: "x", operation: "delete", resource_type: "credentials" },
      "critical",
    ],
    [
      "read a secret (no change)",
      { type: "x", operation: "read", resource_type: "secret" },
      "medium",
      [],
    ],
    [
      "revoke permissions",
      { type: "x", operation: "revoke", resource_type: "permissions" },
      "high",
    ],
    [
      "create infrastructure",
      { type: "x", operation: "create", resource_type: "infrastructure" },
      "medium",
    ],
    ["modify infrastructure", { type: "x", operation: "modify", resource_type: "infra" }, "high"],
    ["delete infrastructure", { type: "x", operation: "delete", resource_type: "server" }, "high"],
    [
      "create a security group",
      { type: "x", operation: "create", resource_type: "security_group" },
      "high",
    ],
    ["delete a network", { type: "x", operation: "delete", resource_type: "network" }, "high"],
    ["export data", { type: "export" }, "high", ["data-export"]],
    [
      "export PII",
      { type: "export", context: { data_sensitive: true } },
      "critical",
      ["sensitive-data-export", "data-export"],
    ],
    [
      "export with data_sensitive: false",
      { type: "export", inputs: { data_sensitive: false } },
      "high",
    ],
    [
      'export with data_sensitive: "TRUE"',
      { type: "export", inputs: { data_sensitive: "TRUE" } },
      "critical",
    ],
    ["import data", { type: "import" }, "medium", ["data-import"]],
    [
      "delete data",
      { type: "x", operation: "delete", resource_type: "dataset" },
      "critical",
      ["data-delete"],
    ],
    ["truncate a table", { type: "x", operation: "truncate", resource_type: "table" }, "critical"],
    [
      "merge to main",
      { type: "merge", inputs: { target_branch: "main" } },
      "medium",
      ["merge-to-main"],
    ],
    ["merge to MASTER", { type: "merge", inputs: { target_branch: "MASTER" } }, "medium"],
    [
      "merge to production",
      { type: "merge", context: { target_branch: "production" } },
      "high",
      ["merge-to-production"],
    ],
    [
      "merge to a feature branch",
      { type: "merge", inputs: { target_branch: "feature/x" } },
      "medium",
      [],
    ],
    ["read a file", { type: "x", operation: "read", resource_type: "file" }, "low", ["file-read"]],
    [
      "write a file",
      { type: "x", operation: "write", resource_type: "file" },
      "medium",
      ["file-write"],
    ],
    [
      "delete a file",
      { type: "x", operation: "delete", resource_type: "FILE" },
      "high",
      ["file-delete"],
    ],
    [
      "select from a database",
      { type: "x", operation: "select", resource_type: "database" },
      "low",
    ],
    [
      "insert into a database",
      { type: "x", operation: "insert", resource_type: "database" },
      "medium",
    ],
    [
      "resource type in context",
      { type: "x", operation: "read", context: { resource_type: "file" } },
      "low",
      ["file-read"],
    ],
  ])("%s -> %s", (_, action, level, matched) => {
    const result = a(action);
    expect(result.level).toBe(level);
    if (matched !== undefined) {
      expect(
        result.matched_rules.filter((id) => rules.view.rules.some((r) => r.id === id)),
      ).toEqual(matched);
    }
  });
});

describe("estimated cost boundaries", () => {
  it.each<[unknown, string[], RiskLevel]>([
    [99, [], "medium"],
    [100, [], "medium"],
    [100.5, ["cost-above-100"], "medium"],
    [101, ["cost-above-100"], "medium"],
    [1000, ["cost-above-100"], "medium"],
    [1001, ["cost-above-1000", "cost-above-100"], "high"],
    ["1001", ["cost-above-1000", "cost-above-100"], "high"],
    [" 250 ", ["cost-above-100"], "medium"],
    ["lots", [], "medium"],
    ["", [], "medium"],
    [null, [], "medium"],
    [Number.POSITIVE_INFINITY, [], "medium"],
    [true, [], "medium"],
  ])("estimated_cost %j fires %j", (cost, matched, level) => {
    const result = a({ type: "run_job", inputs: { estimated_cost: cost } });
    expect(result.matched_rules).toEqual(matched);
    expect(result.level).toBe(level);
  });

  it("reads the cost from context too, inputs first", () => {
    expect(a({ type: "x", context: { estimated_cost: 5000 } }).level).toBe("high");
    expect(
      a({ type: "x", inputs: { estimated_cost: 5 }, context: { estimated_cost: 5000 } }).level,
    ).toBe("medium");
  });

  it("with a low default, cost 100 stays low and 101 is medium", () => {
    const lowDefault = load({ defaultRiskLevel: "low" });
    expect(assess(lowDefault, { type: "run", inputs: { estimated_cost: 100 } }).level).toBe("low");
    expect(assess(lowDefault, { type: "run", inputs: { estimated_cost: 101 } }).level).toBe(
      "medium",
    );
  });
});

describe("security findings", () => {
  it.each<[unknown, RiskLevel, string[]]>([
    [[{ severity: "critical" }], "critical", ["security-finding-critical", "security-findings"]],
    [[{ severity: "HIGH" }], "high", ["security-finding-high", "security-findings"]],
    [[{ severity: "Medium" }], "medium", ["security-finding-medium", "security-findings"]],
    [[{ severity: "low" }], "medium", ["security-findings"]],
    [["high"], "high", ["security-finding-high", "security-findings"]],
    [
      [{ severity: "low" }, { severity: "high" }, { severity: "medium" }],
      "high",
      ["security-finding-high", "security-finding-medium", "security-findings"],
    ],
    [[{ title: "no severity" }, 3, null], "medium", ["security-findings"]],
    [[], "medium", []],
    ["high", "medium", []],
  ])("%j -> %s", (findings, level, matched) => {
    const result = a({ type: "scan", context: { security_findings: findings } });
    expect(result.level).toBe(level);
    expect(result.matched_rules).toEqual(matched);
  });

  it("raise a rule's level to at least their severity", () => {
    const result = a({
      type: "deploy",
      environment: "development",
      context: { security_findings: [{ severity: "high" }] },
    });
    expect(result.level).toBe("high");
    expect(result.matched_rules).toEqual([
      "security-finding-high",
      "development-deploy",
      "security-findings",
    ]);
  });
});

describe("business rules (seed 002)", () => {
  it.each<Case>([
    ["send email", { type: "COMMUNICATION.SEND_EMAIL" }, "critical", ["send-email"]],
    ["send email, lowercase", { type: "communication.send_email" }, "critical"],
    ["bulk send of emails", { type: "MARKETING.SEND_BULK_EMAILS" }, "critical"],
    ["email.send", { type: "NOTIFY.EMAIL.SEND" }, "critical"],
    ["mail.send", { type: "mail.send" }, "critical"],
    [
      "fetch and send email",
      { type: "FETCH_AND_SEND_EMAIL" },
      "critical",
      ["send-email", "read-only"],
    ],
    ["generate a document", { type: "DOCUMENT.GENERATE_LOI" }, "high", ["document-generation"]],
    ["not quite a document", { type: "DOCUMENTS.GENERATE_LOI" }, "medium", []],
    ["enrich", { type: "CRM.ENRICH" }, "medium", ["data-enrichment"]],
    [
      "profile",
      { type: "lead.profile_update" },
      "medium",
      ["data-enrichment", "type-names-a-change"],
    ],
    // The read-only patterns match inside other words; a type naming a change never passes.
    [
      "THREAD.DELETE is no read",
      { type: "THREAD.DELETE" },
      "high",
      ["type-names-a-deletion", "read-only"],
    ],
    [
      "BUDGET.UPDATE is no read",
      { type: "BUDGET.UPDATE" },
      "medium",
      ["type-names-a-change", "read-only"],
    ],
    ["analysis", { type: "ANALYSIS.COMPS" }, "medium", ["analysis"]],
    ["valuation", { type: "DEAL.VALUATION" }, "medium", ["analysis"]],
    ["analyze", { type: "DATA.ANALYZE_CHURN" }, "medium", ["analysis"]],
    ["get", { type: "CRM.GET_DEAL" }, "low", ["read-only"]],
    ["list", { type: "DEALS.LIST" }, "low", ["read-only"]],
    ["read", { type: "DOCS.READ" }, "low", ["read-only"]],
    ["fetch", { type: "WEB.FETCH" }, "low", ["read-only"]],
    [
      "closed deal",
      { type: "DEAL.NOTE", context: { deal_stage: "Closed" } },
      "critical",
      ["closed-deal"],
    ],
    ["deal stage in inputs", { type: "DEAL.NOTE", inputs: { deal_stage: "closed" } }, "critical"],
    ["open deal", { type: "DEAL.NOTE", context: { deal_stage: "diligence" } }, "medium", []],
    [
      "reading a closed deal",
      { type: "DEAL.GET", context: { deal_stage: "closed" } },
      "critical",
      ["closed-deal", "read-only"],
    ],
  ])("%s -> %s", (_, action, level, matched) => {
    const result = a(action);
    expect(result.level).toBe(level);
    if (matched !== undefined) {
      expect(
        result.matched_rules.filter((id) => rules.view.rules.some((r) => r.id === id)),
      ).toEqual(matched);
    }
  });
});

describe("amounts on payments, transfers and financial actions", () => {
  it.each<[string, Record<string, unknown> | undefined, RiskLevel, boolean]>([
    ["9,999", { amount: 9999 }, "medium", false],
    ["10,000", { amount: 10_000 }, "high", true],
    ['"15000"', { amount: "15000" }, "high", true],
    ['"9999.99"', { amount: "9999.99" }, "medium", false],
    ["an unknown amount", undefined, "high", true],
    ["a non-numeric amount", { amount: "a lot" }, "high", true],
    ["a formatted amount (not a number: unknown)", { amount: "15,000" }, "high", true],
    ["a value", { value: 20_000 }, "high", true],
    ["a total", { total: "10000" }, "high", true],
    ["a small amount but a large total", { amount: 5, total: 50_000 }, "high", true],
    ["a small total", { total: 50 }, "medium", false],
    ["a negative amount", { amount: -20_000 }, "medium", false],
  ])("a payment with %s", (_, inputs, level, fires) => {
    const result = a({ type: "FINANCE.PAYMENT_CREATE", inputs });
    expect(result.level).toBe(level);
    expect(result.matched_rules.includes("high-value-financial")).toBe(fires);
  });

  it.each(["BANK.TRANSFER", "ACCOUNTS.FINANCIAL_REPORT", "payment", "Wire.Payment"])(
    "%s matches",
    (type) => {
      expect(a({ type, inputs: { amount: 10_000 } }).matched_rules).toContain(
        "high-value-financial",
      );
    },
  );

  it("a payment of 5,000 stays medium: unmatched, plus the financial modifier", () => {
    const result = a({ type: "FINANCE.PAYMENT", inputs: { amount: 5000 } });
    expect(result).toMatchObject({
      level: "medium",
      score: 0.65,
      matched_rules: ["financial-data"],
    });
  });

  it("says the amount in the reason", () => {
    expect(a({ type: "PAYMENT", inputs: { amount: "15000" } }).reasons[0]).toBe(
      "Moves money with an amount of 15,000 (10,000 or more, or not given)",
    );
    expect(a({ type: "PAYMENT", inputs: { total: 1234567.891 } }).reasons[0]).toContain(
      "1,234,567.89",
    );
    expect(a({ type: "PAYMENT" }).reasons[0]).toContain("an amount of unknown");
  });
});

describe("score modifiers", () => {
  it.each<[string, Action, number, string[]]>([
    ["bulk: true", { type: "x", inputs: { bulk: true } }, 0.7, ["bulk-operation"]],
    ["101 items", { type: "x", inputs: { items: Array(101).fill(1) } }, 0.7, ["bulk-operation"]],
    ["100 items", { type: "x", inputs: { items: Array(100).fill(1) } }, 0.5, []],
    ["bulk: false", { type: "x", inputs: { bulk: false } }, 0.5, []],
    ["an amount", { type: "x", inputs: { amount: 1 } }, 0.65, ["financial-data"]],
    ["a value of 0", { type: "x", context: { value: 0 } }, 0.65, ["financial-data"]],
    ["an empty amount", { type: "x", inputs: { amount: "" } }, 0.5, []],
    ["financial: true", { type: "x", inputs: { financial: true } }, 0.65, ["financial-data"]],
    ["external: true", { type: "x", inputs: { external: true } }, 0.6, ["external-communication"]],
    [
      "an outside recipient",
      { type: "x", inputs: { to: "ceo@acme.com" } },
      0.6,
      ["external-communication"],
    ],
    ["an internal recipient", { type: "x", inputs: { to: "ann@company.example" } }, 0.5, []],
    ["an internal subdomain", { type: "x", inputs: { to: "ann@eu.Company.Example" } }, 0.5, []],
    [
      "a look-alike domain",
      { type: "x", inputs: { to: "ann@evilcompany.example" } },
      0.6,
      ["external-communication"],
    ],
    [
      "a named address",
      { type: "x", inputs: { recipient: "Jane Doe <jane@partner.org>" } },
      0.6,
      ["external-communication"],
    ],
    [
      "a list of recipients",
      { type: "x", inputs: { recipients: ["a@company.example", "b@gmail.com"] } },
      0.6,
      ["external-communication"],
    ],
    [
      "all recipients internal",
      { type: "x", inputs: { recipients: ["a@company.example", "b@company.example."] } },
      0.5,
      [],
    ],
    [
      "recipient objects",
      { type: "x", inputs: { to: [{ name: "B", email: "b@x.io" }] } },
      0.6,
      ["external-communication"],
    ],
    [
      "recipient address objects",
      { type: "x", inputs: { cc: { address: "c@company.example" } } },
      0.5,
      [],
    ],
    [
      "a cc list in text",
      { type: "x", inputs: { cc: "a@company.example; b@other.net" } },
      0.6,
      ["external-communication"],
    ],
    [
      "a bcc in context",
      { type: "x", context: { bcc: "b@other.net" } },
      0.6,
      ["external-communication"],
    ],
    ["a handle, not an address", { type: "x", inputs: { to: "@alice and @bob" } }, 0.5, []],
    ["an address with no domain", { type: "x", inputs: { to: "alice@" } }, 0.5, []],
    ["a number as recipient", { type: "x", inputs: { to: 42 } }, 0.5, []],
    ["data_sensitive", { type: "x", inputs: { data_sensitive: true } }, 0.6, ["sensitive-data"]],
    [
      "security findings",
      { type: "x", context: { security_findings: [{ severity: "low" }] } },
      0.6,
      ["security-findings"],
    ],
    [
      "all of them, capped at 1",
      {
        type: "x",
        inputs: { bulk: true, amount: 3, to: "x@y.z", data_sensitive: true },
        context: { security_findings: [{ severity: "low" }] },
      },
      1,
      [
        "bulk-operation",
        "financial-data",
        "external-communication",
        "sensitive-data",
        "security-findings",
      ],
    ],
  ])("%s", (_, action, score, matched) => {
    const result = a(action);
    expect(result.score).toBe(score);
    expect(result.matched_rules).toEqual(matched);
  });

  it("name each modifier's contribution in the reasons", () => {
    expect(a({ type: "x", inputs: { bulk: true } }).reasons).toContain(
      "Bulk operation (bulk flag, or more than 100 items) (+0.2)",
    );
  });

  it("raise a medium enrichment in bulk to high", () => {
    const result = a({ type: "CRM.ENRICH_CONTACTS", inputs: { bulk: true } });
    expect(result).toMatchObject({ level: "high", score: 0.7, timeout_minutes: 60 });
    expect(result.reasons.at(-1)).toBe(
      "Score 0.7 is in the high band, which raises medium to high",
    );
  });

  it("raise a high payment with an outside recipient to critical", () => {
    const result = a({ type: "PAYMENT", inputs: { amount: 20_000, to: "x@bank.example" } });
    expect(result).toMatchObject({ level: "critical", score: 1, required_approvals: 2 });
  });

  it("raise an unmatched low default in bulk to medium", () => {
    const lowDefault = load({ defaultRiskLevel: "low", defaultRequiresApproval: false });
    const result = assess(lowDefault, { type: "x", inputs: { bulk: true } });
    expect(result).toMatchObject({ level: "medium", score: 0.4, requires_approval: true });
  });

  it("never lower a level", () => {
    const result = a({ type: "delete", environment: "production", inputs: { bulk: true } });
    expect(result).toMatchObject({ level: "critical", score: 1 });
    expect(a({ type: "CRM.GET" }).level).toBe("low");
  });
});

describe("several matches: the highest level wins", () => {
  it.each<Case>([
    [
      "FETCH_AND_SEND_EMAIL",
      { type: "FETCH_AND_SEND_EMAIL" },
      "critical",
      ["send-email", "read-only"],
    ],
    [
      "LIST_PAYMENTS with no amount",
      { type: "LIST_PAYMENTS" },
      "high",
      ["high-value-financial", "read-only"],
    ],
    ["GET_VALUATION", { type: "DEAL.GET_VALUATION" }, "medium", ["analysis", "read-only"]],
    [
      "DOCUMENT.GENERATE_PROFILE",
      { type: "DOCUMENT.GENERATE_PROFILE" },
      "high",
      ["document-generation", "data-enrichment"],
    ],
    [
      "a production deploy with a critical finding, costing 5,000",
      {
        type: "deploy",
        environment: "production",
        inputs: { estimated_cost: 5000 },
        context: { security_findings: [{ severity: "critical" }] },
      },
      "critical",
      ["security-finding-critical", "production-deploy", "cost-above-1000", "cost-above-100"],
    ],
  ])("%s -> %s", (_, action, level, matched) => {
    const result = a(action);
    expect(result.level).toBe(level);
    expect(result.matched_rules.filter((id) => rules.view.rules.some((r) => r.id === id))).toEqual(
      matched,
    );
  });
});

describe("unmatched actions follow the environment settings", () => {
  const cases: [RuleSetOptions, RiskLevel, boolean][] = [];
  for (const level of RISK_LEVELS) {
    for (const requires of [true, false]) {
      // A critical default that passes unreviewed is refused at load (below).
      if (level === "critical" && !requires) continue;
      cases.push([{ defaultRiskLevel: level, defaultRequiresApproval: requires }, level, requires]);
    }
  }

  it("refuses a critical default that would pass without approval", () => {
    expect(() => load({ defaultRiskLevel: "critical", defaultRequiresApproval: false })).toThrow(
      /HITL_DEFAULT_REQUIRES_APPROVAL: must be true when HITL_DEFAULT_RISK_LEVEL is critical/,
    );
  });
  it.each(cases)("%j -> %s, requires approval %s", (opts, level, requires) => {
    const result = assess(load(opts), { type: "SOMETHING.NEW" });
    expect(result).toMatchObject({ level, requires_approval: requires, matched_rules: [] });
    expect(result.reasons).toEqual([`No rule matched; an unmatched action is ${level} by default`]);
  });

  it("defaults to medium and waiting", () => {
    expect(a({ type: "SOMETHING.NEW" })).toMatchObject({
      level: "medium",
      score: 0.5,
      requires_approval: true,
    });
  });

  it.each([true, false])(
    "a low default waits unless told otherwise (autoApproveLowRisk %s)",
    (autoApproveLowRisk) => {
      const ruleSet = load({ defaultRiskLevel: "low", autoApproveLowRisk });
      expect(assess(ruleSet, { type: "new" }).requires_approval).toBe(true);
    },
  );
});

describe("auto-approval", () => {
  it.each<[RuleSetOptions, RiskLevel, boolean]>([
    [{}, "low", false],
    [{ autoApproveLowRisk: false }, "low", true],
    [{}, "medium", true],
    [{}, "high", true],
    [{}, "critical", true],
    [{ autoApproveLowRisk: true, defaultRequiresApproval: false }, "critical", true],
  ])("%j at %s requires approval: %s", (opts, level, requires) => {
    const action = EVERY_RULE.find(([, , l]) => l === level)?.[1] as Action;
    const result = assess(load(opts), action);
    expect(result.level).toBe(level);
    expect(result.requires_approval).toBe(requires);
  });
});

describe("the seeds' cases", () => {
  it("a production delete is critical, needs two devops engineers and a justification", () => {
    expect(
      a({
        type: "delete",
        operation: "delete",
        environment: "production",
        resource_type: "database",
      }),
    ).toMatchObject({
      level: "critical",
      requires_approval: true,
      required_approvals: 2,
      required_role: "devops_engineer",
      requires_justification: true,
      notify: ["log", "webhook", "email", "slack"],
    });
  });

  it("a dev read is low and auto-approved", () => {
    expect(
      a({ type: "read", operation: "read", environment: "dev", resource_type: "file" }),
    ).toMatchObject({
      level: "low",
      requires_approval: false,
      timeout_minutes: 5,
    });
  });

  it("a staging deploy with a high security finding is high", () => {
    const result = a({
      type: "deploy",
      environment: "staging",
      context: { security_findings: [{ severity: "high", id: "CVE-1" }] },
    });
    expect(result).toMatchObject({ level: "high", score: 0.85, requires_approval: true });
  });

  it("a sensitive export is critical", () => {
    expect(
      a({ type: "export", resource_type: "customers", inputs: { data_sensitive: true } }).level,
    ).toBe("critical");
  });

  it("an external email is critical", () => {
    const result = a({
      type: "COMMUNICATION.SEND_EMAIL",
      inputs: { recipient: "external@example.com" },
    });
    expect(result).toMatchObject({
      level: "critical",
      matched_rules: ["send-email", "external-communication"],
    });
  });

  it("timeouts rise with risk", () => {
    const timeouts = RISK_LEVELS.map((level) => {
      const action = EVERY_RULE.find(([, , l]) => l === level)?.[1] as Action;
      return a(action).timeout_minutes;
    });
    expect(timeouts).toEqual([5, 30, 60, 120]);
  });
});

describe("assess", () => {
  it("returns the assessment of SPEC §3.2 and what the request needs", () => {
    expect(a({ type: "deploy", environment: "staging" })).toEqual<Assessment>({
      level: "medium",
      score: 0.5,
      requires_approval: true,
      reasons: ["Deploys to staging"],
      matched_rules: ["staging-deploy"],
      timeout_minutes: 30,
      required_approvals: 1,
      required_role: "tech_lead",
      requires_justification: false,
      notify: ["log", "webhook"],
      rule_set_version: rules.version,
    });
  });

  it("quotes the action's values in reasons", () => {
    expect(a({ type: "merge", inputs: { target_branch: "Main" } }).reasons).toEqual([
      "Merges into Main",
    ]);
    expect(a({ type: "x", inputs: { estimated_cost: "2500" } }).reasons[0]).toBe(
      "Estimated cost 2,500 is above 1,000",
    );
  });

  it.each<[string, unknown]>([
    ["inputs that are a list", { type: "deploy", environment: "production", inputs: [1, 2] }],
    [
      "null inputs and context",
      { type: "deploy", environment: "production", inputs: null, context: null },
    ],
    ["a string as context", { type: "deploy", environment: "production", context: "prod" }],
    [
      "a non-string environment",
      { type: "deploy", environment: 5, inputs: { environment: "production" } },
    ],
  ])("tolerates %s", (_, action) => {
    expect(assess(rules, action as Action).level).toBe("high");
  });

  it("tolerates a missing type", () => {
    expect(assess(rules, {} as Action)).toMatchObject({ level: "medium", matched_rules: [] });
  });

  it("is deterministic and does not change its input", () => {
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom("deploy", "COMMUNICATION.SEND_EMAIL", "PAYMENT", "x", "CRM.GET"),
          environment: fc.constantFrom("production", "staging", "dev"),
          inputs: fc.dictionary(
            fc.constantFrom("amount", "bulk", "to", "items", "estimated_cost", "data_sensitive"),
            fc.jsonValue(),
          ),
        }),
        (action) => {
          const before = JSON.stringify(action);
          const first = assess(rules, action);
          expect(assess(rules, action)).toEqual(first);
          expect(JSON.stringify(action)).toBe(before);
          expect(first.score).toBeGreaterThanOrEqual(0);
          expect(first.score).toBeLessThanOrEqual(1);
          expect(first.reasons.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it("gives the same answer for a type however often it is seen, and for very many types", () => {
    const ruleSet = load();
    for (let i = 0; i < 5000; i++) assess(ruleSet, { type: `CRM.GET_${i}` });
    expect(assess(ruleSet, { type: "CRM.GET_1" }).matched_rules).toEqual(["read-only"]);
    const long = `DOCUMENT.GENERATE_${"X".repeat(300)}`;
    expect(assess(ruleSet, { type: long }).matched_rules).toEqual(["document-generation"]);
    expect(assess(ruleSet, { type: long }).matched_rules).toEqual(["document-generation"]);
  });
});

// --------------------------------------------------------------------------------------------
// Features of the rule language the shipped rules do not use.

const policies = approvalPoliciesSchema.parse({
  version: 1,
  roles: {
    viewer: {},
    developer: { can_approve: ["low"], max_claimed: 5 },
    tech_lead: {
      can_approve: ["low", "medium", "high"],
      escalate_to: "devops_engineer",
      max_claimed: 10,
    },
    devops_engineer: { can_approve: ["low", "medium", "high", "critical"], max_claimed: 20 },
  },
});

function level(base: number, band_from: number, required_role: string) {
  return {
    auto_approve: false,
    timeout_minutes: 10,
    required_approvals: 1,
    required_role,
    score: { base, band_from },
  };
}

function custom(
  rulesYaml: unknown[],
  modifiers: unknown[] = [],
  opts: RuleSetOptions = {},
): RuleSet {
  const riskRules = riskRulesSchema.parse({
    version: 1,
    levels: {
      low: level(0.1, 0, "developer"),
      medium: level(0.4, 0.3, "tech_lead"),
      high: level(0.7, 0.6, "tech_lead"),
      critical: level(0.9, 0.85, "devops_engineer"),
    },
    internal_domains: [],
    rules: rulesYaml,
    modifiers,
  });
  return compileRuleSet(riskRules, policies, opts);
}

describe("the rule language", () => {
  it.each<[string, unknown, Action, boolean]>([
    ["? in a pattern", { type: "DOC.V?" }, { type: "doc.v2" }, true],
    ["? needs a character", { type: "DOC.V?" }, { type: "doc.v" }, false],
    [
      "type and operation together",
      { type: "INFRA.*", operation: "stop" },
      { type: "infra.vm", operation: "STOP" },
      true,
    ],
    [
      "type and operation, type differs",
      { type: "INFRA.*", operation: "stop" },
      { type: "app.vm", operation: "stop" },
      false,
    ],
    [
      "environment only",
      { environment: ["prod"] },
      { type: "anything", environment: "PROD" },
      true,
    ],
    ["environment only, absent", { environment: ["prod"] }, { type: "anything" }, false],
    [
      "lt and gte together",
      { facts: [{ fact: "n", gte: 1, lt: 5 }] },
      { type: "x", inputs: { n: 4.9 } },
      true,
    ],
    [
      "lt and gte, outside",
      { facts: [{ fact: "n", gte: 1, lt: 5 }] },
      { type: "x", inputs: { n: 5 } },
      false,
    ],
    ["lte", { facts: [{ fact: "n", lte: 5 }] }, { type: "x", inputs: { n: "5" } }, true],
    [
      "or_unknown, absent",
      { facts: [{ fact: "n", lte: 5, or_unknown: true }] },
      { type: "x" },
      true,
    ],
    [
      "or_unknown, known and failing",
      { facts: [{ fact: "n", lte: 5, or_unknown: true }] },
      { type: "x", inputs: { n: 6 } },
      false,
    ],
    [
      "is: false",
      { facts: [{ fact: "approved", is: false }] },
      { type: "x", inputs: { approved: "false" } },
      true,
    ],
    ["is: false, absent", { facts: [{ fact: "approved", is: false }] }, { type: "x" }, false],
    [
      "is: true on a number",
      { facts: [{ fact: "flag", is: true }] },
      { type: "x", inputs: { flag: 1 } },
      false,
    ],
    [
      "in with a number",
      { facts: [{ fact: "tier", in: ["1", "2"] }] },
      { type: "x", inputs: { tier: 2 } },
      true,
    ],
    [
      "in with an object",
      { facts: [{ fact: "tier", in: ["1"] }] },
      { type: "x", inputs: { tier: { v: 1 } } },
      false,
    ],
    [
      "present: false, absent",
      { facts: [{ fact: "ticket", present: false }] },
      { type: "x" },
      true,
    ],
    [
      "present: false, given",
      { facts: [{ fact: "ticket", present: false }] },
      { type: "x", context: { ticket: "T-1" } },
      false,
    ],
    [
      "count_gt on a non-list",
      { facts: [{ fact: "items", count_gt: 1 }] },
      { type: "x", inputs: { items: "abc" } },
      false,
    ],
    [
      "several keys, the second holds",
      { facts: [{ fact: ["a", "b"], is: true }] },
      { type: "x", inputs: { b: true } },
      true,
    ],
    [
      "several keys, none holds",
      { facts: [{ fact: ["a", "b"], is: true }] },
      { type: "x", inputs: { a: false } },
      false,
    ],
    [
      "three conditions",
      { type: "*", environment: "prod", facts: [{ fact: "n", gt: 1 }] },
      { type: "x", environment: "prod", inputs: { n: 2 } },
      true,
    ],
    [
      "three conditions, one fails",
      { type: "*", environment: "prod", facts: [{ fact: "n", gt: 1 }] },
      { type: "x", environment: "prod", inputs: { n: 0 } },
      false,
    ],
    [
      "four conditions besides the operation",
      {
        operation: "stop",
        environment: "prod",
        resource_type: "vm",
        facts: [{ fact: "n", gt: 1 }],
      },
      { type: "x", operation: "stop", environment: "prod", resource_type: "vm", inputs: { n: 2 } },
      true,
    ],
    [
      "four conditions besides the operation, the last fails",
      {
        operation: "stop",
        environment: "prod",
        resource_type: "vm",
        facts: [{ fact: "n", gt: 1 }],
      },
      { type: "x", operation: "stop", environment: "prod", resource_type: "vm", inputs: { n: 1 } },
      false,
    ],
    [
      "an external recipient with no internal domains",
      { facts: [{ fact: "to", external_recipient: true }] },
      { type: "x", inputs: { to: "a@anything.example" } },
      true,
    ],
  ])("%s", (_, when, action, fires) => {
    const ruleSet = custom([{ id: "r", level: "high", reason: "r", when }]);
    expect(assess(ruleSet, action).matched_rules.includes("r")).toBe(fires);
  });

  it("keeps the file order for matched rules of one level", () => {
    const ruleSet = custom([
      { id: "b", level: "high", reason: "b", when: { type: "*" } },
      { id: "a", level: "high", reason: "a", when: { type: "x*" } },
      { id: "c", level: "critical", reason: "c", when: { type: "*x" } },
    ]);
    expect(assess(ruleSet, { type: "x" }).matched_rules).toEqual(["c", "b", "a"]);
  });

  it("fills placeholders from action fields, facts and fact lists", () => {
    const ruleSet = custom([
      {
        id: "r",
        level: "high",
        reason:
          "{type} {operation} in {environment} on {resource_type}: {description}; {n}/{flag}/{list}/{obj}/{missing}; {long}",
        when: { type: "*" },
      },
    ]);
    const action: Action = {
      type: "Deploy",
      operation: "ship",
      environment: "Prod",
      description: "the thing",
      inputs: {
        n: 1234.5,
        flag: true,
        list: [1, 2, 3],
        obj: { a: 1 },
        long: "y".repeat(100),
        resource_type: "vm",
      },
    };
    expect(assess(ruleSet, action).reasons[0]).toBe(
      `Deploy ship in Prod on vm: the thing; 1,234.5/true/3 entries/a structured value/unknown; ${"y".repeat(79)}…`,
    );
  });

  it("fills a modifier's placeholders and adds its contribution", () => {
    const ruleSet = custom(
      [],
      [{ id: "m", add: 0.05, reason: "Has {n} things", when_any: [{ fact: "n", gt: 0 }] }],
    );
    const result = assess(ruleSet, { type: "x", inputs: { n: -0 + 3 } });
    expect(result.reasons).toContain("Has 3 things (+0.05)");
    expect(result.score).toBe(0.45);
  });

  it("evaluates a modifier that can hold with no fact given", () => {
    const ruleSet = custom(
      [],
      [
        {
          id: "no-ticket",
          add: 0.3,
          reason: "No ticket",
          when_any: [{ fact: "ticket", present: false }],
        },
      ],
    );
    expect(assess(ruleSet, { type: "x" })).toMatchObject({ level: "high", score: 0.7 });
    expect(assess(ruleSet, { type: "x", inputs: { ticket: "T" } })).toMatchObject({
      level: "medium",
      score: 0.4,
    });
  });

  it("scores below every higher band stay at the lowest level", () => {
    const ruleSet = custom([{ id: "r", level: "low", reason: "r", when: { type: "*" } }]);
    expect(assess(ruleSet, { type: "x" })).toMatchObject({ level: "low", score: 0.1 });
  });

  it("refuses a level its required role cannot approve", () => {
    const riskRules = riskRulesSchema.parse({
      version: 1,
      levels: {
        low: level(0.1, 0, "developer"),
        medium: level(0.4, 0.3, "developer"),
        high: level(0.7, 0.6, "tech_lead"),
        critical: level(0.9, 0.85, "tech_lead"),
      },
      rules: [],
    });
    let error: unknown;
    try {
      compileRuleSet(riskRules, policies);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleSetError);
    expect((error as RuleSetError).issues).toEqual([
      {
        file: "risk-rules",
        path: ["levels", "medium", "required_role"],
        message:
          "developer cannot approve medium requests (approval-policies.yaml: roles.developer.can_approve)",
      },
      {
        file: "risk-rules",
        path: ["levels", "critical", "required_role"],
        message:
          "tech_lead cannot approve critical requests (approval-policies.yaml: roles.tech_lead.can_approve)",
      },
    ]);
    expect((error as Error).message).toContain(
      "risk-rules: levels.medium.required_role: developer cannot approve",
    );
  });
});

describe("the rule set", () => {
  it("has a version that is stable and follows the configuration and options", () => {
    expect(rules.version).toMatch(/^[0-9a-f]{16}$/);
    expect(load().version).toBe(rules.version);
    expect(load({ defaultRiskLevel: "high" }).version).not.toBe(rules.version);
    expect(load({ autoApproveLowRisk: false }).version).not.toBe(rules.version);
    expect(custom([]).version).not.toBe(rules.version);
  });

  it("describes itself as plain JSON for the rule viewer and the API", () => {
    const view = rules.view;
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(view.version).toBe(rules.version);
    expect(view.defaults).toEqual({
      level: "medium",
      auto_approve_low_risk: true,
      requires_approval: true,
    });
    expect(
      view.levels.map((l) => [
        l.level,
        l.rank,
        l.auto_approve,
        l.timeout_minutes,
        l.required_approvals,
      ]),
    ).toEqual([
      ["low", 0, true, 5, 1],
      ["medium", 1, false, 30, 1],
      ["high", 2, false, 60, 1],
      ["critical", 3, false, 120, 2],
    ]);
    expect(view.levels[3]).toMatchObject({
      required_role: "devops_engineer",
      requires_justification: true,
      score_base: 0.95,
      band_from: 0.92,
      expiry_outcome: "reject",
      auto_escalate_after: 0.5,
      max_escalations: 1,
    });
    expect(view.rules).toHaveLength(EVERY_RULE.length);
    expect(view.rules.find((r) => r.id === "high-value-financial")).toEqual({
      id: "high-value-financial",
      level: "high",
      reason: "Moves money with an amount of {amount} (10,000 or more, or not given)",
      conditions: [
        "type matches *PAYMENT*, *TRANSFER* or *FINANCIAL*",
        "amount, value or total ≥ 10000, or no number given",
      ],
      when: {
        type: ["*PAYMENT*", "*TRANSFER*", "*FINANCIAL*"],
        facts: [{ fact: ["amount", "value", "total"], gte: 10000, or_unknown: true }],
      },
    });
    expect(view.rules.find((r) => r.id === "production-delete")?.conditions).toEqual([
      "operation is delete, remove, destroy, drop, purge or truncate",
      "environment is production or prod",
    ]);
    expect(view.rules.find((r) => r.id === "secrets-change")?.conditions[1]).toMatch(
      /^resource type is secret/,
    );
    expect(view.modifiers.map((m) => [m.id, m.add])).toEqual([
      ["bulk-operation", 0.2],
      ["financial-data", 0.15],
      ["external-communication", 0.1],
      ["sensitive-data", 0.1],
      ["security-findings", 0.1],
    ]);
    expect(view.modifiers[2]?.conditions).toEqual([
      "external is true",
      "to, recipient, recipients, cc or bcc has an address outside company.example",
    ]);
    expect(view.internal_domains).toEqual(["company.example"]);
    expect(
      view.roles.map((r) => [r.role, r.rank, r.can_approve, r.escalate_to, r.max_claimed]),
    ).toEqual([
      ["viewer", 0, [], null, 0],
      ["developer", 1, ["low"], null, 5],
      ["tech_lead", 2, ["low", "medium", "high"], "devops_engineer", 10],
      ["devops_engineer", 3, ["low", "medium", "high", "critical"], null, 20],
    ]);
  });

  it("includes the permission table", () => {
    expect(rules.view.permissions.tech_lead.approve).toEqual(["low", "medium", "high"]);
    expect(rules.view.permissions.devops_engineer.grant).toEqual(["low", "medium", "high"]);
    expect(rules.view.permissions.viewer.view).toEqual(["low", "medium", "high", "critical"]);
  });

  it("reports the effective auto-approval of low risk", () => {
    expect(load({ autoApproveLowRisk: false }).view.levels[0]?.auto_approve).toBe(false);
  });

  it("describes every kind of fact test", () => {
    const ruleSet = custom([
      {
        id: "r",
        level: "high",
        reason: "r",
        when: {
          resource_type: "vm",
          facts: [
            { fact: "a", is: false },
            { fact: "b", in: ["x", "y"] },
            { fact: "c", present: true },
            { fact: "d", present: false },
            { fact: "e", count_gt: 3 },
            { fact: "f", severity_in: ["high"] },
            { fact: ["g", "h"], external_recipient: true },
            { fact: "i", gt: 1, lte: 2 },
            { fact: "j", lt: 0 },
          ],
        },
      },
    ]);
    expect(ruleSet.view.rules[0]?.conditions).toEqual([
      "resource type is vm",
      "a is false",
      "b is x or y",
      "c is given",
      "d is not given",
      "e lists more than 3 entries",
      "f reports a finding of severity high",
      "g or h has an address outside the organisation",
      "i > 1 and ≤ 2",
      "j < 0",
    ]);
  });
});
