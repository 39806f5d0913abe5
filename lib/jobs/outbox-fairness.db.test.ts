import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows, setDbForTesting } from "@/db/client";
import { type DeliveryLease, leaseDueDeliveries } from "@/db/queries/outbox";
import { findTask } from "@/db/queries/requests";
import { env } from "@/lib/env";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { ACTIONS, createFixture, type Fixture, taskBody } from "@/test-support/services";
import {
  OUTBOX_HANDLERS,
  OUTBOX_PER_TENANT,
  startOutboxWorker,
  stopOutboxWorker,
} from "./outbox-worker";
import { workflowHandler } from "./workflow";

// Callbacks go to receivers on this machine, which only "loopback" allows (SPEC §8.1); the
// environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

/** A receiver on a port of its own (an origin of its own) that never answers. */
async function startHangingReceiver(open: { now: number; most: number }) {
  const server = createServer((req, res) => {
    req.resume();
    open.now++;
    open.most = Math.max(open.most, open.now);
    // The caller gave up (its deadline), or the test closed the connection.
    res.on("close", () => open.now--);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

async function close(server: Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

// SPEC §8.1 Fairness, measured as a receiver sees it, with the worker running as in production
// (startOutboxWorker, the production timeouts and interval): one key's dead receivers never
// delay another key's callbacks, nor any graph drive.
describe("fair delivery", () => {
  let f: Fixture;
  const hanging: Server[] = [];
  let fast: Server;
  const open = { now: 0, most: 0 };
  const arrived = new Map<string, number>();
  let fastUrl = "";

  beforeAll(async () => {
    f = await createFixture();
    setDbForTesting(f.t);
    fast = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        arrived.set(String(req.headers["airlock-delivery"]), Date.now());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => fast.listen(0, "127.0.0.1", resolve));
    fastUrl = `http://127.0.0.1:${(fast.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stopOutboxWorker();
    for (const s of hanging) await close(s);
    if (fast) await close(fast);
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number) {
    const started = Date.now();
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it("key A's 40 callbacks to 40 receivers that never answer delay neither key B's callback nor a graph drive", async () => {
    expect(env().HITL_WEBHOOK_TIMEOUT_MS).toBe(5000);
    // Key A: 40 callbacks, each to an origin of its own (an attacker has as many host names as
    // it likes), none of which ever answers.
    const { task: a } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    for (let i = 0; i < 40; i++) {
      const receiver = await startHangingReceiver(open);
      hanging.push(receiver.server);
      await rows(
        sql`INSERT INTO outbox (kind, task_id, event_type, payload, target_url)
            VALUES ('webhook', ${a.task_id}, 'task.executed', '{}', ${receiver.url})`,
      );
    }
    // Key B's task, for its callback below.
    const { task: b } = await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high));
    await rows(sql`DELETE FROM outbox WHERE kind <> 'webhook'`);

    startOutboxWorker(async () => ({
      ...OUTBOX_HANDLERS,
      workflow: workflowHandler(await f.workflows()),
    }));
    // A's receivers hold what they were given.
    await until("A's callbacks reach their receivers", async () => open.now > 0 || undefined, 5000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // Now B's callback comes due, and B submits a task that is approved on arrival: its graph
    // is driven from the outbox and its own callback queued.
    const [due] = await rows<{ id: string }>(
      sql`INSERT INTO outbox (kind, task_id, event_type, payload, target_url)
          VALUES ('webhook', ${b.task_id}, 'task.executed', '{}', ${`${fastUrl}/b`})
          RETURNING id`,
    );
    const dueAt = Date.now();
    const { task: low } = await submitTask(
      f.t.db,
      f.beta,
      taskBody(ACTIONS.low, { callback_url: `${fastUrl}/low`, thread_id: "fair-low" }),
    );
    const submittedAt = Date.now();

    const bAt = await until("B's callback", async () => arrived.get(due?.id ?? ""), 10_000);
    expect(bAt - dueAt).toBeLessThan(3000);

    const drivenAt = await until(
      "the low-risk task's drive",
      async () =>
        (await findTask(f.t.db, low.task_id))?.execution === "completed" ? Date.now() : undefined,
      10_000,
    );
    expect(drivenAt - submittedAt).toBeLessThan(3000);
    const [callback] = await rows<{ id: string }>(
      sql`SELECT id FROM outbox WHERE task_id = ${low.task_id} AND kind = 'webhook'`,
    );
    const lowAt = await until(
      "the drive's callback",
      async () => arrived.get(callback?.id ?? ""),
      10_000,
    );
    expect(lowAt - submittedAt).toBeLessThan(3000);

    // A is held to its share: a few of its callbacks in flight at once, whatever the number
    // of its receivers.
    expect(open.most).toBeLessThanOrEqual(OUTBOX_PER_TENANT);

    for (const s of hanging.splice(0)) await close(s);
    await stopOutboxWorker();
    await rows(sql`UPDATE outbox SET status = 'dead' WHERE task_id = ${a.task_id}`);
  }, 60_000);

  it("sends one key's many callbacks to one receiver back to back, not a few per tick", async () => {
    const { task } = await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high));
    await rows(sql`DELETE FROM outbox WHERE task_id = ${task.task_id}`);
    const ids = await rows<{ id: string }>(
      sql`INSERT INTO outbox (kind, task_id, event_type, payload, target_url)
          SELECT 'webhook', ${task.task_id}, 'task.executed', '{}', ${`${fastUrl}/burst`}
          FROM generate_series(1, 60) RETURNING id`,
    );
    const started = Date.now();
    startOutboxWorker();
    try {
      // Two at a time (the origin's room): 60 in 30 rounds. Were the lane to wait for its next
      // tick (500 ms) whenever a lease came back held to that room, it would take 15 s.
      const last = await until(
        "every callback of the burst",
        async () =>
          ids.every((r) => arrived.has(r.id))
            ? Math.max(...ids.map((r) => arrived.get(r.id) as number))
            : undefined,
        20_000,
      );
      expect(last - started).toBeLessThan(6_000);
    } finally {
      await stopOutboxWorker();
    }
  });

  it("pauses a target that failed before it takes a slot again; its waiting rows count no attempt", async () => {
    expect(env().HITL_OUTBOX_BACKOFF_MS).toBe(1000);
    const arrivals: number[] = [];
    const failing = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        arrivals.push(Date.now());
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/down`;
      const { task } = await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high));
      await rows(sql`DELETE FROM outbox WHERE task_id = ${task.task_id}`);
      await rows(
        sql`INSERT INTO outbox (kind, task_id, event_type, payload, target_url)
            SELECT 'webhook', ${task.task_id}, 'task.executed', '{}', ${url}
            FROM generate_series(1, 3)`,
      );
      startOutboxWorker();
      await until("the first attempts", async () => arrivals.length >= 2 || undefined, 5000);
      // Two at once (the target's room), both failed: the target pauses for 1 to 2 s (the
      // backoff's ceiling after two failures in a row is 2 s), and the third row, due all along,
      // waits for it uncounted, though the lane has room.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const waiting = await rows<{ attempts: number }>(
        sql`SELECT attempts FROM outbox WHERE task_id = ${task.task_id} ORDER BY attempts`,
      );
      expect(waiting.map((r) => r.attempts)).toEqual([0, 1, 1]);
      await until("the third attempt", async () => arrivals.length >= 3 || undefined, 5000);
      const [first, second, third] = arrivals as [number, number, number];
      expect(second - first).toBeLessThan(300);
      expect(third - second).toBeGreaterThanOrEqual(900);
    } finally {
      await stopOutboxWorker();
      await close(failing);
    }
  });
});

