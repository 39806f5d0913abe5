// The insights' aggregates are read from their indexes, not by scanning the tables: with
// 100,000 requests over half a year stored, PostgreSQL's plan for each of them, in each window,
// names the index made for it and no sequential scan of approval_requests or approvals.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import { execRows } from "../client";
import {
  agentsQuery,
  closedStatsQuery,
  type InsightsRange,
  reviewersQuery,
  volumeQuery,
} from "./insights";

const ROWS = 100_000;
const KEY = "10000000-0000-4000-8000-000000000001";
const user = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

describe("the insights' query plans on 100,000 requests", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ kind: "postgres" });
    const run = (q: ReturnType<typeof sql>) => execRows(t.db, q);
    await run(
      sql.raw(`INSERT INTO users (id, email, role)
      SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'r' || i || '@x.test',
        CASE WHEN i % 3 = 0 THEN 'devops_engineer' ELSE 'tech_lead' END
      FROM generate_series(1, 20) i`),
    );
    await run(sql`INSERT INTO api_keys (id, scope, name, prefix, key_hash, user_id)
      VALUES (${KEY}, 'agent', 'bulk', 'x', 'h', ${user(1)})`);
    // Half a year of requests: most closed (approved, some on arrival; rejected, expired,
    // cancelled), a few open; approvals for those approved by people.
    await run(
      sql.raw(`CREATE TEMP TABLE g AS SELECT i, gen_random_uuid() AS task_id, gen_random_uuid() AS id,
        now() - (random() * interval '180 days') AS created_at, i % 4 AS rank, random() AS r
      FROM generate_series(1, ${ROWS}) i`),
    );
    await run(
      sql.raw(`INSERT INTO tasks (id, workflow_id, thread_id, api_key_id, agent_name, execution)
      SELECT task_id, 'wf-' || i, 't-' || i, '${KEY}', 'agent-' || (i % 37), 'completed' FROM g`),
    );
    await run(
      sql.raw(`INSERT INTO approval_requests (id, task_id, workflow_id, thread_id, agent_name,
        api_key_id, action_type, action_details, content_hash, risk_level, risk_rank, risk_score,
        risk_factors, rule_set_version, status, required_approvals, required_role,
        requires_justification, timeout_minutes, auto_approved, decided_by, created_at,
        updated_at, expires_at, decided_at)
      SELECT id, task_id, 'wf-' || i, 't-' || i, 'agent-' || (i % 37), '${KEY}', 'deploy',
        jsonb_build_object('type', 'deploy', 'description', repeat('x', 200)), 'hash',
        (ARRAY['low', 'medium', 'high', 'critical'])[rank + 1], rank, 0.5, '{}', 'v1',
        CASE WHEN i % 500 = 0 THEN 'pending' WHEN rank = 0 OR r < 0.7 THEN 'approved'
          WHEN r < 0.85 THEN 'rejected' WHEN r < 0.97 THEN 'expired' ELSE 'cancelled' END,
        1, 'tech_lead', false, 30, rank = 0 AND i % 500 <> 0,
        CASE WHEN i % 500 = 0 OR rank = 0 OR r >= 0.85 THEN NULL
          ELSE ('00000000-0000-4000-8000-' || lpad((1 + i % 20)::text, 12, '0'))::uuid END,
        created_at, created_at, created_at + interval '30 minutes',
        CASE WHEN i % 500 = 0 THEN NULL WHEN rank = 0 THEN created_at
          ELSE created_at + random() * interval '30 minutes' END
      FROM g`),
    );
    await run(sql`INSERT INTO approvals (request_id, approver_id, approver_role, content_hash,
        rule_set_version, created_at)
      SELECT id, decided_by, 'tech_lead', 'hash', 'v1', decided_at FROM approval_requests
      WHERE status = 'approved' AND decided_by IS NOT NULL`);
    // What autovacuum does on a live server: statistics, and the visibility map that lets a
    // plan read an index alone.
    await run(sql`VACUUM ANALYZE approval_requests`);
    await run(sql`VACUUM ANALYZE approvals`);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const DAY = 86_400_000;
  const windows: [string, number, number][] = [
    ["24 hours", DAY, 3600],
    ["7 days", 7 * DAY, 86_400],
    ["30 days", 30 * DAY, 86_400],
  ];
  const queries: [string, (r: InsightsRange) => ReturnType<typeof sql>, string[]][] = [
    ["volume by level", volumeQuery, ["approval_requests_created_idx"]],
    ["times to decision and expiries", closedStatsQuery, ["approval_requests_closed_idx"]],
    ["outcomes by agent", (r) => agentsQuery(r, 10), ["approval_requests_closed_idx"]],
    [
      "busiest reviewers",
      (r) => reviewersQuery(r, 10),
      ["approvals_created_idx", "approval_requests_closed_idx"],
    ],
  ];

  for (const [window, ms, bucketSeconds] of windows) {
    for (const [name, query, indexes] of queries) {
      it(`${name} over ${window}: ${indexes.join(" and ")}, no sequential scan`, async () => {
        const to = new Date();
        const range = { from: new Date(to.getTime() - ms), to, bucketSeconds };
        const [row] = await execRows<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
          t.db,
          sql`EXPLAIN (FORMAT JSON) ${query(range)}`,
        );
        const plan = row?.["QUERY PLAN"]?.[0]?.Plan;
        if (!plan) throw new Error("EXPLAIN returned no plan");
        const nodes = nodesOf(plan);
        const seqScans = nodes
          .filter((n) => n["Node Type"] === "Seq Scan")
          .map((n) => n["Relation Name"]);
        expect(seqScans.filter((r) => r === "approval_requests" || r === "approvals")).toEqual([]);
        const used = new Set(nodes.map((n) => n["Index Name"]).filter(Boolean));
        for (const index of indexes) expect(used).toContain(index);
        // Read from the index alone (the visibility map is fresh after VACUUM).
        const scans = nodes.filter((n) => indexes.includes(n["Index Name"] ?? ""));
        expect(scans.map((n) => n["Node Type"].replace(/^Parallel /, ""))).toEqual(
          scans.map(() => "Index Only Scan"),
        );
      });
    }
  }
});
