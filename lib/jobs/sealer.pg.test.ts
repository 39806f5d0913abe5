// The sealed audit chain under real concurrency (SPEC §8): writers never wait for each other
// on the log, a transaction that started earlier but commits later is still sealed in its
// place, and two sealers on two connections seal every event exactly once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, execRows } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import type { AuditType } from "@/lib/contract/audit";
import { verifyAuditLog } from "@/lib/services/audit/audit";
import { submitTask } from "@/lib/services/requests/lifecycle";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  sealEverything,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { sealBatch } from "./sealer";

/** A transaction held open until `release()`; `written` resolves once its event is in. */
function openTransaction(f: Fixture, type: AuditType) {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let written = () => {};
  const inserted = new Promise<void>((resolve) => {
    written = resolve;
  });
  const done = f.t.db.transaction(async (tx) => {
    await appendAuditEvents(tx, [{ type, actor_type: "system", actor_id: null, payload: {} }]);
    written();
    await held;
  });
  return { inserted, release, done };
}

describe("the audit sealer on PostgreSQL", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture({ max: 20 });
    await sealEverything(f.t.db);
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);

  it("lets a submit commit while another transaction holding an audit event is open", async () => {
    const open = openTransaction(f, "outbox.retried");
    await open.inserted;
    // Before the sealer, this waited on the head row that the open transaction had locked.
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    expect(task.status).toBe("pending");
    open.release();
    await open.done;
    await sealEverything(f.t.db);
    expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({
      ok: true,
      unsealed: { count: 0 },
    });
  });

  it("seals a transaction that started earlier and committed later before the later ones", async () => {
    const early = openTransaction(f, "key.created");
    await early.inserted;
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    // The later submit has committed, but the early transaction could still precede it.
    expect(await sealBatch(f.t.db)).toMatchObject({ sealed: 0, tookLock: true });
    const waiting = await verifyAuditLog(f.t.db, TEST_OPERATOR);
    expect(waiting).toMatchObject({ ok: true, unsealed: { count: 1 } });

    early.release();
    await early.done;
    // (Transactions of other databases on the server hold the sealer back too: it waits.)
    expect(await sealEverything(f.t.db)).toBe(2);
    const order = await rows<{ type: string; request_id: string | null }>(
      sql`SELECT type, request_id FROM audit_events ORDER BY seq DESC LIMIT 2`,
    );
    expect(order.reverse()).toEqual([
      { type: "key.created", request_id: null },
      { type: "hitl.approval_requested", request_id: task.approval_request_id },
    ]);
    expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({ ok: true });
  });

  it("does not seal the events of a transaction that rolls back", async () => {
    await expect(
      f.t.db.transaction(async (tx) => {
        await appendAuditEvents(tx, [
          { type: "key.revoked", actor_type: "system", actor_id: null, payload: {} },
        ]);
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await sealEverything(f.t.db);
    expect(await rows(sql`SELECT 1 FROM audit_events WHERE type = 'key.revoked'`)).toEqual([]);
    expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({ ok: true });
  });

  it("lets one sealer of two take the lock while the other skips its turn", async () => {
    const other = await createDb({ url: f.t.url, max: 2 });
    try {
      let entered = () => {};
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      let leave = () => {};
      const held = new Promise<void>((resolve) => {
        leave = resolve;
      });
      const holder = other.db.transaction(async (tx) => {
        await execRows(tx, sql`SELECT pg_advisory_xact_lock(hashtext('airlock.audit.sealer'))`);
        entered();
        await held;
      });
      await inside;
      await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
      expect(await sealBatch(f.t.db)).toMatchObject({ sealed: 0, tookLock: false });
      leave();
      await holder;
      expect(await sealBatch(f.t.db)).toMatchObject({ tookLock: true });
      expect(await sealEverything(f.t.db)).toBeLessThanOrEqual(1);
    } finally {
      await other.close();
    }
  });

  it("seals every event once while two sealers on two connections race 40 writers", async () => {
    const handles = await Promise.all([
      createDb({ url: f.t.url, max: 2 }),
      createDb({ url: f.t.url, max: 2 }),
    ]);
    try {
      const [{ n: before }] = (await rows<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM audit_events`,
      )) as [{ n: number }];
      let writing = true;
      const sealers = handles.map(async (h) => {
        let sealed = 0;
        while (writing) sealed += (await sealBatch(h.db, 7)).sealed;
        return { sealed };
      });
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high, { workflow_id: `wf-race-${i}` })),
        ),
      );
      writing = false;
      const results = await Promise.all(sealers);
      const rest = await sealEverything(f.t.db);
      const total = results.reduce((sum, r) => sum + r.sealed, 0) + rest;
      expect(total).toBe(40);

      const [chain] = await rows<{ n: number; max: number; distinct: number }>(
        sql`SELECT count(*)::int AS n, max(seq)::int AS max, count(DISTINCT seq)::int AS distinct
            FROM audit_events`,
      );
      expect(chain).toEqual({ n: before + 40, max: before + 40, distinct: before + 40 });
      expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({
        ok: true,
        count: before + 40,
        unsealed: { count: 0 },
      });
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
