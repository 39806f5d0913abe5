// What `npm run bench` prints and writes to BENCHMARKS.md: the figures table, the SPEC §9
// ratios with their targets, and the hand-written notes of an earlier BENCHMARKS.md carried
// over. Plain data in, text out, so the layout can change without running a benchmark.
import type { LatencyFigure, ThroughputFigure } from "./execution";
import type { Seeded, StoredFigure } from "./stored";

/** Everything from this line on in BENCHMARKS.md is written by hand and kept on regeneration. */
export const NOTES_MARKER = "<!-- notes -->";

export type FigureId =
  | "floor"
  | "health"
  | "health-1"
  | "assess"
  | "low-1"
  | "low-32"
  | "pending-1"
  | "pending-32"
  | "pending-32-keys";

export interface Figure {
  id: FigureId;
  endpoint: string;
  clients: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** The handler's own time (its Server-Timing header), p50; NaN where no header came. */
  serverP50Ms: number;
  /** Non-2xx answers plus connection errors and timeouts. */
  errors: number;
  /** Every request that got an answer or failed: the denominator of the error rate. */
  total: number;
}

export interface RiskFigure {
  parseOps: number;
  assessOps: number;
  ratio: number;
}

export interface RunInfo {
  date: string;
  commit: string;
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  postgres: string;
  /** The 1-minute load average before the run: says whether something else was busy. */
  loadBefore: number;
  durationS: number;
  warmupS: number;
}

