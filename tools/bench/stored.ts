// SPEC §9's reads with 100,000 requests stored: the approval queue's API (first page, and the
// next through its cursor), the queue page's server render, a workflow's timeline page and a
// request's page, each timed against the built app, and the plans PostgreSQL chooses for
// every statement they send (their node types, from EXPLAIN). Used by tools/bench/http.ts.
//
// The 100,000 are written in bulk, in SQL: half a year of requests of every level and
// outcome (2 % still open), each with its task, the approvals of those approved by people,
// and two audit events, which the app's own sealer then links into the chain. The timeline
// and the request page are of requests made through the API, so they show what the app writes.
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createDb, type Executor, execRows } from "@/db/client";
import { hasUnsealed } from "@/db/queries/audit";
import { sealAuditLog } from "@/lib/jobs/sealer";
import { standingApprovalOffer } from "@/lib/services/grants/grants";
import type { UserPrincipal } from "@/lib/services/principal";
import { getQueue, getRequestDetail, getWorkflowStatus } from "@/lib/services/requests/queue";
import { ascending, fire, percentile } from "./load";
import { call } from "./wake";

export const STORED_REQUESTS = 100_000;
/** The target of every figure here: the server's time, ms. */
export const STORED_TARGET_MS = 50;
const TIMELINE_REQUESTS = 12;
const SEAL_TIMEOUT_MS = 5 * 60_000;
const SECONDS = 5;

export interface StoredIds {
  /** The agent key the bulk requests are filed under, and its owner. */
  keyId: string;
  ownerId: string;
  /** The tech lead who decided those decided by people. */
  leadId: string;
}

/** A tech lead and an agent key of theirs, for a bulk write on an empty database (tests). */
export async function insertStoredOwner(db: Executor): Promise<StoredIds> {
  const [user] = await execRows<{ id: string }>(
    db,
    sql`INSERT INTO users (email, role) VALUES ('lead@plan.test', 'tech_lead') RETURNING id`,
  );
  const [key] = await execRows<{ id: string }>(
    db,
    sql`INSERT INTO api_keys (scope, name, prefix, key_hash, user_id)
        VALUES ('agent', 'bench-agent', 'x', 'h', ${user?.id}) RETURNING id`,
  );
  const id = user?.id as string;
  return { keyId: key?.id as string, ownerId: id, leadId: id };
}

export interface Seeded {
  requests: number;
  events: number;
  seedMs: number;
  sealMs: number;
}

