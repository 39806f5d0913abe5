// npm run bench:risk — risk assessment against JSON.parse of the same actions (SPEC §9).
//
// Both are timed in the same process on the same 10,000 actions, so the ratio says how the
// engine compares with the cheapest thing every request already does, whatever the machine.
// Target: assess/parse ≤ 1.0. With `--json` it prints the figures as one JSON object, which
// is how `npm run bench` (tools/bench/http.ts) takes them into BENCHMARKS.md: in a process of
// their own, so nothing else the benchmark loads or runs skews them.
import os from "node:os";
import { DEFAULT_HITL_CONFIG_DIR, loadHitlConfig } from "@/lib/config/load";
import { type Action, assess } from "@/lib/hitl";

const ACTIONS = 10_000;
const WARMUP_ROUNDS = 5;
const ROUNDS = 15;

// Deterministic, so two runs measure the same mix.
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const ENVIRONMENTS = ["production", "staging", "development", "Production", "dev"];
const OPERATIONS = ["deploy", "delete", "read", "write", "scale", "export", "import", "merge"];
const RESOURCES = ["service", "file", "database", "secret", "network", "dataset", "cluster"];
const BUSINESS_TYPES = [
  "COMMUNICATION.SEND_EMAIL",
  "DOCUMENT.GENERATE_NDA",
  "FINANCE.PAYMENT_CREATE",
  "BANK.TRANSFER",
  "CRM.ENRICH_CONTACT",
  "ANALYSIS.MARKET_SIZE",
  "DEAL.VALUATION_UPDATE",
  "CRM.GET_CONTACT",
  "DEALS.LIST",
  "WEB.FETCH_PAGE",
  "DEAL.UPDATE_STAGE",
  "NOTES.APPEND",
];

function operationalAction(): Action {
  const operation = pick(OPERATIONS);
  const action: Action = {
    type: rand() < 0.5 ? operation : `infra.${operation}`,
    operation,
    environment: pick(ENVIRONMENTS),
    resource_type: pick(RESOURCES),
    description: `${operation} requested by the feature-dev agent for ticket ${Math.floor(rand() * 9999)}`,
    inputs: {
      service: pick(["billing-api", "auth-service", "search-indexer"]),
      version: `1.${Math.floor(rand() * 40)}.0`,
      commit: Math.floor(rand() * 2 ** 52)
        .toString(16)
        .padStart(40, "0"),
      replicas: 3,
    },
    context: { ticket: `OPS-${Math.floor(rand() * 9999)}`, requested_by: "feature-dev" },
  };
  if (operation === "merge") action.inputs = { target_branch: pick(["main", "production", "dev"]) };
  if (rand() < 0.3) action.inputs = { ...action.inputs, estimated_cost: Math.floor(rand() * 3000) };
  if (rand() < 0.15)
    action.context = {
      ...action.context,
      security_findings: [{ severity: pick(["low", "medium", "high"]) }],
    };
  if (rand() < 0.1) action.inputs = { ...action.inputs, data_sensitive: true };
  return action;
}

function businessAction(): Action {
  const type = pick(BUSINESS_TYPES);
  const inputs: Record<string, unknown> = { deal_id: `D-${Math.floor(rand() * 99999)}` };
  if (type.includes("EMAIL")) {
    inputs.to = pick(["ceo@acme.com", "ops@company.example", "Jane Doe <jane@partner.org>"]);
    inputs.subject = "Quarterly update on the acquisition";
    inputs.body = "Hello, please find attached the summary of this quarter's diligence findings.";
  }
  if (/PAYMENT|TRANSFER|VALUATION/.test(type))
    inputs.amount = pick([500, 9999, 10000, "15000", 250000]);
  if (rand() < 0.05) inputs.bulk = true;
  return {
    type,
    description: `Agent step for deal ${inputs.deal_id}`,
    inputs,
    context: {
      deal_stage: pick(["sourcing", "diligence", "closing", "closed"]),
      workflow: "deal-flow",
    },
  };
}

const payloads = Array.from({ length: ACTIONS }, () =>
  JSON.stringify(rand() < 0.5 ? operationalAction() : businessAction()),
);
const avgBytes = Math.round(payloads.reduce((n, p) => n + p.length, 0) / ACTIONS);
const { ruleSet } = loadHitlConfig({ dir: DEFAULT_HITL_CONFIG_DIR });
const parsed: Action[] = payloads.map((p) => JSON.parse(p));

// Results feed a checksum so neither loop can be optimised away.
let checksum = 0;

function timeParse(): number {
  const start = process.hrtime.bigint();
  for (const p of payloads) checksum += (JSON.parse(p) as Action).type.length;
  return Number(process.hrtime.bigint() - start);
}

function timeAssess(): number {
  const start = process.hrtime.bigint();
  for (const a of parsed) checksum += assess(ruleSet, a).score;
  return Number(process.hrtime.bigint() - start);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const parseNs: number[] = [];
const assessNs: number[] = [];
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  const p = timeParse();
  const a = timeAssess();
  if (round >= WARMUP_ROUNDS) {
    parseNs.push(p);
    assessNs.push(a);
  }
}

const opsPerSec = (ns: number) => Math.round((ACTIONS * 1e9) / ns);
const parseOps = opsPerSec(median(parseNs));
const assessOps = opsPerSec(median(assessNs));
const ratio = median(assessNs) / median(parseNs);
const fmt = (n: number) => n.toLocaleString("en-US").padStart(12);

if (process.argv.includes("--json")) {
  console.log(
    JSON.stringify({
      actions: ACTIONS,
      avg_bytes: avgBytes,
      rounds: ROUNDS,
      parse_ops: parseOps,
      assess_ops: assessOps,
      ratio,
      checksum,
    }),
  );
} else {
  console.log(
    `risk assessment vs JSON.parse — ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`,
  );
  console.log(
    `${ACTIONS.toLocaleString("en-US")} actions (average ${avgBytes} bytes), median of ${ROUNDS} rounds after ${WARMUP_ROUNDS} warm-up`,
  );
  console.log(`  JSON.parse ${fmt(parseOps)} ops/s`);
  console.log(`  assess     ${fmt(assessOps)} ops/s`);
  console.log(
    `  ratio assess/parse ${ratio.toFixed(2)} (target ≤ 1.00: ${ratio <= 1 ? "met" : "NOT met"})`,
  );
  console.log(`  (checksum ${checksum.toFixed(1)})`);
}
