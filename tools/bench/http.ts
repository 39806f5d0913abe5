// npm run bench — HTTP load figures of the built app beside the machine's floor and the risk
// engine's figure (SPEC §9), printed and written to BENCHMARKS.md.
//
// One run: a fresh database on the PostgreSQL server at BENCH_DATABASE_URL (default: the local
// one, trust auth), the production build (rebuilt only when the sources changed, as
// `npm run demo` decides), `next start` on a free port, a bare node:http + INSERT server as the
// floor (tools/bench/floor.ts), then autocannon against each endpoint. Whatever it starts it
// stops and the database is dropped, on success, failure and Ctrl-C alike.
//
// Options: --duration N (seconds per figure, default 10), --build (always build), --no-build
// (serve the existing build), --http-only (skip the risk figure and leave BENCHMARKS.md alone),
// --reads-only (only the reads with 100,000 requests stored; BENCHMARKS.md left alone),
// --execution-only (only the two end-to-end figures; BENCHMARKS.md left alone),
// --profile (the server's CPU profile under each one-client load, summed by area and function:
// tools/bench/profile.ts; BENCHMARKS.md left alone).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import postgres from "postgres";
import { z } from "zod";
import { createDb } from "@/db/client";
import {
  isBuildCurrent,
  recordBuild,
  serverNodeOptions,
  sourceFingerprint,
  waitForHealth,
} from "@/lib/cli/demo-server";
import { submitTaskResponseSchema } from "@/lib/contract/tasks";
import { freePort } from "@/lib/net/free-port";
import { createApiKey } from "@/lib/services/accounts/keys";
import { addUser } from "@/lib/services/accounts/users";
import { operator } from "@/lib/services/principal";
import {
  measureCallbackLatency,
  measureThroughput,
  type Receiver,
  startReceiver,
  type ThroughputFigure,
} from "./execution";
import { ascending, fire, percentile } from "./load";
import { type ProfileWindow, profileReport, readProfile, summarizeProfile } from "./profile";
import {
  extraRatios,
  type Figure,
  type FigureId,
  figuresTable,
  keptNotes,
  type RiskFigure,
  type RunInfo,
  ratiosTable,
  renderReport,
  spec9Ratios,
} from "./report";
import {
  makeTimeline,
  measureStored,
  STORED_REQUESTS,
  type StoredIds,
  seedStoredRequests,
  signIn,
} from "./stored";
import { drainWorkflows, groupRssMiB, measureWake } from "./wake";

const ROOT = process.cwd();
const REPORT_FILE = path.join(ROOT, "BENCHMARKS.md");
const WARMUP_S = 2;
const DEFAULT_DURATION_S = 10;
const MANY = 32;
/** Rounds of the cross-instance wake-up figure, per way of waiting. */
const WAKE_ROUNDS = 100;
/** Tasks submitted one at a time for the submit → callback figure. */
const CALLBACK_ROUNDS = 50;
const CALLBACKS_TIMEOUT_MS = 5 * 60_000;
// More than this share of failed requests makes the run invalid: its figures would measure
// error paths, not the work.
const MAX_ERROR_RATE = 0.01;
const HEALTH_TIMEOUT_MS = 90_000;
const DRAIN_TIMEOUT_MS = 6 * 60_000;
const STOP_GRACE_MS = 5_000;
const BENCH_OPERATOR = operator("bench");
// Only ever on the benchmark's own throwaway database.
const LEAD_PASSWORD = "bench-only-password";

// ---------------------------------------------------------------------------------------------
// What the figures send

