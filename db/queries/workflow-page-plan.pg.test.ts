// The workflow page's lists are read a page at a time from the workflow's own indexes (SPEC
// §8.1): with one workflow of 5,000 requests, 20,000 events and 10,000 checkpoints among 55,000
// requests in all, each page reads the workflow's index in order under its LIMIT. Never a
// sequential scan of a table that grows, never a walk of every workflow's rows in time order
// that filters for this one (the trap: the requests' created_at index and the events' primary
// key both give the order, and for a busy workflow look cheap on paper, yet read everything
// written since its earlier items when those lie far back), and no Sort of more than a page.
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
import { countWorkflowCheckpoints, listWorkflowCheckpoints } from "./checkpoints";
import {
  listWorkflowEvents,
  listWorkflowRequests,
  tallyWorkflowEvents,
  tallyWorkflowRequests,
} from "./queue";

const WF = "wf-big";
const LIMIT = 100;
const GROWING = ["approval_requests", "audit_events", "execution_checkpoints"];

type Node = PlanNode & { Filter?: string; "Plan Rows"?: number; "Scan Direction"?: string };
type Run = Parameters<typeof plansOfStatements>[1];

describe("the workflow page's plans, for a workflow of 5,000 requests", () => {
  let t: TestDb;
  let middle: { at: string; id: string };
  let middleEvent: number;
  beforeAll(async () => {
    t = await createTestDb({ kind: "postgres" });
    const ids = await insertStoredOwner(t.db);
    await seedStoredRequests(t.url as string, ids, 55_000, { seal: false });
    const run = (text: ReturnType<typeof sql>) => execRows(t.db, text);
    await run(
      sql`UPDATE approval_requests SET workflow_id = ${WF}
          WHERE id IN (SELECT id FROM approval_requests ORDER BY id LIMIT 5000)`,
    );
    // As a live server writes them: requests stored in the order they were made, and every
    // workflow's events interleaved in the log.
    await run(sql`CLUSTER approval_requests USING approval_requests_created_idx`);
    await run(
      sql`INSERT INTO audit_events (type, actor_type, request_id, workflow_id, payload)
          SELECT 'checkpoint.saved', 'agent', r.id, r.workflow_id, '{}'::jsonb
          FROM approval_requests r, generate_series(1, 4) ORDER BY random()`,
    );
    // Ten checkpoints for each of 1,000 of the workflow's requests and of 10,000 others.
    await run(
      sql`INSERT INTO execution_checkpoints (action_id, checkpoint_name, checkpoint_type,
            checkpoint_data, sequence_number)
          SELECT r.id, 'step', 'state', jsonb_build_object('n', n), n
          FROM (SELECT id FROM approval_requests WHERE workflow_id = ${WF}
                ORDER BY created_at LIMIT 1000) r, generate_series(1, 10) n
          UNION ALL
          SELECT r.id, 'step', 'state', '{}'::jsonb, n
          FROM (SELECT id FROM approval_requests WHERE workflow_id <> ${WF} LIMIT 10000) r,
            generate_series(1, 10) n`,
    );
    for (const table of GROWING) await run(sql.raw(`VACUUM ANALYZE ${table}`));
    const first = await listWorkflowRequests(t.db, WF, { after: null, limit: 2500 });
    middle = first.next as { at: string; id: string };
    const events = await listWorkflowEvents(t.db, WF, { before: null, limit: 10_000 });
    middleEvent = events.next as number;
  }, 240_000);
  afterAll(async () => {
    await t?.destroy();
  });

  async function plansOf(run: Run): Promise<Node[][]> {
    return (await plansOfStatements(t.url as string, run)).map((explained) => {
      if ("error" in explained) throw new Error(`no plan: ${explained.error}`);
      return explained.nodes;
    });
  }

  /** What a page's read must not do, in words (empty: nothing). */
  const faults = (nodes: Node[]) =>
    nodes.flatMap((n) => {
      const on = n["Index Name"] ?? n["Relation Name"] ?? "";
      if (n["Node Type"] === "Seq Scan" && GROWING.includes(on)) return [`Seq Scan of ${on}`];
      if (n.Filter?.includes("workflow_id")) return [`${on} filtered for the workflow`];
      if (n["Node Type"] === "Sort" && (n["Plan Rows"] ?? 0) > LIMIT + 1) return [`Sort`];
      return [];
    });
  /** The scans that find the page: [node type, index] of each scan of a growing table. */
  const scans = (nodes: Node[]) =>
    nodes
      .filter((n) => n["Node Type"].endsWith("Scan") && n["Index Name"] !== undefined)
      .map((n) => [n["Node Type"], n["Index Name"]]);

  it("requests, the first and a later page: their ids from the workflow index alone", async () => {
    for (const after of [null, middle]) {
      const [nodes] = await plansOf((db) => listWorkflowRequests(db, WF, { limit: LIMIT, after }));
      expect(faults(nodes ?? [])).toEqual([]);
      expect(scans(nodes ?? [])).toEqual([
        ["Index Only Scan", "approval_requests_workflow_idx"],
        ["Index Scan", "approval_requests_pkey"],
      ]);
    }
  });

  it("events, the latest page and an earlier one: the workflow's events index backwards", async () => {
    for (const before of [null, middleEvent]) {
      const [nodes] = await plansOf((db) => listWorkflowEvents(db, WF, { limit: LIMIT, before }));
      expect(faults(nodes ?? [])).toEqual([]);
      expect(scans(nodes ?? [])).toEqual([
        ["Index Only Scan", "audit_events_workflow_idx"],
        ["Index Scan", "audit_events_pkey"],
      ]);
      expect(nodes?.find((n) => n["Index Name"] === "audit_events_workflow_idx")).toMatchObject({
        "Scan Direction": "Backward",
      });
    }
  });

  it("checkpoints, the first and a later page: request by request, each one's in sequence", async () => {
    const after = {
      requestAt: middle.at,
      requestId: middle.id,
      sequence: 3,
      id: "00000000-0000-4000-8000-000000000000",
    };
    for (const from of [null, after]) {
      const [nodes] = await plansOf((db) =>
        listWorkflowCheckpoints(db, WF, { limit: LIMIT, after: from }),
      );
      expect(faults(nodes ?? [])).toEqual([]);
      expect(nodes?.[0]?.["Node Type"]).toBe("Limit");
      expect(scans(nodes ?? []).map(([, index]) => index)).toEqual([
        "approval_requests_workflow_idx",
        "execution_checkpoints_action_idx",
      ]);
    }
  });

  it("the whole workflow's counts read its indexes, never a table's every row", async () => {
    const runs: Run[] = [
      (db) => tallyWorkflowRequests(db, WF),
      (db) => tallyWorkflowEvents(db, WF),
      (db) => countWorkflowCheckpoints(db, WF),
    ];
    for (const run of runs) {
      for (const nodes of await plansOf(run)) expect(faults(nodes)).toEqual([]);
    }
  });
});