/** Bulk-write `count` requests with their tasks, approvals and audit events; seal the events. */
export async function seedStoredRequests(
  url: string,
  ids: StoredIds,
  count = STORED_REQUESTS,
  options: { seal?: boolean } = {},
): Promise<Seeded> {
  // One connection: the staging table below is the session's own.
  const handle = await createDb({ url, max: 1 });
  const run = (text: string) => execRows(handle.db, sql.raw(text));
  try {
    const started = performance.now();
    const person = (column: string) => `CASE WHEN ${column} THEN '${ids.leadId}'::uuid END`;
    await run(`CREATE TEMP TABLE bulk AS SELECT i, gen_random_uuid() AS task_id,
        gen_random_uuid() AS id, now() - interval '1 hour' - random() * interval '180 days' AS created_at,
        i % 4 AS rank, random() AS r, 'bench-history-' || (i % 5000) AS workflow_id
      FROM generate_series(1, ${count}) i`);
    await run(`INSERT INTO tasks (id, workflow_id, thread_id, api_key_id, agent_name, execution,
        created_at, updated_at, started_at, completed_at)
      SELECT task_id, workflow_id, 't-' || i, '${ids.keyId}', 'bench-agent', CASE WHEN i % 50 = 0
        THEN 'waiting' ELSE 'completed' END, created_at, created_at, created_at,
        CASE WHEN i % 50 <> 0 THEN created_at + interval '31 minutes' END
      FROM bulk`);
    await run(`INSERT INTO approval_requests (id, task_id, workflow_id, thread_id, agent_name,
        api_key_id, submitted_by_user_id, action_type, action_operation, action_environment,
        action_description, action_details, content_hash, risk_level, risk_rank, risk_score,
        risk_factors, rule_set_version, status, required_approvals, required_role,
        requires_justification, timeout_minutes, auto_approved, decided_by, approver_role,
        rejection_reason, created_at, updated_at, expires_at, decided_at)
      SELECT id, task_id, workflow_id, 't-' || i, 'bench-agent', '${ids.keyId}', '${ids.ownerId}',
        'deploy', 'deploy', 'production', 'Deploy service ' || (i % 300) || ' (bulk history)',
        jsonb_build_object('type', 'deploy', 'operation', 'deploy', 'environment', 'production',
          'description', 'Deploy service ' || (i % 300) || ' (bulk history)',
          'inputs', jsonb_build_object('service', 'svc-' || (i % 300), 'version', '1.' || (i % 97))),
        encode(sha256(id::text::bytea), 'hex'),
        (ARRAY['low', 'medium', 'high', 'critical'])[rank + 1], rank, 0.2 + rank * 0.2,
        jsonb_build_object('reasons', jsonb_build_array('bulk history'), 'matched_rules', '[]'::jsonb),
        'bench', status, 1, 'tech_lead', false, 30, rank = 0 AND status = 'approved',
        ${person("status IN ('approved', 'rejected') AND rank > 0")},
        CASE WHEN status IN ('approved', 'rejected') AND rank > 0 THEN 'tech_lead' END,
        CASE WHEN status = 'rejected' THEN 'Not now (bulk history)' END,
        created_at, created_at, created_at + interval '30 minutes',
        CASE WHEN status = 'pending' THEN NULL WHEN rank = 0 THEN created_at
          ELSE created_at + random() * interval '30 minutes' END
      FROM (SELECT *, CASE WHEN i % 50 = 0 THEN 'pending' WHEN rank = 0 OR r < 0.7 THEN 'approved'
          WHEN r < 0.85 THEN 'rejected' WHEN r < 0.97 THEN 'expired' ELSE 'cancelled' END AS status
        FROM bulk) b`);
    // Still open, yet past its deadline on paper: give the open ones a deadline ahead, so the
    // sweeper leaves them be while the figures are taken.
    await run(`UPDATE approval_requests SET expires_at = now() + interval '1 day'
      WHERE status = 'pending' AND rule_set_version = 'bench'`);
    await run(`INSERT INTO approvals (request_id, approver_id, approver_role, content_hash,
        rule_set_version, created_at)
      SELECT id, decided_by, 'tech_lead', content_hash, 'bench', decided_at FROM approval_requests
      WHERE status = 'approved' AND decided_by IS NOT NULL AND rule_set_version = 'bench'`);
    await run(`INSERT INTO audit_events (type, at, actor_type, actor_id, request_id, workflow_id, payload)
      SELECT 'hitl.approval_requested', created_at, 'agent', '${ids.keyId}', id, workflow_id,
        jsonb_build_object('risk_level', risk_level, 'action_type', action_type)
      FROM approval_requests WHERE rule_set_version = 'bench' ORDER BY created_at`);
    await run(`INSERT INTO audit_events (type, at, actor_type, actor_id, request_id, workflow_id, payload)
      SELECT 'hitl.' || status, decided_at, CASE WHEN decided_by IS NULL THEN 'system' ELSE 'user' END,
        decided_by::text, id, workflow_id, jsonb_build_object('risk_level', risk_level)
      FROM approval_requests WHERE rule_set_version = 'bench' AND decided_at IS NOT NULL
      ORDER BY decided_at`);
    // What autovacuum would have done by now on a live server: statistics and the visibility map.
    for (const table of ["tasks", "approval_requests", "approvals", "audit_events"]) {
      await run(`VACUUM ANALYZE ${table}`);
    }
    const seedMs = performance.now() - started;
    // The servers' sealers run meanwhile. A pass here returns at once while one of them holds
    // the chain's lock, so wait until nothing is left unsealed: the reads must not be timed
    // while a server hashes the 200,000 events.
    const sealing = performance.now();
    if (options.seal !== false) {
      while (!(await sealAuditLog(handle.db)).tookLock || (await hasUnsealed(handle.db))) {
        if (performance.now() - sealing > SEAL_TIMEOUT_MS) {
          throw new Error(`the events were not all sealed within ${SEAL_TIMEOUT_MS / 1000} s`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const sealMs = performance.now() - sealing;
    const [counted] = await execRows<{ requests: number; events: number }>(
      handle.db,
      sql`SELECT (SELECT count(*)::int FROM approval_requests) AS requests,
                 (SELECT count(*)::int FROM audit_events) AS events`,
    );
    return { requests: counted?.requests ?? 0, events: counted?.events ?? 0, seedMs, sealMs };
  } finally {
    await handle.close();
  }
}

/** A workflow made through the API: requests submitted, all but the last approved. */
export async function makeTimeline(base: string, agentKey: string, reviewerKey: string) {
  const workflowId = `bench-timeline-${Date.now()}`;
  const requestIds: string[] = [];
  for (let i = 0; i < TIMELINE_REQUESTS; i++) {
    const task = (await call(base, "POST", "/api/tasks", agentKey, {
      workflow_id: workflowId,
      agent_name: "bench-agent",
      action: {
        type: "deploy",
        operation: "deploy",
        environment: "production",
        description: `Deploy step ${i + 1} of the timeline`,
        inputs: { service: "billing-api", step: i + 1 },
      },
    })) as { approval_request_id: string };
    requestIds.push(task.approval_request_id);
    if (i < TIMELINE_REQUESTS - 1) {
      await call(
        base,
        "POST",
        `/api/hitl/actions/${task.approval_request_id}/approve`,
        reviewerKey,
        {
          justification: "bench",
        },
      );
    }
  }
  return { workflowId, openRequestId: requestIds[requestIds.length - 1] as string };
}

/** A signed-in session's cookie, through next-auth's credentials sign-in, as a browser does. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair?.indexOf("=") ?? -1;
      if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: header() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
    redirect: "manual",
  });
  keep(response);
  if (![...jar.keys()].some((name) => name.endsWith("session-token"))) {
    throw new Error(`signing in as ${email} set no session cookie (${response.status})`);
  }
  return header();
}

export interface StoredFigure {
  name: string;
  path: string;
  /** The handler's own time (Server-Timing), p50; NaN for pages, which do not say. */
  serverP50Ms: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** The scan nodes of the plans of every statement it sends, e.g. "Index Scan (…_open_idx)". */
  plans: string[];
  /** Sequential scans of the tables that grow with the requests: what must not be there. */
  seqScans: string[];
}

interface Read {
  name: string;
  path: string;
  headers: Record<string, string>;
  /** What the app's services send for this read, run in this process to read the plans. */
  statements: (db: Awaited<ReturnType<typeof createDb>>["db"]) => Promise<unknown>;
}

const GROWING = new Set(["approval_requests", "tasks", "approvals", "audit_events", "outbox"]);

export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Join Type"?: string;
  Plans?: PlanNode[];
}

const nodesOf = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];

/**
 * The plans of every SELECT that `run` sends through the app's client (EXPLAIN, with their
 * parameters): each statement's nodes, catalog reads of the driver left out.
 */
export async function plansOfStatements(
  url: string,
  run: (db: Awaited<ReturnType<typeof createDb>>["db"]) => Promise<unknown>,
): Promise<Array<{ statement: string; nodes: PlanNode[] } | { statement: string; error: string }>> {
  const sent: Array<{ text: string; parameters: readonly unknown[] }> = [];
  const handle = await createDb({
    url,
    max: 1,
    onStatement: (text, parameters) => sent.push({ text, parameters }),
  });
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await run(handle.db);
    const out: Array<
      { statement: string; nodes: PlanNode[] } | { statement: string; error: string }
    > = [];
    for (const { text, parameters } of sent) {
      if (!/^\s*(select|with)\b/i.test(text) || /\bpg_catalog\./.test(text)) continue;
      try {
        const [row] = await raw.unsafe(`EXPLAIN (FORMAT JSON) ${text}`, parameters as never[]);
        const plan = (row?.["QUERY PLAN"] as [{ Plan: PlanNode }] | undefined)?.[0]?.Plan;
        if (plan) out.push({ statement: text, nodes: nodesOf(plan) });
      } catch (error) {
        out.push({ statement: text, error: (error as Error).message });
      }
    }
    return out;
  } finally {
    await raw.end({ timeout: 5 });
    await handle.close();
  }
}