const BASE_TASK = { workflow_id: "bench", agent_name: "bench-agent" };
// file-read in config/hitl/risk-rules.yaml: low risk, which the shipped levels auto-approve.
const LOW_RISK_ACTION = {
  type: "read",
  operation: "read",
  environment: "development",
  resource_type: "file",
  description: "Read the service README for the benchmark",
  inputs: { path: "README.md" },
};
// production-deploy: high risk, which waits for a tech lead's approval.
const PENDING_ACTION = {
  type: "deploy",
  operation: "deploy",
  environment: "production",
  resource_type: "service",
  description: "Deploy billing-api 1.4.0 to production",
  inputs: { service: "billing-api", version: "1.4.0" },
};
const LOW_RISK_TASK = JSON.stringify({ ...BASE_TASK, action: LOW_RISK_ACTION });
const PENDING_TASK = JSON.stringify({ ...BASE_TASK, action: PENDING_ACTION });

interface Target {
  id: FigureId;
  endpoint: string;
  server: "app" | "floor";
  method: "GET" | "POST";
  path: string;
  body?: string;
  clients: number;
  /** One agent key for every connection (one agent calling 32 times at once), or one each. */
  keys?: "one" | "per-client";
}

const TARGETS: Target[] = [
  {
    id: "floor",
    endpoint: "floor: node:http + INSERT",
    server: "floor",
    method: "POST",
    path: "/",
    body: LOW_RISK_TASK,
    clients: MANY,
  },
  ...([1, MANY] as const).map(
    (clients): Target => ({
      id: clients === 1 ? "health-1" : "health",
      endpoint: "GET /api/health",
      server: "app",
      method: "GET",
      path: "/api/health",
      clients,
    }),
  ),
  {
    id: "assess",
    endpoint: "POST /api/hitl/assess-risk",
    server: "app",
    method: "POST",
    path: "/api/hitl/assess-risk",
    body: JSON.stringify(PENDING_ACTION),
    clients: MANY,
  },
  ...([1, MANY] as const).map(
    (clients): Target => ({
      id: clients === 1 ? "low-1" : "low-32",
      endpoint: "POST /api/tasks (low risk, auto-approved)",
      server: "app",
      method: "POST",
      path: "/api/tasks",
      body: LOW_RISK_TASK,
      clients,
    }),
  ),
  ...([1, MANY] as const).map(
    (clients): Target => ({
      id: clients === 1 ? "pending-1" : "pending-32",
      endpoint: "POST /api/tasks (high risk, pending)",
      server: "app",
      method: "POST",
      path: "/api/tasks",
      body: PENDING_TASK,
      clients,
    }),
  ),
  {
    id: "pending-32-keys",
    endpoint: "POST /api/tasks (high risk, pending), one agent key per client",
    server: "app",
    method: "POST",
    path: "/api/tasks",
    body: PENDING_TASK,
    clients: MANY,
    keys: "per-client",
  },
];

// ---------------------------------------------------------------------------------------------
// Cleanup: everything started registers how to undo it; it runs once, newest first

const undo: Array<{ what: string; run: () => Promise<void> }> = [];
/** Set by Ctrl-C (or SIGTERM): the run stops at the next figure and reports nothing. */
let interrupted = false;
let cleaning: Promise<void> | undefined;

function onCleanup(what: string, run: () => Promise<void>): void {
  undo.push({ what, run });
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of undo.reverse()) {
      try {
        await step.run();
      } catch (error) {
        console.error(`bench: could not ${step.what}: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

// Process groups still running. Each child leads its own group (tsx and next start children of
// their own), so killing the group leaves nothing behind; the synchronous exit hook is the last
// resort when the benchmark dies without running cleanup().
const liveGroups = new Set<number>();
process.on("exit", () => {
  for (const pid of liveGroups) killGroup(pid, "SIGKILL");
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

type Output = "inherit" | "pipe" | number;

function startChild(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; stdout: Output; stderr?: Output },
): Child {
  const proc = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["ignore", options.stdout, options.stderr ?? options.stdout],
  });
  const pid = proc.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd}`);
  liveGroups.add(pid);
  const exited = new Promise<number | null>((resolve) => {
    proc.on("exit", (code) => resolve(code));
    proc.on("error", () => resolve(null));
  });
  const stop = async () => {
    // The group, not the leader: the leader may be a wrapper whose child does the work.
    killGroup(pid, "SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), STOP_GRACE_MS);
    });
    if ((await Promise.race([exited, late])) === "late") killGroup(pid, "SIGKILL");
    clearTimeout(timer);
    await exited;
    // Members the leader left behind.
    killGroup(pid, "SIGKILL");
    liveGroups.delete(pid);
  };
  return { proc, exited, stop };
}