// The lease itself: one statement, room per target and per tenant.
describe("leaseDueDeliveries", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);

  it("leases no more of a target or a tenant than its room, oldest first, and leaves the rest due and uncounted", async () => {
    const { task: a } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    const { task: b } = await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high));
    await rows(sql`DELETE FROM outbox`);
    // Three rows a call, each call's younger than the last's.
    let age = 100;
    const add = (kind: string, taskId: string | null, url: string | null, channel?: string) =>
      rows(
        sql`INSERT INTO outbox (kind, channel, task_id, event_type, payload, target_url, next_attempt_at)
            SELECT ${kind}, ${channel ?? null}, ${taskId}, 'e', '{}', ${url},
              now() - ${age--}::int * interval '1 second' + n * interval '1 millisecond'
            FROM generate_series(1, 3) AS n`,
      );
    // Key A: three callbacks to each of three origins (two spellings of one of them).
    await add("webhook", a.task_id, "http://127.0.0.1:7001/a");
    await add("webhook", a.task_id, "HTTP://agent:secret@127.0.0.1:7001/other-path");
    await add("webhook", a.task_id, "http://127.0.0.1:7002/a");
    await add("webhook", a.task_id, "http://127.0.0.1:7003/a");
    // Key B: three to one origin. Notifications: three emails, three to one webhook.
    await add("webhook", b.task_id, "http://127.0.0.1:7001/b");
    await add("notify", a.task_id, null, "email");
    await add("notify", a.task_id, "http://127.0.0.1:7001/ops", "webhook");

    const lease = (inFlight: DeliveryLease["inFlight"]) =>
      leaseDueDeliveries(f.t.db, {
        kinds: ["webhook", "notify"],
        limit: 32,
        leaseMs: 60_000,
        perTarget: 2,
        perTenant: 3,
        inFlight,
      });
    const tally = (leased: { target: string; tenant: string }[], of: "target" | "tenant") => {
      const n: Record<string, number> = {};
      for (const l of leased) n[l[of]] = (n[l[of]] ?? 0) + 1;
      return n;
    };
    const keyA = `key ${f.alpha.keyId}`;
    const keyB = `key ${f.beta.keyId}`;

    const first = await lease({ targets: {}, tenants: {} });
    expect(tally(first, "tenant")).toEqual({
      [keyA]: 3,
      [keyB]: 2,
      "notify email -": 2,
      "notify webhook http://127.0.0.1:7001": 2,
    });
    const ofA = tally(
      first.filter((l) => l.tenant === keyA),
      "target",
    );
    // A's oldest are the two spellings of one origin, which has room for two: the third goes
    // to the next origin.
    expect(ofA).toEqual({
      [`${keyA} http://127.0.0.1:7001`]: 2,
      [`${keyA} http://127.0.0.1:7002`]: 1,
    });
    expect(first.every((l) => l.attempts === 1)).toBe(true);

    // With those in flight: A has no room, B's and the notifications' targets none.
    expect(
      await lease({ targets: tally(first, "target"), tenants: tally(first, "tenant") }),
    ).toEqual([]);
    // Room given back: B's target takes one more; a target counted full (a pausing one) none.
    const next = await lease({
      targets: { ...tally(first, "target"), [`${keyB} http://127.0.0.1:7001`]: 1 },
      tenants: { ...tally(first, "tenant"), [keyB]: 1 },
    });
    expect(next.map((l) => l.target)).toEqual([`${keyB} http://127.0.0.1:7001`]);

    const [left] = await rows<{ n: number; attempts: number }>(
      sql`SELECT count(*)::int AS n, max(attempts) AS attempts FROM outbox
          WHERE next_attempt_at <= now() AND status = 'pending'`,
    );
    expect(left).toEqual({ n: 21 - first.length - 1, attempts: 0 });

    // Room earned (a receiver that keeps up): with three in flight, B's target, at the base
    // room of two, takes none; having earned five (and B six), it takes two more.
    await add("webhook", b.task_id, "http://127.0.0.1:7001/b");
    await add("webhook", b.task_id, "http://127.0.0.1:7001/b");
    const busyB = {
      targets: { [`${keyB} http://127.0.0.1:7001`]: 3 },
      tenants: { [keyB]: 3 },
    };
    const ofB = async (rooms?: DeliveryLease["rooms"]) =>
      (
        await leaseDueDeliveries(f.t.db, {
          kinds: ["webhook"],
          limit: 32,
          leaseMs: 60_000,
          perTarget: 2,
          perTenant: 3,
          inFlight: busyB,
          rooms,
        })
      ).filter((l) => l.tenant === keyB);
    expect(await ofB()).toEqual([]);
    expect(
      await ofB({
        targets: { [`${keyB} http://127.0.0.1:7001`]: 5 },
        tenants: { [keyB]: 6 },
      }),
    ).toHaveLength(2);
  });
});
