// Races that only a real server can stage: many connections deciding, sweeping and
// submitting at once. Every test checks the database afterwards, not just the answers.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type DbHandle, execRows } from "@/db/client";
import { addUser } from "@/lib/services/accounts/users";
import { verifyAuditLog } from "@/lib/services/audit/audit";
import { ServiceError } from "@/lib/services/errors";
import { SYSTEM, type UserPrincipal } from "@/lib/services/principal";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  sealEverything,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { decideRequest, submitTask, sweepDueRequests } from "./lifecycle";

// Callbacks and webhooks go to receivers on this machine, which only "loopback" allows (SPEC
// §8.1); the environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

describe("concurrency on PostgreSQL", () => {
  let f: Fixture;
  let devops: string[];
  beforeAll(async () => {
    f = await createFixture({ max: 20 });
    devops = [f.users.ops.id, f.users.ops2.id, f.users.ops3.id];
    for (let i = 4; i <= 10; i++) {
      devops.push(
        (
          await addUser(f.t.db, TEST_OPERATOR, {
            email: `ops${i}@test.local`,
            role: "devops_engineer",
          })
        ).id,
      );
    }
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);
  const user = (id: string): UserPrincipal => ({ kind: "user", userId: id });
  const codeOf = (e: unknown) => (e instanceof ServiceError ? e.code : `unexpected: ${String(e)}`);
  const settle = async (promises: Promise<unknown>[]) => {
    const results = await Promise.allSettled(promises);
    return {
      ok: results.filter((r) => r.status === "fulfilled").length,
      codes: results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : [])),
    };
  };
  const eventTypes = async (requestId: string) =>
    (
      await rows<{ type: string }>(
        sql`SELECT type FROM audit_events WHERE request_id = ${requestId} ORDER BY id`,
      )
    ).map((r) => r.type);

  it("100 concurrent approve/reject calls on one request: one transition, one outbox set, 99 conflicts (×50)", async () => {
    const reviewers = [
      f.users.lead.id,
      f.users.lead2.id,
      f.users.ops.id,
      f.users.ops2.id,
      f.users.ops3.id,
    ];
    for (let round = 0; round < 50; round++) {
      const { task } = await submitTask(
        f.t.db,
        f.alpha,
        taskBody(ACTIONS.high, { callback_url: "http://127.0.0.1:9/cb" }),
      );
      const requestId = task.approval_request_id;
      const calls = Array.from({ length: 100 }, (_, i) =>
        decideRequest(
          f.t.db,
          user(reviewers[i % reviewers.length] as string),
          requestId,
          i % 2 === 0 ? { type: "approve" } : { type: "reject", reason: `no ${i}` },
        ),
      );
      const { ok, codes } = await settle(calls);
      expect(ok).toBe(1);
      expect(codes).toEqual(Array(99).fill("conflict"));
      const closing = (await eventTypes(requestId)).filter(
        (t) => t === "hitl.approved" || t === "hitl.rejected",
      );
      expect(closing).toHaveLength(1);
      const outbox = await rows<{ kind: string }>(
        sql`SELECT kind FROM outbox WHERE request_id = ${requestId} AND kind <> 'notify' ORDER BY kind`,
      );
      // The graph's start, and one drive for the one decision that closed it.
      expect(outbox.map((o) => o.kind)).toEqual(["workflow", "workflow"]);
    }
    await sealEverything(f.t.db);
    expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({ ok: true });
  });

  it("critical quorum race: ten approvers at once, one of them twenty times → approved once by two distinct people", async () => {
    for (let round = 0; round < 10; round++) {
      const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.critical));
      const requestId = task.approval_request_id;
      const eager = devops[round % devops.length] as string;
      const calls = [
        ...devops.map((id) =>
          decideRequest(f.t.db, user(id), requestId, { type: "approve", justification: "ok" }),
        ),
        ...Array.from({ length: 20 }, () =>
          decideRequest(f.t.db, user(eager), requestId, {
            type: "approve",
            justification: "me again",
          }),
        ),
      ];
      const { ok, codes } = await settle(calls);
      expect(ok).toBe(2);
      expect(new Set(codes)).toEqual(new Set(["conflict"]));
      const approvals = await rows<{ approver_id: string }>(
        sql`SELECT approver_id FROM approvals WHERE request_id = ${requestId}`,
      );
      expect(approvals).toHaveLength(2);
      expect(new Set(approvals.map((a) => a.approver_id)).size).toBe(2);
      const types = await eventTypes(requestId);
      expect(types.filter((t) => t === "hitl.approved")).toHaveLength(1);
      const [row] = await rows<{ status: string }>(
        sql`SELECT status FROM approval_requests WHERE id = ${requestId}`,
      );
      expect(row?.status).toBe("approved");
    }
  });

  it("approve racing expiry at the deadline: never both outcomes (300 trials)", async () => {
    const outcomes = { approved: 0, expired: 0 };
    for (let trial = 0; trial < 300; trial++) {
      const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
      const requestId = task.approval_request_id;
      // Put the deadline a few milliseconds ahead, so the two race right across it.
      await execRows(
        f.t.db,
        sql`UPDATE approval_requests SET expires_at = clock_timestamp() + make_interval(secs => ${(trial % 7) / 1000}) WHERE id = ${requestId}`,
      );
      await Promise.allSettled([
        decideRequest(f.t.db, user(f.users.lead.id), requestId, { type: "approve" }),
        sweepDueRequests(f.t.db, SYSTEM),
        (async () => {
          await new Promise((r) => setTimeout(r, trial % 4));
          return sweepDueRequests(f.t.db, SYSTEM);
        })(),
      ]);
      const types = await eventTypes(requestId);
      const approved = types.filter((t) => t === "hitl.approved").length;
      const expired = types.filter((t) => t === "hitl.expired").length;
      const [row] = await rows<{ status: string }>(
        sql`SELECT status FROM approval_requests WHERE id = ${requestId}`,
      );
      if (row?.status === "approved") {
        expect([approved, expired]).toEqual([1, 0]);
        outcomes.approved++;
      } else {
        // Not yet due when the sweepers looked: sweep now that it is.
        if (row?.status === "pending") {
          await new Promise((r) => setTimeout(r, 10));
          await sweepDueRequests(f.t.db, SYSTEM);
        }
        const after = await eventTypes(requestId);
        expect(after.filter((t) => t === "hitl.approved")).toHaveLength(0);
        expect(after.filter((t) => t === "hitl.expired")).toHaveLength(1);
        outcomes.expired++;
      }
    }
    // Both sides of the boundary were exercised.
    expect(outcomes.approved).toBeGreaterThan(0);
    expect(outcomes.expired).toBeGreaterThan(0);
  });

  it("approve racing escalation: never both outcomes (200 trials, manual and automatic)", async () => {
    for (let trial = 0; trial < 200; trial++) {
      const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
      const requestId = task.approval_request_id;
      const escalation =
        trial % 2 === 0
          ? decideRequest(f.t.db, user(f.users.lead2.id), requestId, { type: "escalate" })
          : execRows(
              f.t.db,
              sql`UPDATE approval_requests SET auto_escalate_at = clock_timestamp() WHERE id = ${requestId}`,
            ).then(() => sweepDueRequests(f.t.db, SYSTEM));
      await Promise.allSettled([
        decideRequest(f.t.db, user(f.users.lead.id), requestId, { type: "approve" }),
        escalation,
      ]);
      const types = await eventTypes(requestId);
      const [row] = await rows<{ status: string }>(
        sql`SELECT status FROM approval_requests WHERE id = ${requestId}`,
      );
      const approved = types.includes("hitl.approved");
      const escalated = types.includes("hitl.escalated");
      expect(approved && escalated).toBe(false);
      expect(row?.status).toBe(approved ? "approved" : escalated ? "escalated" : "pending");
    }
  });

  it("two app-like sweepers over 1,000 due requests: each expired exactly once", async () => {
    const ids: string[] = [];
    const body = taskBody(ACTIONS.medium, { workflow_id: "wf-sweep" });
    for (let i = 0; i < 1000; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () =>
          submitTask(f.t.db, f.beta, body, { maxOpenPerAgent: 5000 }),
        ),
      );
      ids.push(...batch.map((b) => b.task.approval_request_id));
    }
    await execRows(
      f.t.db,
      sql`UPDATE approval_requests SET expires_at = clock_timestamp() - interval '1 second' WHERE workflow_id = 'wf-sweep'`,
    );
    // Two separate connection pools, as two app instances would have.
    const handles: DbHandle[] = await Promise.all([
      createDb({ url: f.t.url, max: 4 }),
      createDb({ url: f.t.url, max: 4 }),
    ]);
    try {
      const [a, b] = await Promise.all(
        handles.map((h) => sweepDueRequests(h.db, SYSTEM, { batchSize: 50 })),
      );
      expect((a?.expired ?? 0) + (b?.expired ?? 0)).toBe(1000);
      expect(a?.expired).toBeGreaterThan(0);
      expect(b?.expired).toBeGreaterThan(0);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
    const counts = await rows<{ n: number; requests: number }>(
      sql`SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS requests
          FROM audit_events WHERE type = 'hitl.expired' AND workflow_id = 'wf-sweep'`,
    );
    expect(counts[0]).toEqual({ n: 1000, requests: 1000 });
    await sealEverything(f.t.db);
    expect(await verifyAuditLog(f.t.db, TEST_OPERATOR)).toMatchObject({ ok: true });
  });

  it("50 concurrent submits with one Idempotency-Key: one task, every answer names it", async () => {
    const body = taskBody(ACTIONS.high, { workflow_id: "wf-idem" });
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        submitTask(f.t.db, f.alpha, body, { idempotencyKey: "same-key-50" }),
      ),
    );
    expect(new Set(results.map((r) => r.task.task_id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const [row] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM tasks WHERE workflow_id = 'wf-idem'`,
    );
    expect(row?.n).toBe(1);
  });
});