async function runToEnd(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  const child = startChild(cmd, args, { env, stdout: "inherit" });
  onCleanup(`stop ${path.basename(cmd)} ${args[0] ?? ""}`, child.stop);
  const code = await child.exited;
  if (code !== 0) throw new Error(`${[cmd, ...args].join(" ")} exited with ${code}`);
}

const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

// ---------------------------------------------------------------------------------------------
// Run facts

function gitCommit(): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  try {
    const commit = git("rev-parse", "--short", "HEAD").trim();
    return git("status", "--porcelain").trim() ? `${commit}+dirty` : commit;
  } catch {
    return "unknown (not a git checkout)";
  }
}

// ---------------------------------------------------------------------------------------------
// The database: created fresh, migrated and seeded, dropped at the end

const benchEnvSchema = z.object({
  BENCH_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
    .default("postgres://postgres@127.0.0.1:5432/postgres"),
});

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function createBenchDatabase(serverUrl: string): Promise<{ url: string; version: string }> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  onCleanup("close the admin connection", () => admin.end({ timeout: 5 }));
  let version: string;
  try {
    const [row] = await admin<{ server_version: string }[]>`SHOW server_version`;
    version = row?.server_version ?? "unknown";
  } catch (error) {
    throw new Error(
      `the benchmark needs a PostgreSQL server at ${serverUrl} (set BENCH_DATABASE_URL): ${(error as Error).message}`,
    );
  }
  const name = `airlock_bench_${Date.now()}_${process.pid}`;
  await admin`CREATE DATABASE ${admin(name)}`;
  // FORCE: the server's pool may still hold connections if it could not be stopped cleanly.
  onCleanup(`drop database ${name}`, async () => {
    await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
  });
  return { url: databaseUrl(serverUrl, name), version };
}

interface AgentKeys {
  /** The key of the one-agent figures. */
  key: string;
  /** Who the stored requests are filed under and decided by (tools/bench/stored.ts). */
  ids: StoredIds;
  leadEmail: string;
  /** A tech lead's reviewer key, for the decisions of the wake-up figure. */
  reviewer: string;
  /** One key per connection, for the figure of many agents. */
  perClient: string[];
}

