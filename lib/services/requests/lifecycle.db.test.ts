import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { findTask } from "@/db/queries/requests";
import { verifyAuditLog } from "@/lib/services/audit/audit";
import { ServiceError } from "@/lib/services/errors";
import { setNotificationTargetsForTesting } from "@/lib/services/integrations/notify";
import { SYSTEM } from "@/lib/services/principal";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  loadRequest,
  loadRequestRow,
  type Person,
  refusalOf,
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

describe("approval lifecycle", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
    // Two notification webhooks and email configured: what the levels' channels write.
    setNotificationTargetsForTesting({
      webhookUrls: ["http://127.0.0.1:9/one", "http://127.0.0.1:9/two"],
      email: true,
      slack: false,
    });
  });
  afterAll(async () => {
    setNotificationTargetsForTesting(undefined);
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);
  const countOf = async (table: string) =>
    (await rows<{ n: number }>(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n ?? 0;
  const as = (person: Person) => f.as[person];
  const submit = (action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    submitTask(f.t.db, f.alpha, taskBody(action, extra));
  /** Submit as alpha, and the id of the request it opened. */
  const submitId = async (action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    (await submit(action, extra)).task.approval_request_id;
  const refusal = refusalOf;
  const eventsOf = async (requestId: string) =>
    (
      await rows<{ type: string }>(
        sql`SELECT type FROM audit_events WHERE request_id = ${requestId} ORDER BY id`,
      )
    ).map((r) => r.type);
  const outboxOf = async (requestId: string) =>
    (
      await rows<{ kind: string; channel: string | null; event_type: string }>(
        sql`SELECT kind, channel, event_type FROM outbox WHERE request_id = ${requestId} ORDER BY created_at, kind, channel`,
      )
    ).map((r) => `${r.kind}${r.channel ? `:${r.channel}` : ""} ${r.event_type}`);

  describe("submit", () => {
    it("stores a risky action as a pending request with its timeout, audit events and notifications", async () => {
      const { task: submitted, created } = await submit(ACTIONS.high, {
        callback_url: "http://127.0.0.1:9/cb",
      });
      expect(created).toBe(true);
      const request = await loadRequest(f.t.db, submitted.approval_request_id);
      expect(request).toMatchObject({
        status: "pending",
        risk_level: "high",
        required_role: "tech_lead",
      });
      expect(request.expires_at.getTime() - request.created_at.getTime()).toBe(60 * 60_000);
      const task = await findTask(f.t.db, submitted.task_id);
      expect(task).toMatchObject({
        workflowId: "wf-test",
        agentName: "feature-dev",
        execution: "waiting",
      });
      expect(task?.threadId).toBe(`thread-${submitted.task_id}`);
      expect(submitted.thread_id).toBe(task?.threadId);
      expect(await eventsOf(request.id)).toEqual(["hitl.approval_requested"]);
      expect((await outboxOf(request.id)).sort()).toEqual([
        "notify:email hitl.approval_requested",
        // One row per URL: a failing receiver never holds up the other.
        "notify:webhook hitl.approval_requested",
        "notify:webhook hitl.approval_requested",
        // The graph's start; its callback waits for its last node.
        "workflow hitl.approval_requested",
      ]);
    });

    it("stores a low-risk action as approved by the system and executes it in the same commit", async () => {
      const request = await loadRequest(
        f.t.db,
        await submitId(ACTIONS.low, { callback_url: "http://127.0.0.1:9/cb" }),
      );
      expect(request).toMatchObject({ status: "approved", decided_by: null });
      const [row] = await rows<{ auto_approved: boolean }>(
        sql`SELECT auto_approved FROM approval_requests WHERE id = ${request.id}`,
      );
      expect(row?.auto_approved).toBe(true);
      expect(await eventsOf(request.id)).toEqual([
        "hitl.approval_requested",
        "hitl.auto_approved",
        "workflow.completed",
      ]);
      // No graph to drive: the agent's callback is all that is left to do.
      expect(await outboxOf(request.id)).toEqual(["webhook task.executed"]);
    });

    it("returns the same task for the same Idempotency-Key and body, and refuses another body", async () => {
      const body = taskBody(ACTIONS.medium);
      const first = await submitTask(f.t.db, f.alpha, body, { idempotencyKey: "retry-1" });
      const again = await submitTask(f.t.db, f.alpha, body, { idempotencyKey: "retry-1" });
      expect(again.created).toBe(false);
      expect(again.task.task_id).toBe(first.task.task_id);
      const other = await refusal(
        submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high), { idempotencyKey: "retry-1" }),
      );
      expect(other.code).toBe("unprocessable");
      // Idempotency keys belong to the key that used them.
      const beta = await submitTask(f.t.db, f.beta, body, { idempotencyKey: "retry-1" });
      expect(beta.task.task_id).not.toBe(first.task.task_id);
    });

    it("refuses a runaway agent beyond its bound on open requests", async () => {
      const bounded = { maxOpenPerAgent: 2 };
      const own = await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high), bounded).catch(
        (e: unknown) => e,
      );
      // beta may already hold open requests from other tests; fill it up to the bound.
      if (!(own instanceof ServiceError)) {
        await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high), bounded).catch(() => undefined);
      }
      const error = await refusal(submitTask(f.t.db, f.beta, taskBody(ACTIONS.high), bounded));
      expect(error.code).toBe("limit");
      expect(error.message).toMatch(/the limit is 2/);
      // Auto-approved actions are never open, but the bound is checked first: still refused.
      expect((await refusal(submitTask(f.t.db, f.beta, taskBody(ACTIONS.low), bounded))).code).toBe(
        "limit",
      );
    });

    it.each([
      [{ workflow_id: "" }, "workflow_id"],
      [{ action: { description: "no type" } }, "action.type"],
      [{ action: { ...ACTIONS.high, inputs: "not an object" } }, "action.inputs"],
      [{ action: { ...ACTIONS.high, inputs: { note: "nul\u0000byte" } } }, "action.inputs.note"],
      [{ priority: "asap" }, "priority"],
      [{ callback_url: "ftp://example.com" }, "callback_url"],
      [{ surprise: true }, "surprise"],
    ])("refuses %o naming %s, and writes nothing", async (override, field) => {
      const before = await Promise.all(
        ["tasks", "approval_requests", "audit_events", "outbox"].map(countOf),
      );
      const error = await refusal(
        submitTask(f.t.db, f.alpha, { ...taskBody(ACTIONS.high), ...override }),
      );
      expect(error.code).toBe("invalid");
      expect(JSON.stringify(error.details)).toContain(field === "surprise" ? "(root)" : field);
      const after = await Promise.all(
        ["tasks", "approval_requests", "audit_events", "outbox"].map(countOf),
      );
      expect(after).toEqual(before);
    });
  });

  describe("decide", () => {
    it("approves with one eligible reviewer, wakes the graph, and refuses a second decision", async () => {
      const id = await submitId(ACTIONS.high, { callback_url: "http://127.0.0.1:9/cb" });
      const approved = await decideRequest(f.t.db, as("lead"), id, { type: "approve" });
      expect(approved).toMatchObject({ id, status: "approved" });
      expect(await loadRequest(f.t.db, id)).toMatchObject({
        status: "approved",
        decided_by: f.users.lead.id,
      });
      // The graph's drive; its last node queues the callback (lib/jobs/workflow.ts).
      expect(await outboxOf(id)).toContain("workflow hitl.approved");
      expect((await outboxOf(id)).some((row) => row.startsWith("webhook"))).toBe(false);
      const again = await refusal(
        decideRequest(f.t.db, as("lead2"), id, { type: "reject", reason: "late" }),
      );
      expect(again.code).toBe("conflict");
    });

    it.each<[Person, keyof typeof ACTIONS, string]>([
      ["dev", "medium", "forbidden"],
      ["dev", "high", "forbidden"],
      ["viewer", "medium", "forbidden"],
      ["lead", "critical", "forbidden"],
      ["owner", "high", "forbidden"],
    ])("refuses %s approving a %s request (%s)", async (person, level, code) => {
      const id = await submitId(ACTIONS[level]);
      expect((await refusal(decideRequest(f.t.db, as(person), id, { type: "approve" }))).code).toBe(
        code,
      );
      const [row] = await rows<{ status: string }>(
        sql`SELECT status FROM approval_requests WHERE id = ${id}`,
      );
      expect(row?.status).toBe("pending");
    });

    it("needs two distinct devops engineers and a justification for a critical request", async () => {
      const id = await submitId(ACTIONS.critical);
      const noReason = await refusal(decideRequest(f.t.db, as("ops"), id, { type: "approve" }));
      expect(noReason.code).toBe("unprocessable");
      const first = await decideRequest(f.t.db, as("ops"), id, {
        type: "approve",
        justification: "Reviewed",
      });
      expect(first.status).toBe("pending");
      const twice = await refusal(
        decideRequest(f.t.db, as("ops"), id, { type: "approve", justification: "Again" }),
      );
      expect(twice.code).toBe("conflict");
      const second = await decideRequest(f.t.db, as("ops2"), id, {
        type: "approve",
        justification: "Agreed",
      });
      expect(second.status).toBe("approved");
      const approvers = await rows<{ approver_id: string }>(
        sql`SELECT approver_id FROM approvals WHERE request_id = ${id}`,
      );
      expect(new Set(approvers.map((a) => a.approver_id))).toEqual(
        new Set([f.users.ops.id, f.users.ops2.id]),
      );
      expect(await eventsOf(id)).toEqual([
        "hitl.approval_requested",
        "hitl.approval_recorded",
        "hitl.approved",
      ]);
    });

    it("rejects with a reason that reaches the agent, and refuses a rejection without one", async () => {
      const id = await submitId(ACTIONS.medium);
      expect(
        (await refusal(decideRequest(f.t.db, as("lead"), id, { type: "reject", reason: "  " })))
          .code,
      ).toBe("unprocessable");
      const rejected = await decideRequest(f.t.db, as("lead"), id, {
        type: "reject",
        reason: "Not during the freeze",
      });
      expect(rejected.status).toBe("rejected");
      expect(await loadRequestRow(f.t.db, id)).toMatchObject({
        rejectionReason: "Not during the freeze",
        statusReason: "Not during the freeze",
      });
    });

    it("edit-then-approve stores the edited inputs, keeps the original, and voids earlier approvals", async () => {
      const id = await submitId({
        ...ACTIONS.critical,
        inputs: { to: "ceo@customer.example", body: "Hi" },
      });
      await decideRequest(f.t.db, as("ops"), id, { type: "approve", justification: "ok" });
      const edited = await decideRequest(f.t.db, as("ops2"), id, {
        type: "approve",
        justification: "fixed the tone",
        edited_inputs: { to: "ceo@customer.example", body: "Hello" },
      });
      // ops's approval was of other content: the quorum restarted with ops2's.
      expect(edited.status).toBe("pending");
      const editedRow = await loadRequestRow(f.t.db, id);
      expect(editedRow.editedInputs).toEqual({ to: "ceo@customer.example", body: "Hello" });
      expect((editedRow.actionDetails as { inputs: unknown }).inputs).toEqual({
        to: "ceo@customer.example",
        body: "Hi",
      });
      const done = await decideRequest(f.t.db, as("ops"), id, {
        type: "approve",
        justification: "fine now",
      });
      expect(done.status).toBe("approved");
      expect(await eventsOf(id)).toContain("hitl.inputs_edited");
    });

    it("stores a level raised by an edit, with the reasons of the edited action", async () => {
      const { task: submitted } = await submit({
        type: "PAYMENT.SEND",
        operation: undefined,
        environment: undefined,
        description: "Pay a supplier",
        inputs: { amount: 5000 },
      });
      expect(submitted.risk.level).toBe("medium");
      const id = submitted.approval_request_id;
      const refused = await refusal(
        decideRequest(f.t.db, as("lead"), id, {
          type: "approve",
          edited_inputs: { amount: 50_000, external: true },
        }),
      );
      expect(refused.code).toBe("forbidden");
      expect(refused.message).toMatch(/raises the request to critical risk/);
      await decideRequest(f.t.db, as("lead"), id, {
        type: "approve",
        edited_inputs: { amount: 50_000 },
      });
      const row = await loadRequestRow(f.t.db, id);
      expect(row).toMatchObject({
        status: "approved",
        riskLevel: "high",
        riskRank: 2,
        requiredRole: "tech_lead",
      });
      expect((row.riskFactors as { matched_rules: string[] }).matched_rules).toContain(
        "high-value-financial",
      );
    });

    it("escalation hands a request up: the lead may no longer decide it, devops may", async () => {
      const id = await submitId(ACTIONS.high);
      const escalated = await decideRequest(f.t.db, as("lead"), id, {
        type: "escalate",
        reason: "needs ops",
      });
      expect(escalated).toMatchObject({ status: "escalated", escalated_to: "devops_engineer" });
      expect(
        (await refusal(decideRequest(f.t.db, as("lead2"), id, { type: "approve" }))).code,
      ).toBe("forbidden");
      expect((await decideRequest(f.t.db, as("ops"), id, { type: "approve" })).status).toBe(
        "approved",
      );
      expect(await outboxOf(id)).toContain("notify:email hitl.escalated");
    });

    it("quarantines and releases only with the right roles", async () => {
      const id = await submitId(ACTIONS.high);
      expect(
        (await refusal(decideRequest(f.t.db, as("dev"), id, { type: "quarantine", reason: "odd" })))
          .code,
      ).toBe("forbidden");
      await decideRequest(f.t.db, as("lead"), id, { type: "quarantine", reason: "odd" });
      // Those who may release it hear of it.
      const [told] = await rows<{ payload: { audience_role: string } }>(
        sql`SELECT payload FROM outbox
            WHERE request_id = ${id} AND event_type = 'hitl.quarantined' AND channel = 'email'`,
      );
      expect(told?.payload.audience_role).toBe("devops_engineer");
      expect((await refusal(decideRequest(f.t.db, as("ops"), id, { type: "approve" }))).code).toBe(
        "conflict",
      );
      expect((await refusal(decideRequest(f.t.db, as("lead"), id, { type: "release" }))).code).toBe(
        "forbidden",
      );
      const released = await decideRequest(f.t.db, as("ops"), id, {
        type: "release",
        reason: "checked",
      });
      expect(released.status).toBe("pending");
    });

    it("reads the reviewer's role at the moment of the decision", async () => {
      const id = await submitId(ACTIONS.high);
      await execRows(
        f.t.db,
        sql`UPDATE users SET role = 'developer' WHERE id = ${f.users.lead2.id}`,
      );
      try {
        expect(
          (await refusal(decideRequest(f.t.db, as("lead2"), id, { type: "approve" }))).code,
        ).toBe("forbidden");
      } finally {
        await execRows(
          f.t.db,
          sql`UPDATE users SET role = 'tech_lead' WHERE id = ${f.users.lead2.id}`,
        );
      }
      expect((await decideRequest(f.t.db, as("lead2"), id, { type: "approve" })).status).toBe(
        "approved",
      );
    });

    it("lets only the submitting agent cancel, and hides other agents' requests", async () => {
      const id = await submitId(ACTIONS.high);
      const stranger = await refusal(decideRequest(f.t.db, f.beta, id, { type: "cancel" }));
      expect(stranger.code).toBe("not_found");
      const cancelled = await decideRequest(f.t.db, f.alpha, id, {
        type: "cancel",
        reason: "obsolete",
      });
      expect(cancelled.status).toBe("cancelled");
    });

    it("limits how many open requests one reviewer may claim at once (tech lead: 10)", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 11; i++) ids.push(await submitId(ACTIONS.medium));
      for (const id of ids.slice(0, 10)) {
        const request = await decideRequest(f.t.db, as("lead2"), id, {
          type: "claim",
          claimed_count: 0,
        });
        expect(request.claimed_by).toBe(f.users.lead2.id);
      }
      const over = await refusal(
        decideRequest(f.t.db, as("lead2"), ids[10] as string, { type: "claim", claimed_count: 0 }),
      );
      expect(over.message).toMatch(/10/);
      // Unclaiming one frees a slot.
      await decideRequest(f.t.db, as("lead2"), ids[0] as string, { type: "unclaim" });
      await decideRequest(f.t.db, as("lead2"), ids[10] as string, {
        type: "claim",
        claimed_count: 0,
      });
    });

    it("answers not found for an unknown request", async () => {
      const unknown = await refusal(
        decideRequest(f.t.db, as("lead"), "00000000-0000-4000-8000-000000000000", {
          type: "approve",
        }),
      );
      expect(unknown.code).toBe("not_found");
    });
  });

  describe("expiry and escalation", () => {
    const backdate = (id: string, column: "expires_at" | "auto_escalate_at", seconds: number) =>
      execRows(
        f.t.db,
        sql`UPDATE approval_requests SET ${sql.raw(column)} = clock_timestamp() - make_interval(secs => ${seconds}) WHERE id = ${id}`,
      );

    it("expires an overdue request before a late approval can land (fails closed)", async () => {
      const id = await submitId(ACTIONS.high);
      await backdate(id, "expires_at", 1);
      const late = await refusal(decideRequest(f.t.db, as("lead"), id, { type: "approve" }));
      expect(late.code).toBe("conflict");
      expect(late.message).toMatch(/expired/);
      const [row] = await rows<{ status: string }>(
        sql`SELECT status FROM approval_requests WHERE id = ${id}`,
      );
      expect(row?.status).toBe("expired");
      expect(await eventsOf(id)).toEqual(["hitl.approval_requested", "hitl.expired"]);
      expect(await outboxOf(id)).toContain("workflow hitl.expired");
    });

    it("sweeps due requests: expiry and automatic escalation", async () => {
      const due = await submit(ACTIONS.medium);
      const escalating = await submit(ACTIONS.high);
      await backdate(due.task.approval_request_id, "expires_at", 1);
      await backdate(escalating.task.approval_request_id, "auto_escalate_at", 1);
      const swept = await sweepDueRequests(f.t.db, SYSTEM);
      expect(swept.expired).toBeGreaterThanOrEqual(1);
      expect(swept.escalated).toBeGreaterThanOrEqual(1);
      const status = async (id: string) =>
        (
          await rows<{ status: string; escalated_to: string | null }>(
            sql`SELECT status, escalated_to FROM approval_requests WHERE id = ${id}`,
          )
        )[0];
      expect(await status(due.task.approval_request_id)).toMatchObject({ status: "expired" });
      expect(await status(escalating.task.approval_request_id)).toMatchObject({
        status: "escalated",
        escalated_to: "devops_engineer",
      });
      expect(await sweepDueRequests(f.t.db, SYSTEM)).toEqual({
        expired: 0,
        escalated: 0,
        warned: 0,
      });
    });
  });

  it("keeps an audit chain that verifies after everything above", async () => {
    await sealEverything(f.t.db);
    const result = await verifyAuditLog(f.t.db, TEST_OPERATOR);
    expect(result).toMatchObject({ ok: true });
    expect(result.count).toBeGreaterThan(50);
  });
});
