import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { deliverDueOnce } from "@/lib/jobs/outbox-worker";
import { driveTask } from "@/lib/jobs/workflow";
import type { Resolver } from "@/lib/net/outbound";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, databaseDigest, taskBody } from "@/test-support/services";

// This machine's receivers at 127.0.0.1 are "the outside"; 127.0.0.2 is the server's own
// network, which a hostile agent key aims its callbacks at (SPEC §8.1).
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "127.0.0.1/32";
});

/** A listener that counts every connection it is offered, and every request. */
async function listener(host: string) {
  const paths: string[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? "");
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  server.on("connection", () => connections++);
  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    port,
    paths,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("callback URLs from a hostile agent key", () => {
  let api: ApiHarness;
  let hostile: Awaited<ReturnType<typeof listener>>;
  let allowed: Awaited<ReturnType<typeof listener>>;
  beforeAll(async () => {
    api = await createApiHarness();
    hostile = await listener("127.0.0.2");
    allowed = await listener("127.0.0.1");
  });
  afterAll(async () => {
    await hostile?.close();
    await allowed?.close();
    await api?.f.t.destroy();
  });

  it("refuses a literal address outside the setting at submit, in every spelling, storing nothing", async () => {
    const before = await databaseDigest(api.f.t.db);
    for (const host of ["127.0.0.2", "[::ffff:127.0.0.2]", "0x7f000002", "2130706434"]) {
      const res = await api.call("POST", "/api/tasks", {
        key: api.f.alpha.key,
        body: taskBody(ACTIONS.low, {
          callback_url: `http://${host}:${hostile.port}/admin?do=1`,
        }),
      });
      expect(res.status, host).toBe(422);
      expect(res.json.error.message).toMatch(
        /^callback_url: (127\.0\.0\.2|::ffff:7f00:2 \(127\.0\.0\.2\)) is a loopback address/,
      );
      expect(res.json.error.details).toEqual([
        { path: "callback_url", message: expect.stringContaining("HITL_CALLBACK_ALLOWED_HOSTS") },
      ]);
    }
    expect(await databaseDigest(api.f.t.db)).toEqual(before);
  });

  it("resolves a name at delivery and sends nothing to a refused address, while an allowed one gets its callback", async () => {
    // Names an agent controls: one points into the server's network (or will, by the time
    // the callback is sent), one outside it.
    const resolve: Resolver = async (host) =>
      host === "rebind.test"
        ? [{ address: "127.0.0.2", family: 4 }]
        : host === "receiver.test"
          ? [{ address: "127.0.0.1", family: 4 }]
          : [];
    const submit = async (url: string) => {
      const res = await api.call("POST", "/api/tasks", {
        key: api.f.alpha.key,
        body: taskBody(ACTIONS.low, { callback_url: url }),
      });
      expect(res.status).toBe(201);
      // Approved on arrival: no person stands between the agent and the callback.
      expect(res.json.status).toBe("approved");
      const workflows = await api.f.workflows();
      expect(await driveTask(workflows, res.json.task_id)).toMatchObject({ kind: "completed" });
      return res.json.task_id as string;
    };
    const evil = await submit(`http://rebind.test:${hostile.port}/admin?do=1`);
    const good = await submit(`http://receiver.test:${allowed.port}/cb`);

    const counts = await deliverDueOnce(api.f.t.db, { resolve, backoffMs: 0 });
    expect(counts).toMatchObject({ claimed: 2, delivered: 1, dead: 1 });
    expect(allowed.paths).toEqual(["/cb"]);
    expect(hostile.connections()).toBe(0);

    const rows = await execRows<{ task_id: string; status: string; last_error: string | null }>(
      api.f.t.db,
      sql`SELECT task_id, status, last_error FROM outbox WHERE kind = 'webhook' ORDER BY status`,
    );
    expect(rows).toEqual([
      {
        task_id: evil,
        status: "dead",
        last_error:
          'rebind.test resolves to 127.0.0.2 is a loopback address, which HITL_CALLBACK_ALLOWED_HOSTS ("127.0.0.1/32") does not allow',
      },
      { task_id: good, status: "delivered", last_error: null },
    ]);
  });
});