/** Migrate, then add the owner and the agent keys the requests are sent with. */
async function seed(url: string): Promise<AgentKeys> {
  const handle = await createDb({ url, max: 2 });
  try {
    await handle.migrate();
    const owner = await addUser(handle.db, BENCH_OPERATOR, {
      email: "bench-owner@company.example",
      role: "developer",
    });
    const key = await createApiKey(handle.db, BENCH_OPERATOR, {
      agent: BASE_TASK.agent_name,
      owner: owner.email,
    });
    const lead = await addUser(handle.db, BENCH_OPERATOR, {
      email: "bench-lead@company.example",
      role: "tech_lead",
      // The pages are read signed in as this lead (tools/bench/stored.ts).
      password: LEAD_PASSWORD,
    });
    const reviewer = await createApiKey(handle.db, BENCH_OPERATOR, { user: lead.email });
    const perClient: string[] = [];
    for (let i = 1; i <= MANY; i++) {
      const made = await createApiKey(handle.db, BENCH_OPERATOR, {
        agent: `${BASE_TASK.agent_name}-${i}`,
        owner: owner.email,
      });
      perClient.push(made.key);
    }
    return {
      key: key.key,
      ids: { keyId: key.id, ownerId: owner.id, leadId: lead.id },
      leadEmail: lead.email,
      reviewer: reviewer.key,
      perClient,
    };
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The build and the servers

async function ensureBuild(mode: "auto" | "always" | "never"): Promise<void> {
  if (mode === "never") {
    if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
      throw new Error("--no-build, but there is no build in .next (run without --no-build)");
    }
    return;
  }
  // Taken before the build, so an edit made while it runs is rebuilt next time.
  const fingerprint = sourceFingerprint(ROOT);
  if (mode === "auto" && isBuildCurrent(ROOT, fingerprint)) {
    console.log("Build is up to date; skipping next build (--build forces one).");
    return;
  }
  console.log("Building (next build)…");
  await runToEnd(process.execPath, [nextBin(), "build"], { NEXT_TELEMETRY_DISABLED: "1" });
  recordBuild(ROOT, fingerprint);
}

const nextBin = () => path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

/** BENCHMARKS.md is one of the sources the fingerprint covers: rewriting it must not make the
 * next run rebuild a build that is still current. */
function writeReportKeepingBuild(text: string): void {
  const before = sourceFingerprint(ROOT);
  const wasCurrent = isBuildCurrent(ROOT, before);
  writeFileSync(REPORT_FILE, text);
  if (wasCurrent) recordBuild(ROOT, sourceFingerprint(ROOT));
}

async function startApp(
  databaseUrl: string,
  logFd: number,
  options: { nodeOptions?: string } = {},
): Promise<{ base: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = startChild(
    process.execPath,
    [nextBin(), "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      stdout: logFd,
      env: {
        DATABASE_URL: databaseUrl,
        NEXTAUTH_URL: base,
        NEXTAUTH_SECRET: "bench-only-secret-not-for-any-real-deployment",
        NEXT_TELEMETRY_DISABLED: "1",
        NODE_OPTIONS: serverNodeOptions(
          [process.env.NODE_OPTIONS, options.nodeOptions].filter(Boolean).join(" "),
        ),
        // Pending submissions pile up by the thousand; the per-agent cap would refuse them,
        // and the loads submit with one key far faster than an agent is allowed to.
        HITL_MAX_OPEN_PER_AGENT: "10000000",
        HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE: "0",
        // The end-to-end figures' callbacks go to a receiver in this process.
        HITL_CALLBACK_ALLOWED_HOSTS: "loopback",
      },
    },
  );
  onCleanup("stop next start", app.stop);
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let gone = false;
  void app.exited.then(() => {
    gone = true;
  });
  const health = await waitForHealth(`${base}/api/health`, {
    stopped: () => gone || Date.now() > deadline,
  });
  if (health?.status !== 200) {
    throw new Error(
      gone
        ? "next start exited before answering /api/health"
        : `/api/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (${health ? `${health.status}: ${health.body}` : "no answer"})`,
    );
  }
  return { base, pid: app.proc.pid as number, stop: app.stop };
}

async function startFloor(databaseUrl: string, logFd: number): Promise<string> {
  const floor = startChild(bin("tsx"), ["tools/bench/floor.ts", databaseUrl], {
    stdout: "pipe",
    stderr: logFd,
  });
  onCleanup("stop the floor server", floor.stop);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = "";
    floor.proc.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes("\n")) return;
      const line = seen.slice(0, seen.indexOf("\n"));
      try {
        resolve(z.object({ port: z.number().int().positive() }).parse(JSON.parse(line)).port);
      } catch {
        reject(new Error(`floor server printed ${line} instead of its port`));
      }
    });
    void floor.exited.then((code) => reject(new Error(`floor server exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

async function measureRisk(): Promise<RiskFigure> {
  const child = startChild(bin("tsx"), ["tools/bench/risk.ts", "--json"], {
    stdout: "pipe",
    stderr: "inherit",
  });
  onCleanup("stop the risk benchmark", child.stop);
  let out = "";
  child.proc.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`tools/bench/risk.ts exited with ${code}`);
  const figures = z
    .object({ parse_ops: z.number(), assess_ops: z.number(), ratio: z.number() })
    .parse(JSON.parse(out));
  return { parseOps: figures.parse_ops, assessOps: figures.assess_ops, ratio: figures.ratio };
}

// ---------------------------------------------------------------------------------------------
// Load

function headers(agentKey: string): Record<string, string> {
  return { authorization: `Bearer ${agentKey}`, "content-type": "application/json" };
}

/** One request of each kind before any load, so a wrong body or rule fails in a second with
 * the answer shown, instead of as a table of errors. */
async function checkTargets(bases: Record<Target["server"], string>, agentKey: string) {
  for (const target of TARGETS.filter((t) => t.clients === MANY)) {
    const response = await fetch(`${bases[target.server]}${target.path}`, {
      method: target.method,
      headers: headers(agentKey),
      body: target.body,
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${target.endpoint} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    if (target.path !== "/api/tasks") continue;
    const task = submitTaskResponseSchema.parse(JSON.parse(text));
    const wanted = target.id.startsWith("low")
      ? { status: "approved", auto_approved: true }
      : { status: "pending", auto_approved: false };
    if (task.status !== wanted.status || task.auto_approved !== wanted.auto_approved) {
      throw new Error(
        `${target.endpoint} was ${task.status} (auto_approved ${task.auto_approved}, risk ${task.risk.level}); the rules changed, pick another action`,
      );
    }
  }
}

let running: autocannon.Instance | undefined;
const track = (instance: autocannon.Instance | undefined) => {
  running = instance;
};

/** Per connection: its agent key (the same one, or the next of `keys.perClient`). */
function setupConnection(target: Target, keys: AgentKeys) {
  let connections = 0;
  return (client: autocannon.Client) => {
    if (target.keys === "per-client") {
      const key = keys.perClient[connections++ % keys.perClient.length] as string;
      client.setHeaders(headers(key));
    }
  };
}

function fireAt(base: string, target: Target, keys: AgentKeys, seconds: number) {
  return fire({
    url: `${base}${target.path}`,
    method: target.method,
    headers: headers(keys.key),
    body: target.body,
    connections: target.clients,
    seconds,
    setupClient: setupConnection(target, keys),
    onStart: track,
  });
}

async function measure(
  base: string,
  target: Target,
  keys: AgentKeys,
  seconds: number,
): Promise<Figure> {
  await fireAt(base, target, keys, WARMUP_S);
  const { result, latencies, serverTimes } = await fireAt(base, target, keys, seconds);
  const sorted = ascending(latencies);
  const ok = result["2xx"];
  const errors = result.non2xx + result.errors;
  if (result.non2xx > 0) {
    console.error(
      `  ${target.endpoint}: answers by status ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  return {
    id: target.id,
    endpoint: target.endpoint,
    clients: target.clients,
    reqPerSec: ok / result.duration,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    serverP50Ms: percentile(ascending(serverTimes), 50),
    errors,
    total: ok + errors,
  };
}

// ---------------------------------------------------------------------------------------------
// The run

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      build: { type: "boolean" },
      "no-build": { type: "boolean" },
      "http-only": { type: "boolean" },
      "reads-only": { type: "boolean" },
      profile: { type: "boolean" },
      "execution-only": { type: "boolean" },
    },
    strict: true,
  });
  if (values.build && values["no-build"]) throw new Error("give --build or --no-build, not both");
  if (values["reads-only"] && values["http-only"]) {
    throw new Error("give --http-only or --reads-only, not both");
  }
  const duration = z.coerce
    .number()
    .int()
    .min(1)
    .max(120)
    .safeParse(values.duration ?? DEFAULT_DURATION_S);
  if (!duration.success) throw new Error("--duration takes whole seconds, from 1 to 120");
  return {
    duration: duration.data,
    build: values.build ? "always" : values["no-build"] ? "never" : ("auto" as const),
    httpOnly: values["http-only"] === true,
    readsOnly: values["reads-only"] === true,
    profile: values.profile === true,
    executionOnly: values["execution-only"] === true,
  } as const;
}