/** A read's scan nodes, and its sequential scans of the tables that grow with the requests. */
async function plansOf(url: string, read: Read): Promise<{ plans: string[]; seqScans: string[] }> {
  const plans = new Set<string>();
  const seqScans = new Set<string>();
  for (const explained of await plansOfStatements(url, read.statements)) {
    if ("error" in explained) {
      plans.add(`(no plan: ${explained.error} — ${explained.statement.slice(0, 80)})`);
      continue;
    }
    for (const node of explained.nodes) {
      if (node["Node Type"] === "Sort") {
        const under = nodesOf(node).find((n) => n["Relation Name"]);
        plans.add(`Sort (of ${under?.["Relation Name"] ?? "a join"})`);
      }
      if (!node["Node Type"].endsWith("Scan")) continue;
      const on = node["Index Name"] ?? node["Relation Name"];
      plans.add(on ? `${node["Node Type"]} (${on})` : node["Node Type"]);
      if (node["Node Type"] === "Seq Scan" && GROWING.has(node["Relation Name"] ?? "")) {
        seqScans.add(node["Relation Name"] as string);
      }
    }
  }
  return { plans: [...plans].sort(), seqScans: [...seqScans].sort() };
}

/**
 * Time each read (one connection, `seconds` after a 1 s warm-up) and read its plans. Every
 * path is fetched once first and must answer 200 with a body, so a redirect to the sign-in
 * page or an error page is never timed as a render.
 */
