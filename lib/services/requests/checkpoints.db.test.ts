import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { SYSTEM } from "@/lib/services/principal";
import { ACTIONS, createFixture, type Fixture, taskBody } from "@/test-support/services";
import {
  cancelCheckpoint,
  expireCheckpoints,
  getLatestCheckpoint,
  listCheckpoints,
  markCheckpointResumed,
  saveCheckpoint,
} from "./checkpoints";
import { submitTask } from "./lifecycle";

describe("checkpoints", () => {
  let f: Fixture;
  let actionId: string;
  beforeAll(async () => {
    f = await createFixture();
    actionId = (await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high))).task.approval_request_id;
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  it("numbers checkpoints per action, lists them and finds the latest by name", async () => {
    const a = await saveCheckpoint(f.t.db, f.alpha, actionId, {
      name: "pages",
      type: "state",
      data: { page: 1 },
    });
    const b = await saveCheckpoint(f.t.db, f.alpha, actionId, {
      name: "gate",
      type: "approval_gate",
      data: {},
    });
    const c = await saveCheckpoint(f.t.db, f.alpha, actionId, {
      name: "pages",
      type: "state",
      data: { page: 2 },
    });
    expect([a.sequence_number, b.sequence_number, c.sequence_number]).toEqual([1, 2, 3]);
    expect((await listCheckpoints(f.t.db, f.alpha, actionId)).items.map((x) => x.name)).toEqual([
      "pages",
      "gate",
      "pages",
    ]);
    expect(await getLatestCheckpoint(f.t.db, f.alpha, actionId, "pages")).toMatchObject({
      data: { page: 2 },
      sequence_number: 3,
    });
    await expect(getLatestCheckpoint(f.t.db, f.alpha, actionId, "nope")).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("gives concurrent saves distinct, increasing sequence numbers", async () => {
    const saved = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        saveCheckpoint(f.t.db, f.alpha, actionId, { name: "burst", type: "state", data: { i } }),
      ),
    );
    const numbers = saved.map((s) => s.sequence_number).sort((x, y) => x - y);
    expect(new Set(numbers).size).toBe(20);
  });

  it("marks a checkpoint resumed once; again is a conflict", async () => {
    const cp = await saveCheckpoint(f.t.db, f.alpha, actionId, {
      name: "retry",
      type: "error_recovery",
      data: {},
    });
    const resumed = await markCheckpointResumed(f.t.db, f.alpha, actionId, cp.checkpoint_id);
    expect(resumed).toMatchObject({ status: "resumed", resumed_by: f.alpha.keyId });
    await expect(
      markCheckpointResumed(f.t.db, f.alpha, actionId, cp.checkpoint_id),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(
      cancelCheckpoint(f.t.db, f.alpha, actionId, cp.checkpoint_id),
    ).rejects.toMatchObject({ code: "conflict" });
  });

  it("expires checkpoints past their expiry, and they can no longer be resumed", async () => {
    const cp = await saveCheckpoint(f.t.db, f.alpha, actionId, {
      name: "timer",
      type: "timer",
      data: {},
      expires_at: new Date(Date.now() - 1000).toISOString(),
    });
    expect(await expireCheckpoints(f.t.db, SYSTEM)).toBeGreaterThanOrEqual(1);
    await expect(
      markCheckpointResumed(f.t.db, f.alpha, actionId, cp.checkpoint_id),
    ).rejects.toMatchObject({
      code: "conflict",
    });
    const events = await execRows<{ type: string }>(
      f.t.db,
      sql`SELECT type FROM audit_events WHERE payload->>'checkpoint_id' = ${cp.checkpoint_id} ORDER BY id`,
    );
    expect(events.map((e) => e.type)).toEqual(["checkpoint.saved", "checkpoint.expired"]);
  });

  it.each([
    [{ name: "", type: "state", data: {} }, "name"],
    [{ name: "x", type: "nap", data: {} }, "type"],
    [{ name: "x", type: "state", data: [] }, "data"],
    [{ name: "x", type: "state", data: {}, expires_at: "tomorrow" }, "expires_at"],
  ])("refuses %o naming %s", async (input, field) => {
    await expect(saveCheckpoint(f.t.db, f.alpha, actionId, input)).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining(field),
    });
  });

  it("answers not found for an unknown action", async () => {
    await expect(
      saveCheckpoint(f.t.db, f.alpha, "00000000-0000-4000-8000-000000000000", {
        name: "x",
        type: "state",
        data: {},
      }),
    ).rejects.toMatchObject({ code: "not_found" });
  });
});
