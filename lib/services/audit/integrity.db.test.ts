// Bugs a full read of the services found, each pinned by the test that failed on the old code:
// edits that revive voided approvals (A-B-A), an edit that raised the level keeping the old
// deadline, release losing the escalation, the queue's own quorum arithmetic, audit verify
// never reporting an extended log, checkpoint expiry enforced only by the sweeper.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { execRows } from "@/db/client";
import { hashEvent } from "@/lib/hitl";
import { setNotificationTargetsForTesting } from "@/lib/services/integrations/notify";
import { markCheckpointResumed, saveCheckpoint } from "@/lib/services/requests/checkpoints";
import { decideRequest, submitTask } from "@/lib/services/requests/lifecycle";
import { getQueue, getRequestDetail } from "@/lib/services/requests/queue";
import { hitlConfig } from "@/lib/services/rules/config";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  loadRequest,
  refusalOf,
  sealEverything,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { verifyAuditLog } from "./audit";

describe("review integrity", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);
  const submit = async (action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    (await submitTask(f.t.db, f.beta, taskBody(action, extra))).task.approval_request_id;
  const refusal = refusalOf;

  describe("edit, then edit back (A-B-A)", () => {
    const v1 = { to: "ceo@customer.example" };
    const v2 = { to: "cfo@customer.example" };

    it("never revives an approval the first edit voided", async () => {
      const id = await submit(ACTIONS.critical);
      await decideRequest(f.t.db, f.as.ops, id, { type: "approve", justification: "v1 ok" });
      await decideRequest(f.t.db, f.as.ops2, id, {
        type: "approve",
        justification: "v2 safer",
        edited_inputs: v2,
      });
      const back = await decideRequest(f.t.db, f.as.ops3, id, {
        type: "approve",
        justification: "back to v1",
        edited_inputs: v1,
      });
      // Before: ops's approval of v1 counted again, and the request was approved by ops and ops3.
      expect(back).toMatchObject({ status: "pending", approvals: { have: 1, need: 2 } });
      const stored = await loadRequest(f.t.db, id);
      expect(stored.edit_generation).toBe(2);
      const detail = await getRequestDetail(f.t.db, f.as.lead, id);
      expect(detail.approvals_given.map((a) => a.counts)).toEqual([false, false, true]);
    });

    it("lets the first approver revert and approve again: a new vote, not a 500", async () => {
      const id = await submit(ACTIONS.critical);
      await decideRequest(f.t.db, f.as.ops, id, { type: "approve", justification: "v1 ok" });
      await decideRequest(f.t.db, f.as.ops2, id, {
        type: "approve",
        justification: "v2",
        edited_inputs: v2,
      });
      // Before: the insert hit the (request, approver, content hash) unique index: 500.
      const reverted = await decideRequest(f.t.db, f.as.ops, id, {
        type: "approve",
        justification: "v1 after all",
        edited_inputs: v1,
      });
      expect(reverted).toMatchObject({ status: "pending", approvals: { have: 1, need: 2 } });
      const again = await refusal(
        decideRequest(f.t.db, f.as.ops, id, { type: "approve", justification: "twice" }),
      );
      expect(again.code).toBe("conflict");
      const done = await decideRequest(f.t.db, f.as.ops3, id, {
        type: "approve",
        justification: "agreed",
      });
      expect(done.status).toBe("approved");
    });

    it("shows the core's quorum in the queue, never counting a voided approval", async () => {
      const id = await submit(ACTIONS.critical, { workflow_id: "wf-aba-queue" });
      await decideRequest(f.t.db, f.as.ops, id, { type: "approve", justification: "v1" });
      await decideRequest(f.t.db, f.as.ops2, id, {
        type: "approve",
        justification: "v2",
        edited_inputs: v2,
      });
      await decideRequest(f.t.db, f.as.ops2, id, {
        type: "approve",
        justification: "v1 again",
        edited_inputs: v1,
      });
      const queue = await getQueue(f.t.db, f.as.ops3, { workflow_id: "wf-aba-queue" });
      // Before: two approvals carry v1's hash, so the queue showed "2 of 2" on an open request.
      expect(queue.items).toMatchObject([
        { id, status: "pending", approvals: { have: 1, need: 2 } },
      ]);
    });
  });

  describe("an edit that raises the level", () => {
    it("gets the new level's time from the edit, a new escalation schedule and notifications", async () => {
      // A webhook and email configured, Slack not: it gets no row.
      setNotificationTargetsForTesting({
        webhookUrls: ["http://127.0.0.1:9/hook"],
        email: true,
        slack: false,
      });
      onTestFinished(() => setNotificationTargetsForTesting(undefined));
      const id = await submit({
        type: "PAYMENT.SEND",
        description: "Pay a supplier",
        inputs: { amount: 50_000 },
      });
      const before = await loadRequest(f.t.db, id);
      expect(before.risk_level).toBe("high");
      await decideRequest(f.t.db, f.as.ops, id, {
        type: "approve",
        justification: "Checked with finance",
        edited_inputs: { amount: 50_000, external: true, to: "cfo@elsewhere.example" },
      });
      const after = await loadRequest(f.t.db, id);
      const critical = hitlConfig().ruleSet.levels.critical;
      expect(after).toMatchObject({
        status: "pending",
        risk_level: "critical",
        timeout_minutes: critical.timeout_minutes,
      });
      const lastEdit = (
        await rows<{ at: Date }>(
          sql`SELECT at FROM audit_events WHERE request_id = ${id} AND type = 'hitl.inputs_edited'`,
        )
      )[0]?.at as Date;
      expect(after.expires_at.getTime()).toBe(
        new Date(lastEdit).getTime() + critical.timeout_minutes * 60_000,
      );
      expect(after.expires_at.getTime()).toBeGreaterThan(before.expires_at.getTime());
      if (critical.auto_escalate_after === null) expect(after.auto_escalate_at).toBeNull();
      const notified = await rows<{ channel: string }>(
        sql`SELECT channel FROM outbox WHERE request_id = ${id} AND event_type = 'hitl.risk_raised' ORDER BY channel`,
      );
      expect(notified.map((r) => r.channel)).toEqual(
        critical.notify.filter((c) => c === "email" || c === "webhook").sort(),
      );
    });
  });

  describe("release", () => {
    it("returns a request quarantined while escalated to the escalated tab", async () => {
      const id = await submit(ACTIONS.high);
      await decideRequest(f.t.db, f.as.lead, id, { type: "escalate", reason: "not mine" });
      await decideRequest(f.t.db, f.as.ops, id, { type: "quarantine", reason: "odd inputs" });
      const released = await decideRequest(f.t.db, f.as.ops, id, { type: "release" });
      // Before: status "pending" with escalated_to kept: the pending tab, waiting for devops.
      expect(released).toMatchObject({ status: "escalated", escalated_to: "devops_engineer" });
      const tab = await getQueue(f.t.db, f.as.ops, { status: "escalated" });
      expect(tab.items.map((i) => i.id)).toContain(id);
    });
  });

  describe("checkpoint expiry", () => {
    it("refuses to resume a checkpoint past its expiry even with no sweeper running (410)", async () => {
      const id = await submit(ACTIONS.high);
      // Already past its expiry when saved; nothing sweeps in this suite.
      const saved = await saveCheckpoint(f.t.db, f.beta, id, {
        name: "step-1",
        type: "state",
        data: { n: 1 },
        expires_at: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(saved.status).toBe("active");
      const gone = await refusal(markCheckpointResumed(f.t.db, f.beta, id, saved.checkpoint_id));
      expect(gone.code).toBe("gone");
      expect(gone.message).toMatch(/expired at/);
      const [row] = await rows<{ status: string }>(
        sql`SELECT status FROM execution_checkpoints WHERE id = ${saved.checkpoint_id}`,
      );
      expect(row?.status).toBe("expired");
    });
  });
  // Last: it leaves the log tampered with.
  describe("audit verify", () => {
    it("reports an event written around the audit writer as extending the log", async () => {
      await submit(ACTIONS.low, { workflow_id: "wf-audit-extend" });
      await sealEverything(f.t.db);
      expect((await verifyAuditLog(f.t.db, TEST_OPERATOR)).ok).toBe(true);
      const [head] = await rows<{ seq: number; hash: string }>(
        sql`SELECT seq::int AS seq, hash FROM audit_head`,
      );
      if (!head) throw new Error("no audit head");
      // A well-formed, correctly chained event, inserted without moving the head.
      const body = {
        seq: head.seq + 1,
        type: "hitl.approved",
        at: new Date(),
        actor_type: "user" as const,
        actor_id: "intruder",
        request_id: null,
        workflow_id: null,
        payload: {},
      };
      await rows(
        sql`INSERT INTO audit_events (seq, type, at, actor_type, actor_id, payload, prev_hash, hash, sealed_at)
            VALUES (${body.seq}, ${body.type}, ${body.at.toISOString()}::timestamptz, 'user', 'intruder', '{}'::jsonb, ${head.hash}, ${hashEvent(head.hash, body)}, now())`,
      );
      await sealEverything(f.t.db);
      const result = await verifyAuditLog(f.t.db, TEST_OPERATOR);
      expect(result).toMatchObject({ ok: false, break: { kind: "extended", seq: head.seq + 1 } });
    });
  });
});
