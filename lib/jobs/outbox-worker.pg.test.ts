import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDb, type DbHandle, execRows } from "@/db/client";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { ACTIONS, createFixture, type Fixture, taskBody } from "@/test-support/services";
import { deliverDueOnce } from "./outbox-worker";

// Callbacks and webhooks go to receivers on this machine, which only "loopback" allows (SPEC
// §8.1); the environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

// Two instances' workers on one database: SKIP LOCKED and the lease keep them off each
// other's rows, so every row reaches the receiver exactly once.
describe("two outbox workers on PostgreSQL", () => {
  let f: Fixture;
  const handles: DbHandle[] = [];
  const deliveries = new Map<string, number>();
  let server: ReturnType<typeof createServer>;
  let url = "";

  beforeAll(async () => {
    f = await createFixture({ max: 4 });
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        const id = String(req.headers["airlock-delivery"]);
        deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
        // Slow enough that both workers have rows in flight at once.
        setTimeout(() => res.writeHead(200).end(), 30);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/many`;
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await f?.t.destroy();
  });

  it("deliver 30 due rows between them, each exactly once, holding no transaction while they send", async () => {
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    const inserted = await execRows<{ id: string }>(
      f.t.db,
      sql`INSERT INTO outbox (kind, task_id, event_type, payload, target_url)
          SELECT 'webhook', ${task.task_id}, 'hitl.approved', jsonb_build_object('n', n), ${url}
          FROM generate_series(1, 30) AS n RETURNING id`,
    );
    expect(inserted).toHaveLength(30);

    const statements: string[][] = [[], []];
    for (const log of statements) {
      handles.push(
        await createDb({ url: f.t.url, max: 2, onStatement: (s) => log.push(s.trim()) }),
      );
    }
    const work = async (h: DbHandle) => {
      let delivered = 0;
      for (;;) {
        const counts = await deliverDueOnce(h.db, { limit: 4, concurrency: 2, backoffMs: 0 });
        delivered += counts.delivered;
        expect(counts.failed + counts.dead).toBe(0);
        if (counts.claimed === 0) return delivered;
      }
    };
    const perWorker = await Promise.all(handles.map(work));

    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(30);
    expect(perWorker.every((n) => n > 0)).toBe(true);
    expect([...deliveries.keys()].sort()).toEqual(inserted.map((r) => r.id).sort());
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    const states = await execRows<{ status: string; attempts: number; n: number }>(
      f.t.db,
      sql`SELECT status, attempts, count(*)::int AS n FROM outbox
          WHERE kind = 'webhook' GROUP BY status, attempts`,
    );
    expect(states).toEqual([{ status: "delivered", attempts: 1, n: 30 }]);
    // Lease, deliver, record: single statements, never a transaction around the HTTP call.
    for (const log of statements) {
      expect(log.some((s) => /^update "outbox" set "attempts"/i.test(s))).toBe(true);
      expect(log.filter((s) => /^(begin|start transaction)\b/i.test(s))).toEqual([]);
    }
  });
});