function runInfo(
  facts: { commit: string; postgres: string; loadBefore: number },
  durationS: number,
): RunInfo {
  const cpus = os.cpus();
  return {
    ...facts,
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    ramGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    durationS,
    warmupS: WARMUP_S,
  };
}

/** Tasks approved on arrival, to their callbacks: one at a time, then 32 clients' worth. */
/** Low-risk tasks with a callback to a receiver of this process: the end-to-end loads' set-up. */
async function executionLoad(base: string, agentKey: string) {
  const receiver: Receiver = await startReceiver();
  onCleanup("stop the callback receiver", receiver.close);
  return { receiver, target: { base, agentKey, task: { ...BASE_TASK, action: LOW_RISK_ACTION } } };
}

function throughputWords(t: ThroughputFigure): string {
  return `low risk ×${MANY} with callbacks: ${t.accepted} accepted at ${t.intakePerSec.toFixed(0)}/s, called back at ${t.executedPerSec.toFixed(0)}/s (÷ ${t.ratio.toFixed(2)}), the last ${(t.tailMs / 1000).toFixed(1)} s after the last submit`;
}

async function measureExecution(app: string, agentKey: string, seconds: number) {
  const { receiver, target } = await executionLoad(app, agentKey);
  const latency = await measureCallbackLatency(
    target,
    receiver,
    CALLBACK_ROUNDS,
    CALLBACKS_TIMEOUT_MS,
  );
  console.log(
    `  submit → callback, low risk ×1: p50 ${latency.p50Ms.toFixed(1)} ms  p99 ${latency.p99Ms.toFixed(1)} ms`,
  );
  const throughput = await measureThroughput(target, receiver, MANY, seconds, CALLBACKS_TIMEOUT_MS);
  console.log(`  ${throughputWords(throughput)}`);
  return { latency, throughput };
}

