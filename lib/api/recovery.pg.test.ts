import net from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle, execRows, setDbForTesting } from "@/db/client";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

/** A TCP proxy in front of PostgreSQL that the test can cut and restore, like a database restart. */
function databaseProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  let port = 0;
  return {
    async start() {
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      port = (server.address() as net.AddressInfo).port;
      return port;
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

// The database goes away under load and comes back: callers get 503 with Retry-After (never
// a 500, a hang or a crashed process), service resumes by itself, and with Idempotency-Key
// retries no task is lost or made twice.
describe("database outage under load", () => {
  let api: ApiHarness;
  let proxy: ReturnType<typeof databaseProxy>;
  let handle: DbHandle;

  beforeAll(async () => {
    api = await createApiHarness();
    const direct = new URL(api.f.t.url as string);
    proxy = databaseProxy(direct);
    const port = await proxy.start();
    const viaProxy = new URL(direct);
    viaProxy.port = String(port);
    handle = await createDb({ url: viaProxy.toString(), max: 5 });
    setDbForTesting(handle);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await proxy?.stop().catch(() => {});
    await api?.f.t.destroy();
  });

  it("answers 503 with Retry-After while it is down, recovers, and loses or doubles nothing", async () => {
    const statuses: number[] = [];
    const keys: string[] = [];
    let phase: "up" | "down" | "back" = "up";
    const submit = async (key: string) => {
      const r = await api.call("POST", "/api/tasks", {
        key: api.f.beta.key,
        body: taskBody(ACTIONS.medium, { workflow_id: "wf-outage" }),
        headers: { "idempotency-key": key },
      });
      statuses.push(r.status);
      if (r.status === 503) expect(r.headers.get("retry-after")).toBe("5");
      if (r.status >= 500) expect(r.json?.error?.code).toBe("unavailable");
      return r.status;
    };
    const worker = async (w: number) => {
      for (let i = 0; phase !== "back" || i % 5 !== 0; i++) {
        const key = `outage-${w}-${i}`;
        keys.push(key);
        const status = await submit(key);
        // An agent backs off after a 503, as Retry-After asks (scaled down for the test).
        await new Promise((r) => setTimeout(r, status === 503 ? 100 : 20));
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    await new Promise((r) => setTimeout(r, 700));
    phase = "down";
    await proxy.stop();
    await new Promise((r) => setTimeout(r, 1200));
    await proxy.start();
    phase = "back";
    await load;

    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 201 && s !== 200 && s !== 503)).toEqual([]);

    // Once it is back, an agent retrying each submission with its key gets its task, once.
    for (const key of keys) {
      let status = 503;
      for (let attempt = 0; status === 503 && attempt < 20; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 250));
        status = await submit(key);
      }
      expect([200, 201]).toContain(status);
    }
    const [row] = await execRows<{ n: number }>(
      api.f.t.db,
      sql`SELECT count(*)::int AS n FROM approval_requests WHERE workflow_id = 'wf-outage'`,
    );
    expect(row?.n).toBe(keys.length);
  }, 120_000);
});
