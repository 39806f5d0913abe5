// The queue's pages and the recently-decided tab are read from their indexes in order, a page
// at a time: with 100,000 requests stored (tools/bench/stored.ts), each page's plan is an index
// scan of the index made for it, under a LIMIT, with no Sort and no sequential scan. A plain
// DESC (NULLS FIRST) against those DESC NULLS LAST indexes sorted every open request instead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import {
  insertStoredOwner,
  type PlanNode,
  plansOfStatements,
  seedStoredRequests,
} from "@/tools/bench/stored";
import { listQueue } from "./queue";
import { listRecentlyDecided } from "./recent";

describe("the queue's plans on 100,000 requests", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ kind: "postgres" });
    const ids = await insertStoredOwner(t.db);
    await seedStoredRequests(t.url as string, ids, 100_000, { seal: false });
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });

  async function planOf(run: Parameters<typeof plansOfStatements>[1]): Promise<PlanNode[]> {
    const explained = await plansOfStatements(t.url as string, run);
    expect(explained).toHaveLength(1);
    const [only] = explained;
    if (!only || "error" in only) throw new Error(`no plan: ${JSON.stringify(only)}`);
    return only.nodes;
  }
  const shape = (nodes: PlanNode[]) =>
    nodes.map((n) => [n["Node Type"], n["Index Name"] ?? n["Relation Name"] ?? null]);

  it("the open queue's first and next pages: the open-requests index, in order", async () => {
    const first = await planOf((db) => listQueue(db, {}, { after: null, limit: 50 }));
    expect(shape(first)).toEqual([
      ["Limit", null],
      ["Index Scan", "approval_requests_open_idx"],
    ]);
    const after = {
      rank: 2,
      createdAt: new Date(Date.now() - 30 * 86_400_000),
      id: "f".repeat(8).concat("-ffff-4fff-bfff-ffffffffffff"),
    };
    const next = await planOf((db) => listQueue(db, {}, { after, limit: 50 }));
    expect(shape(next)).toEqual([
      ["Limit", null],
      ["Index Scan", "approval_requests_open_idx"],
    ]);
  });

  it("one tab's pages: the queue index, in order", async () => {
    const nodes = await planOf((db) =>
      listQueue(db, { statuses: ["pending"] }, { after: null, limit: 50 }),
    );
    expect(shape(nodes)).toEqual([
      ["Limit", null],
      ["Index Scan", "approval_requests_queue_idx"],
    ]);
  });

  it("recently decided: the decided index, in order", async () => {
    const nodes = await planOf((db) => listRecentlyDecided(db, {}, { after: null, limit: 50 }));
    expect(nodes.some((n) => n["Node Type"] === "Sort")).toBe(false);
    expect(nodes.some((n) => n["Node Type"].includes("Seq Scan"))).toBe(false);
    expect(nodes.map((n) => n["Index Name"]).filter(Boolean)).toEqual([
      "approval_requests_decided_idx",
    ]);
  });
});