/** Store 100,000 requests in bulk, then time the reads of SPEC §9 against `app`. */
async function measureReads(app: string, url: string, keys: AgentKeys) {
  console.log(
    `Storing ${STORED_REQUESTS.toLocaleString("en-US")} requests in bulk, then sealing their events…`,
  );
  const seeded = await seedStoredRequests(url, keys.ids);
  console.log(
    `  ${seeded.requests.toLocaleString("en-US")} requests, ${seeded.events.toLocaleString("en-US")} audit events: written in ${(seeded.seedMs / 1000).toFixed(1)} s, sealed in ${(seeded.sealMs / 1000).toFixed(1)} s`,
  );
  const timeline = await makeTimeline(app, keys.key, keys.reviewer);
  const figures = await measureStored({
    base: app,
    url,
    reviewerKey: keys.reviewer,
    cookie: await signIn(app, keys.leadEmail, LEAD_PASSWORD),
    lead: { kind: "user", userId: keys.ids.leadId },
    timeline,
    onStart: track,
  });
  for (const f of figures) {
    console.log(
      `  ${f.name.padEnd(44)} p50 ${f.p50Ms.toFixed(2)} ms  p99 ${f.p99Ms.toFixed(2)} ms  server p50 ${Number.isFinite(f.serverP50Ms) ? `${f.serverP50Ms.toFixed(2)} ms` : "n/a"}`,
    );
  }
  return { seeded, figures };
}

/**
 * `--profile`: the app under `node --cpu-prof`, loaded by one client at a time with each
 * one-client target, then by the end-to-end load; where its thread's time went, per request.
 */
async function profileServer(databaseUrl: string, logFd: number, keys: AgentKeys, seconds: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-profile-"));
  onCleanup("remove the profiles", async () => rmSync(dir, { recursive: true, force: true }));
  for (const id of ["health-1", "low-1"]) {
    const target = TARGETS.find((t) => t.id === id);
    if (!target) throw new Error(`no target ${id}`);
    await profileUnder(databaseUrl, logFd, path.join(dir, id), async (base) => {
      await fireAt(base, target, keys, WARMUP_S);
      // The load's samples only: not the start-up's, nor the warm-up's.
      const { value, window } = await timed(() => fireAt(base, target, keys, seconds));
      const requests = value.result["2xx"] + value.result.non2xx;
      return { window, requests, label: `${target.endpoint} ×1` };
    });
  }
  // 32 clients submitting low-risk tasks with callbacks, until the last callback has come.
  await profileUnder(databaseUrl, logFd, path.join(dir, "execution"), async (base) => {
    const { receiver, target } = await executionLoad(base, keys.key);
    const { value, window } = await timed(() =>
      measureThroughput(target, receiver, MANY, seconds, CALLBACKS_TIMEOUT_MS),
    );
    return { window, requests: value.accepted, label: throughputWords(value) };
  });
}

