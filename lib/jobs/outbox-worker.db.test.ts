import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "@airlock/sdk";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { leaseDueOutbox } from "@/db/queries/outbox";
import { COMMANDS } from "@/lib/cli/commands";
import { createApiKey, revokeApiKey } from "@/lib/services/accounts/keys";
import { listOutbox, retryOutbox } from "@/lib/services/outbox-admin";
import { decideRequest, submitTask } from "@/lib/services/requests/lifecycle";
import {
  ACTIONS,
  createFixture,
  databaseDigest,
  type Fixture,
  refusalOf,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { type DeliverOptions, deliverDueOnce, retryDelayMs } from "./outbox-worker";
import { driveTask } from "./workflow";

// Callbacks and webhooks go to receivers on this machine, which only "loopback" allows (SPEC
// §8.1); the environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver: each path answers as its behaviour says (200 by default). */
async function startReceiver() {
  const received: Received[] = [];
  const behaviours = new Map<string, (attempt: number) => number | "hang">();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r = {
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(r);
      const attempt = received.filter((x) => x.path === r.path).length;
      const answer = behaviours.get(r.path)?.(attempt) ?? 200;
      if (answer !== "hang") res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((r) => r.path === path),
    on: (path: string, behaviour: (attempt: number) => number | "hang") =>
      behaviours.set(path, behaviour),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("the outbox worker: agent callbacks", () => {
  let f: Fixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let secret: string;
  beforeAll(async () => {
    f = await createFixture();
    receiver = await startReceiver();
    const [key] = await rows<{ webhook_secret: string }>(
      sql`SELECT webhook_secret FROM api_keys WHERE id = ${f.alpha.keyId}`,
    );
    secret = key?.webhook_secret ?? "";
    expect(secret).toMatch(/^whsec_/);
  });
  afterAll(async () => {
    await receiver?.close();
    await f?.t.destroy();
  });

  function rows<T extends Record<string, unknown>>(query: ReturnType<typeof sql>) {
    return execRows<T>(f.t.db, query);
  }

  type OutboxState = {
    id: string;
    status: string;
    attempts: number;
    last_error: string | null;
    has_delivered_at: boolean;
    due_in_ms: number;
  };
  async function outboxRow(id: string): Promise<OutboxState> {
    const [row] = await rows<OutboxState>(
      sql`SELECT id, status, attempts, last_error, delivered_at IS NOT NULL AS has_delivered_at,
            extract(epoch FROM next_attempt_at - now()) * 1000 AS due_in_ms
          FROM outbox WHERE id = ${id}`,
    );
    if (!row) throw new Error(`no outbox row ${id}`);
    return { ...row, due_in_ms: Number(row.due_in_ms) };
  }

  /**
   * A high-risk task calling back at `path`, approved by a tech lead, its graph driven to the
   * end (which queues the callback): its webhook row's id.
   */
  async function approvedWithCallback(path: string): Promise<{ requestId: string; rowId: string }> {
    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody(ACTIONS.high, { callback_url: receiver.url(path) }),
    );
    const requestId = task.approval_request_id;
    await decideRequest(f.t.db, f.as.lead, requestId, { type: "approve" });
    expect(await driveTask(await f.workflows(), task.task_id)).toMatchObject({ kind: "completed" });
    const [row] = await rows<{ id: string }>(
      sql`SELECT id FROM outbox WHERE request_id = ${requestId} AND kind = 'webhook'`,
    );
    if (!row) throw new Error("the graph queued no webhook row");
    return { requestId, rowId: row.id };
  }

  /** Run the worker until `done` or `times` batches, with retries due at once. */
  async function drive(times: number, options: DeliverOptions = {}) {
    const total = { claimed: 0, delivered: 0, failed: 0, dead: 0 };
    for (let i = 0; i < times; i++) {
      const counts = await deliverDueOnce(f.t.db, { backoffMs: 0, ...options });
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += counts[k];
    }
    return total;
  }

  const cli = async (...args: string[]) => {
    let out = "";
    const outbox = COMMANDS.outbox;
    if (!outbox) throw new Error("no outbox command");
    await outbox.run(args, { db: async () => f.t, out: (text) => (out += text) });
    return out;
  };

  it("delivers an approval once, signed with the key's webhook secret, Airlock-Delivery = the row's id", async () => {
    const { requestId, rowId } = await approvedWithCallback("/approved");
    expect(await drive(3)).toMatchObject({ delivered: 1, failed: 0, dead: 0 });
    const got = receiver.at("/approved");
    expect(got).toHaveLength(1);
    const [call] = got as [Received];
    expect(call.headers["airlock-delivery"]).toBe(rowId);
    expect(call.headers["content-type"]).toBe("application/json");
    expect(call.headers["user-agent"]).toBe("Airlock-Webhooks/1");
    expect(verifyWebhook(secret, call.headers, call.body)).toEqual({
      ok: true,
      timestamp: expect.any(Number),
      deliveryId: rowId,
    });
    expect(verifyWebhook("whsec_someone-else", call.headers, call.body)).toMatchObject({
      ok: false,
    });
    expect(JSON.parse(call.body)).toMatchObject({
      event: "task.executed",
      request_id: requestId,
      status: "approved",
      executed: true,
      action: { type: ACTIONS.high.type },
      delivery_id: rowId,
      // Who decided, by name beside the id (the suite's principal says no channel).
      decided_by: f.users.lead.id,
      decider: { id: f.users.lead.id, email: f.users.lead.email, name: null },
      decided_via: null,
    });
    expect(await outboxRow(rowId)).toMatchObject({
      status: "delivered",
      attempts: 1,
      last_error: null,
      has_delivered_at: true,
    });
  });

  it("retries a receiver that fails twice: three attempts, one delivery id, then delivered", async () => {
    receiver.on("/flaky", (attempt) => (attempt <= 2 ? 503 : 204));
    const { rowId } = await approvedWithCallback("/flaky");
    expect(await drive(5)).toMatchObject({ delivered: 1, failed: 2, dead: 0 });
    const got = receiver.at("/flaky");
    expect(got.map((r) => r.headers["airlock-delivery"])).toEqual([rowId, rowId, rowId]);
    for (const r of got) expect(verifyWebhook(secret, r.headers, r.body).ok).toBe(true);
    expect(await outboxRow(rowId)).toMatchObject({ status: "delivered", attempts: 3 });
  });

  it("backs off after a failure: the row waits, with the status code as its last error", async () => {
    receiver.on("/later", (attempt) => (attempt === 1 ? 500 : 200));
    const { rowId } = await approvedWithCallback("/later");
    expect(await drive(1, { backoffMs: 60_000 })).toMatchObject({ failed: 1 });
    const row = await outboxRow(rowId);
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_error: "HTTP 500" });
    expect(row.due_in_ms).toBeGreaterThanOrEqual(-1000);
    expect(row.due_in_ms).toBeLessThanOrEqual(60_000);
    await execRows(f.t.db, sql`UPDATE outbox SET next_attempt_at = now() WHERE id = ${rowId}`);
    expect(await drive(1)).toMatchObject({ delivered: 1 });
    // Full jitter: anywhere up to base × 2^(attempts − 1), capped.
    expect(retryDelayMs(1, 1000, 600_000, () => 0.999)).toBe(999);
    expect(retryDelayMs(4, 1000, 600_000, () => 0.5)).toBe(4000);
    expect(retryDelayMs(30, 1000, 600_000, () => 0.5)).toBe(300_000);
    expect(retryDelayMs(3, 1000, 600_000, () => 0)).toBe(0);
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    receiver.on("/moved", () => 302);
    const { rowId } = await approvedWithCallback("/moved");
    expect(await drive(1, { maxAttempts: 1 })).toMatchObject({ dead: 1 });
    expect(await outboxRow(rowId)).toMatchObject({
      status: "dead",
      last_error: "HTTP 302 (redirects are not followed)",
    });
    await execRows(f.t.db, sql`UPDATE outbox SET status = 'delivered' WHERE id = ${rowId}`);
  });

  it("gives up after the configured attempts (dead); the retry service and `hitl outbox retry` send it again", async () => {
    let up = false;
    receiver.on("/down", () => (up ? 200 : 500));
    const { requestId, rowId } = await approvedWithCallback("/down");
    expect(await drive(6, { maxAttempts: 3 })).toMatchObject({ delivered: 0, failed: 2, dead: 1 });
    expect(receiver.at("/down")).toHaveLength(3);
    expect(await outboxRow(rowId)).toMatchObject({
      status: "dead",
      attempts: 3,
      last_error: "HTTP 500",
    });

    const dead = await listOutbox(f.t.db, TEST_OPERATOR, { status: "dead" });
    expect(dead.map((e) => e.id)).toEqual([rowId]);
    expect(dead[0]).toMatchObject({
      kind: "webhook",
      event: "task.executed",
      target: receiver.url("/down"),
      attempts: 3,
      last_error: "HTTP 500",
    });
    const listed = JSON.parse(await cli("list", "--status", "dead", "--json"));
    expect(listed).toEqual(dead);
    expect(await cli("list", "--status", "dead")).toMatch(
      new RegExp(
        `${rowId}\\s+webhook\\s+task\\.executed\\s+\\S+/down\\s+dead\\s+3\\s+-\\s+HTTP 500`,
      ),
    );

    // The service: back to pending, attempts counted from zero, audited.
    const retried = await retryOutbox(f.t.db, TEST_OPERATOR, { ids: [rowId] });
    expect(retried.map((e) => [e.id, e.status, e.attempts])).toEqual([[rowId, "pending", 0]]);
    const events = await rows<{ actor_type: string; actor_id: string; payload: unknown }>(
      sql`SELECT actor_type, actor_id, payload FROM audit_events
          WHERE type = 'outbox.retried' AND request_id = ${requestId}`,
    );
    expect(events).toEqual([
      {
        actor_type: "operator",
        actor_id: TEST_OPERATOR.name,
        payload: expect.objectContaining({ outbox_id: rowId, kind: "webhook" }),
      },
    ]);
    expect(await drive(6, { maxAttempts: 3 })).toMatchObject({ dead: 1 });
    expect(receiver.at("/down")).toHaveLength(6);

    // The CLI, once the receiver is back: every dead row, by --dead.
    up = true;
    expect(await cli("retry", "--dead")).toBe(`Retrying 1 row(s) now: ${rowId}`);
    expect(await drive(2, { maxAttempts: 3 })).toMatchObject({ delivered: 1 });
    expect(receiver.at("/down")).toHaveLength(7);
    expect(new Set(receiver.at("/down").map((r) => r.headers["airlock-delivery"]))).toEqual(
      new Set([rowId]),
    );
    expect(await outboxRow(rowId)).toMatchObject({ status: "delivered", attempts: 1 });
    expect(await cli("retry", "--dead")).toBe("No dead rows to retry.");
  });

  it("retries named rows through the CLI, and refuses bad input with a clear message, changing nothing", async () => {
    const [delivered] = await rows<{ id: string }>(
      sql`SELECT id FROM outbox WHERE status = 'delivered' LIMIT 1`,
    );
    // A dead row of a kind this worker never delivers, so nothing here sends it.
    const [dead] = await rows<{ id: string }>(
      sql`INSERT INTO outbox (kind, channel, event_type, payload, status, attempts, last_error)
          VALUES ('notify', 'email', 'hitl.approval_requested', '{}', 'dead', 8, 'SMTP down')
          RETURNING id`,
    );
    if (!delivered || !dead) throw new Error("setup");
    const unknown = randomUUID();
    const before = await databaseDigest(f.t.db);
    for (const [args, message] of [
      [["retry"], /give the IDs of dead rows to retry, or --dead/],
      [["retry", "--dead", dead.id], /not both/],
      [["retry", "nope"], /"nope" is not an outbox row id/],
      [["retry", unknown], new RegExp(`No outbox row with id ${unknown}`)],
      [
        ["retry", dead.id, delivered.id],
        new RegExp(`Outbox row ${delivered.id} is delivered, not dead`),
      ],
      [["retry", "--force", dead.id], /Unknown option '--force'/],
      [["list", "--status", "lost"], /--status: expected one of pending, delivered, dead/],
      [["list", "--limit", "0"], /--limit: a whole number from 1 to 200/],
      [["list", "extra"], /Unexpected argument 'extra'/],
      [["resend"], /expected "outbox list" or "outbox retry"/],
    ] as const) {
      await expect(cli(...args), args.join(" ")).rejects.toThrow(message);
    }
    expect(await databaseDigest(f.t.db)).toEqual(before);

    // Only the operator reads or changes delivery state.
    expect((await refusalOf(listOutbox(f.t.db, f.as.ops))).code).toBe("forbidden");
    expect((await refusalOf(retryOutbox(f.t.db, f.alpha, { dead: true }))).code).toBe("forbidden");
    expect((await refusalOf(retryOutbox(f.t.db, TEST_OPERATOR, { ids: [] }))).code).toBe("invalid");
    expect(await databaseDigest(f.t.db)).toEqual(before);

    expect(await cli("retry", dead.id, dead.id)).toBe(`Retrying 1 row(s) now: ${dead.id}`);
    expect(await outboxRow(dead.id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("never takes rows of kinds it has no handler for (workflow here, notify)", async () => {
    const [resume] = await rows<{ id: string }>(
      sql`INSERT INTO outbox (kind, event_type, payload, next_attempt_at)
          VALUES ('workflow', 'hitl.approved', '{}', now() - interval '1 hour') RETURNING id`,
    );
    if (!resume) throw new Error("setup");
    expect(await drive(2)).toMatchObject({ claimed: 0 });
    expect(await outboxRow(resume.id)).toMatchObject({ status: "pending", attempts: 0 });
    const untouched = await rows<{ kind: string; attempts: number; status: string }>(
      sql`SELECT DISTINCT kind, attempts, status FROM outbox WHERE kind <> 'webhook'`,
    );
    expect(untouched).toEqual(
      expect.arrayContaining([{ kind: "workflow", attempts: 0, status: "pending" }]),
    );
    expect(untouched.every((r) => r.attempts === 0 && r.status === "pending")).toBe(true);
  });

  it("a row leased by a worker that died comes due again when the lease runs out", async () => {
    receiver.on("/crash", () => 200);
    const { rowId } = await approvedWithCallback("/crash");
    // Leased, and never delivered nor recorded: the worker is gone.
    expect((await leaseDueOutbox(f.t.db, ["webhook"], 10, 200)).map((r) => r.id)).toEqual([rowId]);
    expect(await drive(1)).toMatchObject({ claimed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await drive(1)).toMatchObject({ claimed: 1, delivered: 1 });
    expect(await outboxRow(rowId)).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("a delivery the database failed is tried again without counting the attempt, and never dies of it", async () => {
    receiver.on("/outage", () => 200);
    const { rowId } = await approvedWithCallback("/outage");
    const cut = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    const unavailable: DeliverOptions = {
      maxAttempts: 1,
      handlers: {
        webhook: async () => {
          throw cut;
        },
      },
    };
    for (let i = 0; i < 3; i++) {
      expect(await deliverDueOnce(f.t.db, { ...unavailable, backoffMs: 0 })).toMatchObject({
        claimed: 1,
        deferred: 1,
        dead: 0,
      });
    }
    expect(await outboxRow(rowId)).toMatchObject({ status: "pending", attempts: 0 });
    expect(await drive(1)).toMatchObject({ delivered: 1 });
    expect(receiver.at("/outage")).toHaveLength(1);
  });

  it("leaves behind a delivery that does not settle within its lease: the batch goes on, the row is due again", async () => {
    receiver.on("/stranded", () => 200);
    const { rowId } = await approvedWithCallback("/stranded");
    const started = Date.now();
    const counts = await deliverDueOnce(f.t.db, {
      timeoutMs: 100,
      leaseMarginMs: 200,
      handlers: { webhook: () => new Promise(() => {}) },
    });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(counts).toMatchObject({ claimed: 1, delivered: 0, failed: 0, deferred: 0 });
    expect(await outboxRow(rowId)).toMatchObject({ status: "pending", attempts: 1 });
    expect(await drive(1)).toMatchObject({ delivered: 1 });
    expect(await outboxRow(rowId)).toMatchObject({ status: "delivered", attempts: 2 });
  });

  it("sends no callback for a task whose agent key was revoked since", async () => {
    const created = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "short-lived",
      owner: "owner@test.local",
    });
    const agent = {
      kind: "agent" as const,
      keyId: created.id,
      agent: "short-lived",
      ownerId: f.users.owner.id,
    };
    const { task } = await submitTask(
      f.t.db,
      agent,
      taskBody(ACTIONS.high, { callback_url: receiver.url("/revoked") }),
    );
    await decideRequest(f.t.db, f.as.lead, task.approval_request_id, { type: "approve" });
    await driveTask(await f.workflows(), task.task_id);
    await revokeApiKey(f.t.db, TEST_OPERATOR, created.id);
    expect(await drive(2)).toMatchObject({ delivered: 0, dead: 1 });
    expect(receiver.at("/revoked")).toEqual([]);
    const [row] = await rows<{ status: string; last_error: string }>(
      sql`SELECT status, last_error FROM outbox
          WHERE request_id = ${task.approval_request_id} AND kind = 'webhook'`,
    );
    expect(row).toEqual({
      status: "dead",
      last_error: "the task's agent key was revoked: its callbacks are not sent",
    });
  });

  it("times out a hanging receiver, and a decision made meanwhile does not wait for it", async () => {
    receiver.on("/hang", () => "hang");
    const { rowId } = await approvedWithCallback("/hang");
    const timeoutMs = 3000;
    const started = Date.now();
    const delivering = deliverDueOnce(f.t.db, { timeoutMs, maxAttempts: 1 });
    while (receiver.at("/hang").length === 0) {
      if (Date.now() - started > timeoutMs) throw new Error("the delivery never started");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    const decideStarted = Date.now();
    const decided = await decideRequest(f.t.db, f.as.lead, task.approval_request_id, {
      type: "approve",
    });
    const decideMs = Date.now() - decideStarted;
    expect(decided.status).toBe("approved");
    expect(decideMs).toBeLessThan(timeoutMs / 2);

    expect(await delivering).toMatchObject({ claimed: 1, dead: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(await outboxRow(rowId)).toMatchObject({
      status: "dead",
      last_error: `timed out after ${timeoutMs} ms`,
    });
  });
});
