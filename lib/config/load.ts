// Reads config/hitl/*.yaml (or HITL_CONFIG_DIR), validates both files and compiles the rule
// set. Any problem stops start-up with the file, the line, the path inside the file and what
// is wrong, e.g. `config/hitl/risk-rules.yaml:57 levels.critical.timeout_minutes: expected
// an integer, got "two hours"`.
import fs from "node:fs";
import path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import {
  approvalPoliciesSchema,
  compileRuleSet,
  type RiskLevel,
  type RuleSet,
  RuleSetError,
  riskRulesSchema,
} from "@/lib/hitl";

export const DEFAULT_HITL_CONFIG_DIR = "config/hitl";
export const RISK_RULES_FILE = "risk-rules.yaml";
export const APPROVAL_POLICIES_FILE = "approval-policies.yaml";

export interface LoadHitlConfigOptions {
  dir: string;
  defaultRiskLevel?: RiskLevel;
  autoApproveLowRisk?: boolean;
  defaultRequiresApproval?: boolean;
}

export interface HitlConfig {
  ruleSet: RuleSet;
  /** Absolute paths of the files the rule set was read from. */
  files: { riskRules: string; approvalPolicies: string };
}

export interface ConfigProblem {
  /** The file as shown to people: relative to the working directory when inside it. */
  file: string;
  line: number | null;
  /** Where inside the file, e.g. `rules[3].when.type`; empty for the file as a whole. */
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid HITL configuration:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
    );
  }
}

function formatProblem(p: ConfigProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}`;
  return p.path === "" ? `${where}: ${p.message}` : `${where} ${p.path}: ${p.message}`;
}

export function loadHitlConfig(opts: LoadHitlConfigOptions): HitlConfig {
  const riskFile = path.resolve(opts.dir, RISK_RULES_FILE);
  const policyFile = path.resolve(opts.dir, APPROVAL_POLICIES_FILE);
  const risk = readValidated(riskFile, riskRulesSchema);
  const policies = readValidated(policyFile, approvalPoliciesSchema);
  const problems = [...risk.problems, ...policies.problems];
  if (risk.data === undefined || policies.data === undefined) throw new ConfigError(problems);

  try {
    const ruleSet = compileRuleSet(risk.data, policies.data, {
      defaultRiskLevel: opts.defaultRiskLevel,
      autoApproveLowRisk: opts.autoApproveLowRisk,
      defaultRequiresApproval: opts.defaultRequiresApproval,
    });
    return { ruleSet, files: { riskRules: riskFile, approvalPolicies: policyFile } };
  } catch (err) {
    if (!(err instanceof RuleSetError)) throw err;
    throw new ConfigError(
      err.issues.map((i) => {
        if (i.file === "environment") {
          return { file: "environment", line: null, path: i.path.join("."), message: i.message };
        }
        return problemAt(i.file === "risk-rules" ? risk : policies, i.path, i.message);
      }),
    );
  }
}

interface Source<T> {
  file: string;
  doc: ReturnType<typeof parseDocument> | undefined;
  lines: LineCounter;
  data: T | undefined;
  problems: ConfigProblem[];
}

function readValidated<T>(absPath: string, schema: z.ZodType<T>): Source<T> {
  const file = displayPath(absPath);
  const lines = new LineCounter();
  const source: Source<T> = { file, doc: undefined, lines, data: undefined, problems: [] };
  let text: string;
  try {
    text = fs.readFileSync(absPath, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === "ENOENT" ? "file not found" : `cannot read the file (${code})`;
    source.problems.push({ file, line: null, path: "", message });
    return source;
  }

  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  source.doc = doc;
  if (doc.errors.length > 0) {
    source.problems = doc.errors.map((e) => ({
      file,
      line: e.linePos?.[0].line ?? null,
      path: "",
      message: `YAML syntax error: ${e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "")}`,
    }));
    return source;
  }

  const parsed = schema.safeParse(doc.toJS());
  if (parsed.success) {
    source.data = parsed.data;
    return source;
  }
  source.problems = parsed.error.issues.map((issue) => {
    const issuePath = issue.path.filter((k) => typeof k !== "symbol");
    // A single unknown key is located at the key itself, so the line points at the typo.
    if (issue.code === "unrecognized_keys" && issue.keys.length === 1) {
      issuePath.push(issue.keys[0] as string);
    }
    return problemAt(source, issuePath, issue.message);
  });
  return source;
}

function problemAt(
  source: Source<unknown>,
  issuePath: (string | number)[],
  message: string,
): ConfigProblem {
  const found = locate(source.doc?.contents ?? null, issuePath);
  // The schema accepts a single value where a list is allowed; a problem with "item 0" of a
  // value written as a scalar belongs to the scalar itself.
  const shown = found.scalarListItem ? issuePath.slice(0, -1) : issuePath;
  const line = found.offset === null ? null : source.lines.linePos(found.offset).line;
  return { file: source.file, line, path: formatPath(shown), message };
}

/** The start of the deepest node (or mapping key) on the path that exists in the document. */
function locate(root: Node | null, issuePath: readonly (string | number)[]) {
  let node: unknown = root;
  let offset: number | null = root?.range?.[0] ?? null;
  for (const [i, segment] of issuePath.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
      if (pair === undefined) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      offset = (node as Node | undefined)?.range?.[0] ?? offset;
    } else {
      const scalarListItem =
        isScalar(node) && typeof segment === "number" && i === issuePath.length - 1;
      return { offset, scalarListItem };
    }
  }
  return { offset, scalarListItem: false };
}

function formatPath(issuePath: readonly (string | number)[]): string {
  let out = "";
  for (const segment of issuePath) {
    out += typeof segment === "number" ? `[${segment}]` : out === "" ? segment : `.${segment}`;
  }
  return out;
}

function displayPath(absPath: string): string {
  const rel = path.relative(process.cwd(), absPath);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : absPath;
}
