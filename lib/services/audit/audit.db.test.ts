import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { decideRequest, submitTask } from "@/lib/services/requests/lifecycle";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  sealEverything,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { verifyAuditLog } from "./audit";

// Tampering goes around the application, as an attacker with database access would: the
// append-only trigger is switched off for each case and everything is put back after it.
describe("audit verify", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
    for (let i = 0; i < 5; i++) {
      const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
      await decideRequest(f.t.db, f.as.lead, task.approval_request_id, { type: "approve" });
    }
    await sealEverything(f.t.db);
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const run = (query: ReturnType<typeof sql>) => execRows(f.t.db, query);
  /** Refused by the append-only trigger (drizzle wraps the database's error as the cause). */
  const appendOnly = (error: unknown) =>
    /append-only/.test(String((error as { cause?: unknown }).cause ?? error));

  async function tampered(change: () => Promise<unknown>, restore: () => Promise<unknown>) {
    await run(sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    try {
      await change();
      return await verifyAuditLog(f.t.db, TEST_OPERATOR);
    } finally {
      await restore();
      await run(sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    }
  }

  it("passes on the untouched log", async () => {
    const result = await verifyAuditLog(f.t.db, TEST_OPERATOR);
    expect(result).toMatchObject({ ok: true, unsealed: { count: 0, lag_seconds: 0 } });
    // 8 users and 2 keys created, then each of 5 requests submitted and approved.
    expect(result.count).toBe(10 + 5 * 2);
  });

  it("refuses updates and deletes through the append-only trigger", async () => {
    await expect(run(sql`UPDATE audit_events SET payload = '{}' WHERE seq = 1`)).rejects.toThrow();
    await expect(run(sql`DELETE FROM audit_events WHERE seq = 1`)).rejects.toThrow();
    // A sealed event cannot be sealed again (relinked), nor unsealed.
    await expect(
      run(
        sql`UPDATE audit_events SET seq = 1000, hash = hash, prev_hash = prev_hash WHERE seq = 2`,
      ),
    ).rejects.toSatisfy(appendOnly);
    await expect(
      run(
        sql`UPDATE audit_events SET seq = NULL, hash = NULL, prev_hash = NULL, sealed_at = NULL WHERE seq = 2`,
      ),
    ).rejects.toSatisfy(appendOnly);
  });

  it("reports events the sealer has not linked yet, then seals them in order", async () => {
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    const before = await verifyAuditLog(f.t.db, TEST_OPERATOR);
    expect(before).toMatchObject({ ok: true, count: 20, unsealed: { count: 1 } });
    expect(before.unsealed.lag_seconds).toBeGreaterThanOrEqual(0);
    expect(before.unsealed.oldest_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Unsealed, an event is still append-only: only the seal may be written, nothing else.
    await expect(
      run(sql`UPDATE audit_events SET payload = '{}' WHERE seq IS NULL`),
    ).rejects.toSatisfy(appendOnly);
    await expect(
      run(
        sql`UPDATE audit_events SET seq = 21, prev_hash = 'x', hash = 'y', sealed_at = now(), type = 'hitl.approved' WHERE seq IS NULL`,
      ),
    ).rejects.toSatisfy(appendOnly);
    await expect(run(sql`DELETE FROM audit_events WHERE seq IS NULL`)).rejects.toThrow();

    expect(await sealEverything(f.t.db)).toBe(1);
    expect(await sealEverything(f.t.db)).toBe(0);
    const after = await verifyAuditLog(f.t.db, TEST_OPERATOR);
    expect(after).toMatchObject({ ok: true, count: 21, unsealed: { count: 0 } });
    const [sealed] = await run(
      sql`SELECT seq::int AS seq, type FROM audit_events WHERE request_id = ${task.approval_request_id}`,
    );
    expect(sealed).toEqual({ seq: 21, type: "hitl.approval_requested" });
  });

  it("finds an edited event", async () => {
    const [row] = await run(sql`SELECT payload::text AS payload FROM audit_events WHERE seq = 12`);
    const result = await tampered(
      () => run(sql`UPDATE audit_events SET payload = payload || '{"forged":true}' WHERE seq = 12`),
      () =>
        run(sql`UPDATE audit_events SET payload = ${row?.payload as string}::jsonb WHERE seq = 12`),
    );
    expect(result).toMatchObject({ ok: false, break: { kind: "edited", seq: 12 } });
  });

  it("finds an edited event whose hash was recomputed (the next link breaks)", async () => {
    const [row] = await run(sql`SELECT hash FROM audit_events WHERE seq = 9`);
    const result = await tampered(
      () => run(sql`UPDATE audit_events SET hash = repeat('a', 64) WHERE seq = 9`),
      () => run(sql`UPDATE audit_events SET hash = ${row?.hash as string} WHERE seq = 9`),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.break.seq).toBe(9);
  });

  it("finds a deleted event", async () => {
    const [saved] = await run(sql`SELECT * FROM audit_events WHERE seq = 15`);
    const result = await tampered(
      () => run(sql`DELETE FROM audit_events WHERE seq = 15`),
      () =>
        run(
          sql`INSERT INTO audit_events SELECT * FROM jsonb_populate_record(NULL::audit_events, ${JSON.stringify(saved)}::jsonb)`,
        ),
    );
    expect(result).toMatchObject({ ok: false, break: { kind: "gap", seq: 16 } });
  });

  it("finds two swapped events", async () => {
    const swap = async () => {
      await run(sql`UPDATE audit_events SET seq = -1 WHERE seq = 10`);
      await run(sql`UPDATE audit_events SET seq = 10 WHERE seq = 11`);
      await run(sql`UPDATE audit_events SET seq = 11 WHERE seq = -1`);
    };
    const result = await tampered(swap, swap);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.break.seq).toBe(10);
  });

  it("finds events cut off the end of the log", async () => {
    const [last] = await run(
      sql`SELECT * FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1`,
    );
    const result = await tampered(
      () => run(sql`DELETE FROM audit_events WHERE seq = ${last?.seq as number}`),
      () =>
        run(
          sql`INSERT INTO audit_events SELECT * FROM jsonb_populate_record(NULL::audit_events, ${JSON.stringify(last)}::jsonb)`,
        ),
    );
    expect(result).toMatchObject({ ok: false, break: { kind: "truncated" } });
  });

  it("passes again once everything is put back", async () => {
    expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({ ok: true });
  });
});