export interface Ratio {
  name: string;
  value: string;
  target: string;
  /** null: for information, or not measured in this run. */
  pass: boolean | null;
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** The SPEC §9 targets, plus the submit ÷ floor ratios that say how far the app is from the
 * machine. A figure missing from `figures` (or the risk figure in an --http-only run) shows
 * as not measured rather than as a miss. */
export function spec9Ratios(figures: readonly Figure[], risk: RiskFigure | null): Ratio[] {
  const by = new Map(figures.map((f) => [f.id, f]));
  const rps = (id: FigureId) => by.get(id)?.reqPerSec ?? Number.NaN;
  const quotient = (name: string, a: FigureId, b: FigureId, min: number | null): Ratio => {
    const value = rps(a) / rps(b);
    return {
      name,
      value: fixed(value, 2),
      target: min === null ? "(information)" : `≥ ${min}`,
      pass: min === null || !Number.isFinite(value) ? null : value >= min,
    };
  };
  const lowP50 = by.get("low-1")?.serverP50Ms ?? Number.NaN;
  const lowClientP50 = by.get("low-1")?.p50Ms ?? Number.NaN;
  return [
    quotient("submit (low risk) ×32 ÷ GET /api/health ×32", "low-32", "health", 0.5),
    quotient("submit (low risk) ×32 ÷ submit (low risk) ×1", "low-32", "low-1", 4),
    quotient("submit (pending) ×32 ÷ submit (pending) ×1", "pending-32", "pending-1", 4),
    quotient(
      "submit (pending) ×32 from 32 agent keys ÷ submit (pending) ×1",
      "pending-32-keys",
      "pending-1",
      null,
    ),
    {
      name: "submit (low risk) ×1, p50 server-side (Server-Timing)",
      value: `${fixed(lowP50, 2)} ms`,
      target: "< 5 ms",
      pass: Number.isFinite(lowP50) ? lowP50 < 5 : null,
    },
    (() => {
      const value = lowClientP50 / (by.get("health-1")?.p50Ms ?? Number.NaN);
      return {
        name: "submit (low risk, auto-approved) ×1 p50 ÷ GET /api/health ×1 p50, seen by the client",
        value: fixed(value, 2),
        target: "≤ 2",
        pass: Number.isFinite(value) ? value <= 2 : null,
      };
    })(),
    {
      name: "submit (low risk) ×1, p50 seen by the client",
      value: `${fixed(lowClientP50, 2)} ms`,
      target: "(information)",
      pass: null,
    },
    risk
      ? {
          name: "assess ÷ JSON.parse (tools/bench/risk.ts, no HTTP)",
          value: fixed(risk.ratio, 2),
          target: "≤ 1.0",
          pass: risk.ratio <= 1,
        }
      : {
          name: "assess ÷ JSON.parse (tools/bench/risk.ts)",
          value: "not run",
          target: "≤ 1.0",
          pass: null,
        },
    quotient("submit (low risk) ×32 ÷ machine floor ×32", "low-32", "floor", null),
    quotient("submit (pending) ×32 ÷ machine floor ×32", "pending-32", "floor", null),
  ];
}

/** The figures that are not one autocannon run: memory, and the cross-instance wake-up. */
export interface ExtraFigures {
  /** Resident memory of the app server's processes at the end of the load, MiB. */
  rssMiB: number;
  /** The graph drives the loads left queued, and how long the two instances took to drive them. */
  drain: { drives: number; ms: number };
  wake: { rounds: number; sse: number[]; wait: number[] };
  /** Tasks approved on arrival, end to end to their callbacks (tools/bench/execution.ts). */
  execution?: { latency: LatencyFigure; throughput: ThroughputFigure };
  /** The reads with 100,000 requests stored (tools/bench/stored.ts). */
  stored?: { seeded: Seeded; figures: StoredFigure[] };
}

/** A stored read's server time: its Server-Timing (API), else what one connection waits (pages). */
export function storedServerMs(f: StoredFigure): { ms: number; measured: "server" | "client" } {
  return Number.isFinite(f.serverP50Ms)
    ? { ms: f.serverP50Ms, measured: "server" }
    : { ms: f.p50Ms, measured: "client" };
}

function nth(ms: readonly number[], p: number): number {
  const sorted = [...ms].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[
    Math.min(Math.max(Math.ceil((p / 100) * sorted.length) - 1, 0), sorted.length - 1)
  ] as number;
}

export function extraRatios(extra: ExtraFigures | null): Ratio[] {
  if (!extra) return [];
  const wake = (name: string, ms: readonly number[]): Ratio => {
    const p99 = nth(ms, 99);
    return {
      name: `decision on one instance → agent waiting on another (${name}, ${ms.length} rounds), p50 / p99`,
      value: `${fixed(nth(ms, 50), 1)} / ${fixed(p99, 1)} ms`,
      target: "p99 < 50 ms",
      pass: Number.isFinite(p99) ? p99 < 50 : null,
    };
  };
  const perSecond = extra.drain.drives / (extra.drain.ms / 1000);
  return [
    ...executionRatios(extra.execution),
    {
      name: `graph drives the loads queued (${extra.drain.drives}), driven by two instances, per second`,
      value: extra.drain.drives > 0 ? fixed(perSecond, 0) : "none queued",
      target: "(information)",
      pass: null,
    },
    wake("task event stream", extra.wake.sse),
    wake("?wait=", extra.wake.wait),
    {
      name: "resident memory of the app server at the end of the load",
      value: `${fixed(extra.rssMiB, 0)} MiB`,
      target: "< 400 MB",
      pass: extra.rssMiB > 0 ? extra.rssMiB * 1.048576 < 400 : null,
    },
    ...(extra.stored?.figures.length
      ? extra.stored.figures.map((f): Ratio => {
          const { ms, measured } = storedServerMs(f);
          const plain = f.seqScans.length === 0;
          return {
            name: `${f.name}, ${extra.stored?.seeded.requests.toLocaleString("en-US")} requests stored: p50 ${measured === "server" ? "server time (Server-Timing)" : "response at one connection"}${plain ? "" : `; SEQUENTIAL SCAN of ${f.seqScans.join(", ")}`}`,
            value: `${fixed(ms, 2)} ms`,
            target: "< 50 ms server time, index scans",
            pass: Number.isFinite(ms) ? ms < 50 && plain : null,
          };
        })
      : [
          {
            name: "queue API, queue page, timeline and request page with 100,000 stored requests",
            value: "not measured in this run",
            target: "< 50 ms server time",
            pass: null,
          },
        ]),
  ];
}

/** The end-to-end figures of a task approved on arrival: submit → callback, intake → execution. */
function executionRatios(execution: ExtraFigures["execution"]): Ratio[] {
  if (!execution) {
    return [
      {
        name: "tasks approved on arrival, executed and called back",
        value: "not measured in this run",
        target: "execution ÷ intake ≥ 0.9; submit → callback p50 < 50 ms",
        pass: null,
      },
    ];
  }
  const { latency, throughput: t } = execution;
  const repeats = t.repeated === 0 ? "" : `; ${t.repeated} CALLED BACK MORE THAN ONCE`;
  return [
    {
      name: `executed and called back ÷ accepted per second, low risk ×${t.clients} (${t.accepted.toLocaleString("en-US")} tasks at ${fixed(t.intakePerSec, 0)}/s, called back at ${fixed(t.executedPerSec, 0)}/s, every callback delivered, the last ${fixed(t.tailMs / 1000, 1)} s after the last submit${repeats})`,
      value: fixed(t.ratio, 2),
      target: "≥ 0.9",
      pass: t.ratio >= 0.9 && t.repeated === 0,
    },
    {
      name: `submit → signed callback, low risk ×1 (${latency.rounds} tasks one at a time), p50 / p99`,
      value: `${fixed(latency.p50Ms, 1)} / ${fixed(latency.p99Ms, 1)} ms`,
      target: "p50 < 50 ms",
      pass: Number.isFinite(latency.p50Ms) ? latency.p50Ms < 50 : null,
    },
  ];
}

/** Each stored read's latency and the scan nodes of its statements' plans. */
export function storedTable(stored: NonNullable<ExtraFigures["stored"]>): string {
  return markdownTable(
    ["read", "GET", "p50 ms", "p99 ms", "server p50 ms", "plans (scan nodes, from EXPLAIN)"],
    stored.figures.map((f) => [
      f.name,
      `\`${f.path}\``,
      fixed(f.p50Ms, 2),
      fixed(f.p99Ms, 2),
      fixed(f.serverP50Ms, 2),
      f.plans.join("; "),
    ]),
  );
}

const verdict = (pass: boolean | null) => (pass === null ? "" : pass ? "PASS" : "MISS");

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

export function figuresTable(figures: readonly Figure[]): string {
  return markdownTable(
    ["endpoint", "clients", "req/s", "p50 ms", "p99 ms", "server p50 ms", "errors"],
    figures.map((f) => [
      f.endpoint,
      String(f.clients),
      Math.round(f.reqPerSec).toLocaleString("en-US"),
      fixed(f.p50Ms, 2),
      fixed(f.p99Ms, 2),
      fixed(f.serverP50Ms, 2),
      f.errors === 0 ? "0" : `**${f.errors}** of ${f.total}`,
    ]),
  );
}

export function ratiosTable(ratios: readonly Ratio[]): string {
  return markdownTable(
    ["figure", "value", "target", "result"],
    ratios.map((r) => [r.name, r.value, r.target, verdict(r.pass)]),
  );
}

/** The generated part of BENCHMARKS.md, ending with the notes marker. */
export function renderReport(
  info: RunInfo,
  figures: readonly Figure[],
  risk: RiskFigure | null,
  extra: ExtraFigures | null = null,
): string {
  const riskLine = risk
    ? `Risk engine (tools/bench/risk.ts, one process, no HTTP): JSON.parse ${Math.round(risk.parseOps).toLocaleString("en-US")} ops/s, assess ${Math.round(risk.assessOps).toLocaleString("en-US")} ops/s.`
    : "Risk engine: not measured in this run (--http-only).";
  return [
    "# Benchmarks",
    "",
    `Produced by \`npm run bench\` (tools/bench/http.ts): every row is one autocannon run of ${info.durationS} s after a ${info.warmupS} s warm-up that is not counted, against the production build (\`next start\`) on a fresh PostgreSQL database. Server, PostgreSQL and the load generator share this machine, so the figures say what one box does, not what the app does alone; rerun it to compare. The floor is a bare \`node:http\` server that parses the same JSON body and does one INSERT per request with the same driver and pool size (10) as the app.`,
    "",
    `- Machine: ${info.cpu}, ${info.cores} cores, ${fixed(info.ramGiB, 1)} GiB RAM; Node ${info.node}; PostgreSQL ${info.postgres}`,
    `- Load average (1 min) before the run: ${fixed(info.loadBefore, 2)}`,
    `- Date: ${info.date}`,
    `- Commit: ${info.commit}`,
    "",
    figuresTable(figures),
    "",
    "Latency is measured by the client: it includes the loopback round trip and HTTP on both sides, not only the server's work. Errors are non-2xx answers plus connection errors; a run with more than 1% of them is refused.",
    "",
    riskLine,
    "",
    "## SPEC §9 targets",
    "",
    ratiosTable([...spec9Ratios(figures, risk), ...extraRatios(extra)]),
    "",
    "The end-to-end figures are taken first, on an empty outbox, with low-risk tasks (approved on arrival) submitted with a `callback_url` to a receiver in the benchmark's process (the app allows loopback callbacks for it): at one client, 50 tasks one after the other, each timed from its submit to its signed callback's arrival; at 32 clients, submits for the run's duration, then every callback waited for: intake is the tasks accepted per second while the clients submitted, execution the callbacks per second from the first submit to the last callback.",
    "",
    "A task approved on arrival is executed by its submit, with no graph; every submit of a task that waits queues its graph's start (and every decision its resume) in the outbox, which each instance's worker drives a few at a time; the pending loads queue them faster than that, so the benchmark starts the second instance and waits until the two have driven them all (the graph-drive figure) before it measures what follows. The wake-up figure runs a second `next start` on the same database: each round submits a high-risk task and approves it on the first instance while the agent waits on the second (on its task's event stream, whose first event says it listens; or on `?wait=30`, given 50 ms to arrive first), timed from the approval's answer to the agent's. The memory is the sum of VmRSS over the first server's process group, read after the loads above.",
    "",
    ...(extra?.stored ? storedSection(extra.stored) : []),
    NOTES_MARKER,
    "",
  ].join("\n");
}

/** What follows the notes marker in an earlier BENCHMARKS.md (empty when there is none). */
export function keptNotes(previous: string | null): string {
  if (previous === null) return "";
  const at = previous.indexOf(NOTES_MARKER);
  if (at < 0) return "";
  // Drop only the newline that ends the marker line: the notes are copied through unchanged.
  return previous.slice(at + NOTES_MARKER.length).replace(/^\r?\n/, "");
}

function storedSection(stored: NonNullable<ExtraFigures["stored"]>): string[] {
  const { seeded } = stored;
  return [
    `## Reads with ${seeded.requests.toLocaleString("en-US")} requests stored`,
    "",
    `After the loads, ${seeded.requests.toLocaleString("en-US")} requests and ${seeded.events.toLocaleString("en-US")} audit events are in the database: those the loads left (thousands of them still open) and 100,000 written in bulk (tools/bench/stored.ts: half a year of every level and outcome, 2 % open, with their tasks, approvals and two events each) in ${fixed(seeded.seedMs / 1000, 1)} s. Every event is sealed into the chain before a read is timed: the servers' sealers and the benchmark's own passes had sealed them all ${fixed(seeded.sealMs / 1000, 1)} s after the write. Each read is timed at one connection for 5 s, signed in as a tech lead (the pages) or with their reviewer key (the API). The API answers carry the handler's own time (Server-Timing); the pages do not, so their figure is the response time at one connection over loopback, which bounds the server's time from above. The timeline and the request page are of a workflow of 12 requests made through the API. The plans are PostgreSQL's for every statement the same reads send, run through the app's services in the benchmark's process and EXPLAINed with their parameters.`,
    "",
    storedTable(stored),
    "",
  ];
}
