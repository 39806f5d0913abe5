import { expect, test } from "@playwright/test";
import pg from "pg";
import { listeningTcpPorts, processGroup } from "../../lib/net/listening";
import { type Server, startServer } from "../servers";
import { call, type DurableSetup, durableSetup, taskUntil } from "./agent";

// The embedded database has no authentication of its own: whoever could open a PostgreSQL
// session on it could read every table. So no process of the app (`next start` and whatever it
// started) may accept one on any TCP port: the checkpointer reaches PGlite over a Unix socket
// only its user can enter (SPEC §8.2).
test.describe("the embedded app serves no database port", () => {
  test.describe.configure({ timeout: 180_000 });
  let setup: DurableSetup;
  let server: Server | undefined;

  test.beforeAll(async () => {
    setup = await durableSetup("pglite", "socket", "bot");
    server = await startServer(setup.store.env);
  });
  test.afterAll(async () => {
    await server?.kill();
    await setup?.drop();
  });

  test("no port of its process group opens a PostgreSQL session", async () => {
    const app = server as Server;
    // A task run through its graph to the end: the checkpointer's connection is open.
    const submitted = await call(app.base, "POST", "/api/tasks", setup.agent.key, {
      workflow_id: "wf-socket",
      agent_name: "bot",
      action: { type: "FILE.READ", environment: "development", description: "Read a file" },
    });
    expect(submitted.status).toBe(201);
    await taskUntil(app.base, setup.agent.key, submitted.json.task_id, (t) =>
      ["completed", "failed"].includes(String(t.execution)),
    );

    const pids = processGroup(app.child.pid as number);
    expect(pids.length).toBeGreaterThan(0);
    const ports = [...new Set(pids.flatMap((pid) => listeningTcpPorts(pid)))];
    // The HTTP port is there; whatever else is, none of them speaks PostgreSQL to a stranger.
    expect(ports).toContain(Number(new URL(app.base).port));
    for (const port of ports) {
      const client = new pg.Client({
        host: "127.0.0.1",
        port,
        user: "postgres",
        database: "postgres",
        connectionTimeoutMillis: 3_000,
      });
      client.on("error", () => {});
      const session = await client
        .connect()
        .then(() => client.query("SELECT count(*) FROM users"))
        .then(
          () => "opened",
          (error: Error) => error.message,
        );
      await client.end().catch(() => {});
      expect(session, `port ${port}`).not.toBe("opened");
    }
  });
});
