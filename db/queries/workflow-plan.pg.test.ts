// Recovery's scan (queueUnfinishedWorkflows) on a database written to faster than autovacuum
// analyzes it. The benchmark's loads left such statistics: the outbox's those of an empty
// table, unfinished tasks estimated at a dozen where there were 4,000. The planner then read
// the whole of an outbox index for each task (4 million index entries, 2 to 3 s), and the
// requests pipelined behind it on its connection waited as long. Recovery now ANALYZEs the
// tables it reads when they have grown past their statistics (analyzeGrownTables).
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import {
  insertStoredOwner,
  type PlanNode,
  plansOfStatements,
  seedStoredRequests,
} from "@/tools/bench/stored";
import { execRows } from "../client";
import { analyzeGrownTables, queueUnfinishedWorkflows } from "./workflow";

describe("recovery's scan, when the statistics lag behind the writes", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ kind: "postgres" });
    const ids = await insertStoredOwner(t.db);
    // The outbox's statistics are of an empty table; those of tasks say 2 % are unfinished.
    await execRows(t.db, sql`ANALYZE outbox`);
    await seedStoredRequests(t.url as string, ids, 5_000, { seal: false });
    // Then every task is decided and unfinished, each with its drive queued: none is due.
    await execRows(t.db, sql`UPDATE tasks SET execution = 'waiting', completed_at = NULL`);
    await execRows(
      t.db,
      sql`INSERT INTO outbox (kind, request_id, task_id, event_type, payload)
          SELECT 'workflow', r.id, r.task_id, 'workflow.resume', '{}'::jsonb
          FROM approval_requests r`,
    );
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });

  /** The scan's join with the outbox, and its outbox reads: [node type, index, condition]. */
  async function outboxReads(): Promise<{ join: string | undefined; reads: unknown[][] }> {
    let queued = -1;
    const explained = await plansOfStatements(t.url as string, async (db) => {
      queued = await queueUnfinishedWorkflows(db, 100);
    });
    expect(queued).toBe(0);
    const [only] = explained;
    if (!only || "error" in only) throw new Error(`no plan: ${JSON.stringify(only)}`);
    return {
      join: only.nodes
        .filter((n: PlanNode) => n["Join Type"] === "Anti")
        .map((n) => `${n["Node Type"]} (anti)`)[0],
      reads: only.nodes
        .filter((n) => n["Relation Name"] === "outbox" && n["Node Type"] !== "ModifyTable")
        .map((n) => [n["Node Type"], n["Index Name"], n["Index Cond"]]),
    };
  }

  it("reads the whole outbox for each task while the statistics lag; once, when they are taken", async () => {
    // The trap: for each task, a scan of the due rows' index, by kind only.
    expect(await outboxReads()).toEqual({
      join: "Nested Loop (anti)",
      reads: [["Index Scan", "outbox_due_idx", "(kind = 'workflow'::text)"]],
    });
    // The counts of the writes reach the statistics views within a second or so, each
    // table's in its own time.
    const analyzed = new Set<string>();
    for (const until = Date.now() + 10_000; !analyzed.has("outbox") && Date.now() < until; ) {
      for (const name of await analyzeGrownTables(t.db)) analyzed.add(name);
      if (!analyzed.has("outbox")) await execRows(t.db, sql`SELECT pg_sleep(0.2)`);
    }
    expect([...analyzed]).toContain("outbox");
    // The outbox read once, into a hash, or each task's drive looked up by its task id.
    const after = await outboxReads();
    expect([
      JSON.stringify({ join: "Hash Join (anti)", reads: [["Seq Scan", null, null]] }),
      JSON.stringify({
        join: "Nested Loop (anti)",
        reads: [["Index Scan", "outbox_workflow_task_idx", "(task_id = t.id)"]],
      }),
    ]).toContain(JSON.stringify(after));
    // And not again until it grows again.
    expect(await analyzeGrownTables(t.db)).not.toContain("outbox");
  });
});