/**
 * The app under `node --cpu-prof` (its profiles into `into`), loaded by `load`, then stopped;
 * where its thread's time went in the window `load` timed, per request.
 */
async function profileUnder(
  databaseUrl: string,
  logFd: number,
  into: string,
  load: (base: string) => Promise<{ window: ProfileWindow; requests: number; label: string }>,
) {
  const app = await startApp(databaseUrl, logFd, {
    nodeOptions: `--cpu-prof --cpu-prof-dir=${into}`,
  });
  const { window, requests, label } = await load(app.base);
  await app.stop();
  console.log(`\n${label}, the server's CPU profile:`);
  console.log(
    profileReport(summarizeProfile(readProfile(largestIn(into)), { window }), { requests }),
  );
}

/** `f`'s value, and when it ran on the monotonic clock V8's profiles use (µs). */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; window: ProfileWindow }> {
  const nowUs = () => Number(process.hrtime.bigint() / 1000n);
  const fromUs = nowUs();
  const value = await f();
  return { value, window: { fromUs, toUs: nowUs() } };
}

/** Each process of the group writes its own profile; the server's is the largest. */
function largestIn(dir: string): string {
  const [largest] = readdirSync(dir)
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!largest) throw new Error(`next start wrote no profile into ${dir}`);
  return largest;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const { BENCH_DATABASE_URL } = benchEnvSchema.parse(process.env);
  const loadBefore = os.loadavg()[0] ?? 0;
  const commit = gitCommit();

  // First, while nothing of ours runs: a CPU-bound figure is the most sensitive to neighbours.
  const risk = options.httpOnly || options.readsOnly ? null : await measureRisk();
  if (risk) console.log(`Risk engine: assess ÷ JSON.parse = ${risk.ratio.toFixed(2)}`);
  await ensureBuild(options.build);

  const database = await createBenchDatabase(BENCH_DATABASE_URL);
  const keys = await seed(database.url);
  const logDir = mkdtempSync(path.join(os.tmpdir(), "airlock-bench-"));
  const logFile = path.join(logDir, "servers.log");
  const logFd = openSync(logFile, "a");
  let failed = true;
  onCleanup("remove the server log", async () => {
    closeSync(logFd);
    if (failed && !interrupted) {
      const tail = readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-20).join("\n");
      console.error(`bench: server output kept in ${logFile}; its end:\n${tail}`);
    } else rmSync(logDir, { recursive: true, force: true });
  });

  if (options.profile) {
    await profileServer(database.url, logFd, keys, options.duration);
    failed = false;
    console.log("--profile: BENCHMARKS.md left unchanged.");
    return interrupted ? 130 : 0;
  }
  if (options.readsOnly) {
    // Only the reads (no loads before them, so fewer requests are open): a minute's loop for
    // working on the read paths. BENCHMARKS.md is left alone.
    const { base } = await startApp(database.url, logFd);
    await measureReads(base, database.url, keys);
    failed = false;
    console.log("--reads-only: BENCHMARKS.md left unchanged.");
    return interrupted ? 130 : 0;
  }
  const [appServer, floor] = await Promise.all([
    startApp(database.url, logFd),
    startFloor(database.url, logFd),
  ]);
  const app = appServer.base;
  const bases = { app, floor };
  await checkTargets(bases, keys.key);

  // End to end first, on an empty outbox: each task's callback is waited for.
  const execution = await measureExecution(app, keys.key, options.duration);
  if (interrupted) return 130;
  if (options.executionOnly) {
    console.log(
      `  resident memory of the app server: ${groupRssMiB(appServer.pid).toFixed(0)} MiB\n--execution-only: BENCHMARKS.md left unchanged.`,
    );
    failed = false;
    return 0;
  }

  const figures: Figure[] = [];
  // One-client figures first, on a database that the loads at 32 have not yet filled (their
  // thousands of rows leave autovacuum and the sealer busy for a while); the table keeps
  // TARGETS' order.
  const runOrder = [
    ...TARGETS.filter((t) => t.clients === 1),
    ...TARGETS.filter((t) => t.clients !== 1),
  ];
  for (const target of runOrder) {
    const figure = await measure(bases[target.server], target, keys, options.duration);
    // Ctrl-C stopped autocannon early: what it returned is not a figure.
    if (interrupted) return 130;
    figures.push(figure);
    console.log(
      `  ${`${target.endpoint} ×${target.clients}`.padEnd(50)} ${Math.round(figure.reqPerSec)
        .toString()
        .padStart(
          6,
        )} req/s  p50 ${figure.p50Ms.toFixed(2)} ms  p99 ${figure.p99Ms.toFixed(2)} ms${figure.errors ? `  ${figure.errors} ERRORS` : ""}`,
    );
  }

  // The server's memory at the end of the load, then a second instance on the same database
  // for the decision → waiting agent figure.
  const rssMiB = groupRssMiB(appServer.pid);
  console.log(`  resident memory of the app server after the load: ${rssMiB.toFixed(0)} MiB`);
  const second = await startApp(database.url, logFd);
  const drain = await drainWorkflows(database.url, DRAIN_TIMEOUT_MS);
  console.log(
    `  graph drives the loads queued: ${drain.drives}, driven by the two instances in ${(drain.ms / 1000).toFixed(1)} s`,
  );
  const wake = await measureWake(app, second.base, keys.key, keys.reviewer, WAKE_ROUNDS);
  console.log(`  decision on A → agent waiting on B: ${wake.rounds} rounds each way measured`);
  if (interrupted) return 130;

  // Then the reads, with 100,000 requests stored.
  const { seeded, figures: stored } = await measureReads(app, database.url, keys);
  if (interrupted) return 130;
  const extra = { rssMiB, drain, wake, execution, stored: { seeded, figures: stored } };

  const place = (f: Figure) => TARGETS.findIndex((t) => t.id === f.id);
  figures.sort((a, b) => place(a) - place(b));
  const info = runInfo({ commit, postgres: database.version, loadBefore }, options.duration);
  console.log(
    `\n${figuresTable(figures)}\n\n${ratiosTable([...spec9Ratios(figures, risk), ...extraRatios(extra)])}\n`,
  );
  const invalid = figures.filter((f) => f.errors > MAX_ERROR_RATE * f.total);
  if (invalid.length > 0) {
    console.error(
      `\n!!! INVALID RUN: more than ${MAX_ERROR_RATE * 100}% of requests failed for ${invalid
        .map((f) => `${f.endpoint} ×${f.clients}`)
        .join(", ")}. BENCHMARKS.md is left unchanged.\n`,
    );
    return 1;
  }
  failed = false;
  if (options.httpOnly) {
    console.log("--http-only: BENCHMARKS.md left unchanged.");
    return 0;
  }
  const previous = existsSync(REPORT_FILE) ? readFileSync(REPORT_FILE, "utf8") : null;
  writeReportKeepingBuild(renderReport(info, figures, risk, extra) + keptNotes(previous));
  console.log(`Wrote ${path.relative(ROOT, REPORT_FILE)}.`);
  return 0;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping everything it started…`);
    running?.stop();
    void cleanup().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    // After Ctrl-C the failures are those of servers being stopped: nothing to report.
    if (!interrupted) console.error(`bench: ${(error as Error).message}`);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
