import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { hitl, type Server, type Storage, serverUrl, startServer } from "../servers";
import { type DurableSetup, durableSetup, startReceiver } from "./agent";

// The crash test: a real server is SIGKILLed (its whole process group) at random moments and
// restarted on the same port, over and over, while an agent drives 500 tasks through submit,
// a reviewer's approval and resume, each with a callback, retrying whatever the crash broke as
// a careful client does (the same Idempotency-Key; a decision or resume asked again). At the
// end nothing is lost, nothing ran twice, every approved thread finished, and the audit chain
// verifies with every event sealed.
const TASKS = 500;
const DRIVERS = 8;

test.describe("crash test", () => {
  test.skip(!serverUrl, "needs a PostgreSQL server (E2E_DATABASE_URL)");
  test.describe.configure({ timeout: 420_000 });
  let setup: DurableSetup;
  let store: Storage;
  let sql: postgres.Sql;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let agent: { id: string; key: string };
  let reviewer: string;
  let server: Server;
  const port = 3290;
  const base = `http://127.0.0.1:${port}`;

  test.beforeAll(async () => {
    setup = await durableSetup("postgres", "crash", "crashy");
    ({ store, agent, reviewer } = setup);
    sql = postgres(store.env.DATABASE_URL as string, { max: 2, onnotice: () => {} });
    receiver = await startReceiver();
    server = await startServer(store.env, { port });
  });

  test.afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      await server.kill();
    }
    await sql?.end();
    await receiver?.close();
    if (!process.env.KEEP_CRASH_DB) await setup?.drop();
    else console.log(`kept ${store.env.DATABASE_URL}`);
  });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** Statuses a crash (or a restart in progress) explains; anything else is an answer. */
  const TRANSIENT = new Set([502, 503, 504]);
  const unexpected: string[] = [];

  /** One API call, asked again until the server gives an answer that is not a crash's. */
  async function ask(
    method: string,
    route: string,
    key: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    for (;;) {
      try {
        const response = await fetch(`${base}${route}`, {
          method,
          headers: {
            Authorization: `Bearer ${key}`,
            "Content-Type": "application/json",
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(40_000),
        });
        if (TRANSIENT.has(response.status)) {
          await response.body?.cancel();
          await pause(50);
          continue;
        }
        const json = (await response.json()) as Record<string, unknown>;
        if (response.status >= 500) unexpected.push(`${method} ${route}: ${response.status}`);
        return { status: response.status, json };
      } catch {
        // Refused while it is down, or cut off by the kill.
        await pause(50);
      }
    }
  }

  async function drive(i: number) {
    const submitted = await ask(
      "POST",
      "/api/tasks",
      agent.key,
      {
        workflow_id: `wf-crash-${i % 20}`,
        agent_name: "crash-agent",
        callback_url: receiver.url,
        action: {
          type: "deploy",
          operation: "deploy",
          environment: "production",
          description: `Deploy build ${i}`,
          inputs: { build: i },
        },
      },
      { "Idempotency-Key": `crash-${i}` },
    );
    expect([200, 201]).toContain(submitted.status);
    const taskId = submitted.json.task_id as string;
    const requestId = submitted.json.approval_request_id as string;
    const approved = await ask("POST", `/api/hitl/actions/${requestId}/approve`, reviewer, {});
    if (approved.status !== 200) {
      // Asked again after a crash lost the first answer: it stands approved already.
      expect(approved.status).toBe(409);
      const task = await ask("GET", `/api/tasks/${taskId}`, agent.key);
      expect(task.json.status).toBe("approved");
    }
    const resumed = await ask("POST", `/api/tasks/${taskId}/resume`, agent.key, {});
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({ result: { executed: true } });
    return taskId;
  }

  test("500 tasks through repeated SIGKILLs: none lost, none run twice, every thread finished, the chain sealed", async () => {
    let next = 0;
    let done = false;
    const taskIds: string[] = [];
    const drivers = Array.from({ length: DRIVERS }, async () => {
      while (next < TASKS) taskIds.push(await drive(next++));
    });
    let kills = 0;
    const killer = (async () => {
      while (!done) {
        // Up for 1.5 to 5 s: long enough past each restart's warm-up that work is in flight
        // when the kill lands (a restart takes 2 to 3 s here), and still a dozen kills or more.
        await pause(1500 + Math.random() * 3500);
        if (done) break;
        await server.kill();
        kills++;
        server = await startServer(store.env, { port });
      }
    })();
    await Promise.all(drivers).finally(() => {
      done = true;
    });
    await killer;
    console.log(`crash test: ${kills} kills while ${TASKS} tasks were driven`);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(unexpected).toEqual([]);
    expect(new Set(taskIds).size).toBe(TASKS);

    // Nothing lost, nothing doubled: one task and one request per Idempotency-Key.
    const [counts] = await sql`SELECT count(*)::int AS tasks,
        count(*) FILTER (WHERE t.execution = 'completed')::int AS completed,
        count(*) FILTER (WHERE r.status = 'approved')::int AS approved
      FROM tasks t JOIN approval_requests r ON r.task_id = t.id WHERE t.api_key_id = ${agent.id}`;
    expect(counts).toEqual({ tasks: TASKS, completed: TASKS, approved: TASKS });
    const twice = await sql`SELECT payload->>'task_id' AS task FROM audit_events
                            WHERE type = 'workflow.completed' GROUP BY 1 HAVING count(*) > 1`;
    expect(twice).toEqual([]);

    // Every callback arrives; a retried delivery keeps its id, so one distinct id per task.
    await expect
      .poll(() => new Set(receiver.received.map((r) => JSON.parse(r.body).task_id)).size, {
        timeout: 60_000,
      })
      .toBe(TASKS);
    const deliveries = new Map<string, Set<string>>();
    for (const r of receiver.received) {
      const task = JSON.parse(r.body).task_id as string;
      const ids = deliveries.get(task) ?? new Set<string>();
      ids.add(r.headers["airlock-delivery"] as string);
      deliveries.set(task, ids);
    }
    for (const [task, ids] of deliveries) expect(ids.size, task).toBe(1);

    await expect
      .poll(
        async () =>
          (await sql`SELECT count(*)::int AS n FROM audit_events WHERE seq IS NULL`)[0]?.n,
        { timeout: 15_000 },
      )
      .toBe(0);
    const verified = JSON.parse(hitl(store.env, "audit", "verify", "--json"));
    expect(verified).toMatchObject({ ok: true, unsealed: { count: 0 } });
  });
});