export async function measureStored(input: {
  base: string;
  url: string;
  reviewerKey: string;
  cookie: string;
  lead: UserPrincipal;
  timeline: { workflowId: string; openRequestId: string };
  seconds?: number;
  onStart?: Parameters<typeof fire>[0]["onStart"];
}): Promise<StoredFigure[]> {
  const { base, reviewerKey, cookie, lead, timeline } = input;
  const api = { authorization: `Bearer ${reviewerKey}` };
  const page = { cookie };
  const first = (await call(base, "GET", "/api/hitl/approval-queue", reviewerKey)) as {
    next_cursor: string | null;
  };
  if (!first.next_cursor) throw new Error("the queue has no second page: the seed went wrong");
  const cursor = first.next_cursor;
  const reads: Read[] = [
    {
      name: "queue API, first page",
      path: "/api/hitl/approval-queue",
      headers: api,
      statements: (db) => getQueue(db, lead, {}),
    },
    {
      name: "queue API, next page (cursor)",
      path: `/api/hitl/approval-queue?cursor=${encodeURIComponent(cursor)}`,
      headers: api,
      statements: (db) => getQueue(db, lead, { cursor }),
    },
    {
      name: "queue page (server render)",
      path: "/queue",
      headers: page,
      statements: (db) => getQueue(db, lead, {}),
    },
    {
      name: `workflow timeline page (${TIMELINE_REQUESTS} requests)`,
      path: `/workflows/${encodeURIComponent(timeline.workflowId)}`,
      headers: page,
      statements: (db) =>
        Promise.all([
          getWorkflowStatus(db, lead, timeline.workflowId),
          getQueue(db, lead, { workflow_id: timeline.workflowId, limit: 200 }),
        ]),
    },
    {
      name: "request page",
      path: `/requests/${timeline.openRequestId}`,
      headers: page,
      statements: (db) =>
        Promise.all([
          getRequestDetail(db, lead, timeline.openRequestId),
          standingApprovalOffer(db, lead, timeline.openRequestId),
        ]),
    },
  ];
  const figures: StoredFigure[] = [];
  for (const read of reads) {
    const once = await fetch(`${base}${read.path}`, { headers: read.headers, redirect: "manual" });
    const body = await once.text();
    if (once.status !== 200 || body.length === 0) {
      throw new Error(`${read.name}: GET ${read.path} answered ${once.status}`);
    }
    const options = {
      url: `${base}${read.path}`,
      method: "GET" as const,
      headers: read.headers,
      connections: 1,
      onStart: input.onStart,
    };
    await fire({ ...options, seconds: 1 });
    const { result, latencies, serverTimes } = await fire({
      ...options,
      seconds: input.seconds ?? SECONDS,
    });
    if (result.non2xx + result.errors > 0) {
      throw new Error(`${read.name}: ${result.non2xx + result.errors} failed answers`);
    }
    const sorted = ascending(latencies);
    figures.push({
      name: read.name,
      path: read.path.replace(/\?cursor=.*/, "?cursor=…"),
      serverP50Ms: percentile(ascending(serverTimes), 50),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      requests: sorted.length,
      ...(await plansOf(input.url, read)),
    });
  }
  return figures;
}
