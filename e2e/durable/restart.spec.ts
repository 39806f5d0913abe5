import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { verifyWebhook } from "../../lib/sdk";
import { hitl, type Server, type Storage, serverUrl, startServer, storage } from "../servers";

// The hosted workflows survive the server: real `next start` processes of the shared build,
// killed with SIGKILL (the whole process group: nothing gets to clean up), on the embedded
// database and on PostgreSQL. A local receiver counts the callbacks, which are the execution.
const PASSWORD = "durable-test-password";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

async function startReceiver() {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(204).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    received,
    /** Resolves once `n` callbacks have arrived. */
    async count(n: number, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`${received.length} of ${n} callbacks arrived`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 500);
        });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function call(base: string, method: string, route: string, key: string, body?: unknown) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** Poll the task (long-polling on status changes) until `done` says so. */
async function taskUntil(
  base: string,
  key: string,
  taskId: string,
  done: (task: Record<string, unknown>) => boolean,
) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { json } = await call(base, "GET", `/api/tasks/${taskId}`, key);
    if (done(json)) return json;
    if (Date.now() > deadline) throw new Error(`task never got there: ${JSON.stringify(json)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const kinds: Storage["name"][] = serverUrl ? ["pglite", "postgres"] : ["pglite"];

for (const kind of kinds) {
  test.describe(`workflows survive SIGKILL (${kind})`, () => {
    test.describe.configure({ mode: "serial", timeout: 180_000 });
    let scratch: string;
    let store: Storage;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let agent: { key: string; webhook_secret: string };
    let reviewer: string;
    const servers: Server[] = [];
    const start = async (extra: Record<string, string> = {}) => {
      const s = await startServer({ ...store.env, ...extra });
      servers.push(s);
      return s;
    };

    test.beforeAll(async () => {
      scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-durable-"));
      store = await storage(kind, path.join(scratch, "data"));
      receiver = await startReceiver();
      hitl(store.env, "init-db");
      hitl(store.env, "users", "add", "--email", "owner@durable.test", "--role", "developer");
      hitl(
        store.env,
        "users",
        "add",
        "--email",
        "lead@durable.test",
        "--role",
        "tech_lead",
        "--password",
        PASSWORD,
      );
      agent = JSON.parse(
        hitl(
          store.env,
          "keys",
          "create",
          "--agent",
          "bot",
          "--owner",
          "owner@durable.test",
          "--json",
        ),
      );
      reviewer = JSON.parse(
        hitl(store.env, "keys", "create", "--user", "lead@durable.test", "--json"),
      ).key;
    });

    test.afterAll(async () => {
      for (const s of servers)
        if (s.child.exitCode === null && s.child.signalCode === null) await s.kill();
      await receiver?.close();
      await store?.drop();
      rmSync(scratch, { recursive: true, force: true });
    });

    const context = { insights: ["error rate flat since 09:00"], captured_by: "triage-agent" };

    const submitHigh = async (base: string) => {
      const submitted = await call(base, "POST", "/api/tasks", agent.key, {
        workflow_id: `wf-durable-${kind}`,
        agent_name: "release-bot",
        callback_url: receiver.url,
        action: {
          type: "deploy",
          operation: "deploy",
          environment: "production",
          description: "Deploy the auth service",
          inputs: { service: "auth", version: "1.4.2" },
          context,
        },
      });
      expect(submitted.status).toBe(201);
      expect(submitted.json.status).toBe("pending");
      return submitted.json as { task_id: string; approval_request_id: string };
    };

    test("a graph interrupted in a killed server is resumed by a new one, and executes once", async () => {
      const a = await start();
      const task = await submitHigh(a.base);
      // The graph ran to its gate and checkpointed there.
      await taskUntil(a.base, agent.key, task.task_id, (t) => t.started_at !== null);
      await a.kill();

      const b = await start();
      const approved = await call(
        b.base,
        "POST",
        `/api/hitl/actions/${task.approval_request_id}/approve`,
        reviewer,
        {
          justification: "canary is green",
          edited_inputs: { service: "auth", version: "1.4.3" },
        },
      );
      expect(approved.status).toBe(200);
      const done = await taskUntil(
        b.base,
        agent.key,
        task.task_id,
        (t) => t.execution === "completed",
      );
      expect(done.result).toEqual({
        executed: true,
        status: "approved",
        action: expect.objectContaining({ inputs: { service: "auth", version: "1.4.3" } }),
        context,
      });
      await receiver.count(1);
      const [callback] = receiver.received;
      // The SDK's verifyWebhook on this real delivery: a changed body, another secret, or the
      // same delivery replayed more than 5 minutes later are refused.
      const headers = callback?.headers ?? {};
      const body = callback?.body ?? "";
      expect(verifyWebhook(agent.webhook_secret, headers, body)).toMatchObject({ ok: true });
      expect(
        verifyWebhook(agent.webhook_secret, headers, body.replace("1.4.3", "9.9.9")),
      ).toMatchObject({ ok: false });
      expect(verifyWebhook("whsec_not-this-one", headers, body)).toMatchObject({ ok: false });
      const later = new Date(Date.now() + 6 * 60_000);
      expect(verifyWebhook(agent.webhook_secret, headers, body, { now: later })).toMatchObject({
        ok: false,
      });
      expect(JSON.parse(callback?.body ?? "{}")).toMatchObject({
        event: "task.executed",
        task_id: task.task_id,
        action: { inputs: { version: "1.4.3" } },
        context,
      });

      // The agent's resume answers with the same result, twice, and runs nothing again.
      const resumed = await call(b.base, "POST", `/api/tasks/${task.task_id}/resume`, agent.key);
      expect(resumed.status).toBe(200);
      expect(resumed.json).toMatchObject({ execution: "completed", result: done.result });
      expect(
        (await call(b.base, "POST", `/api/tasks/${task.task_id}/resume`, agent.key)).json,
      ).toEqual(resumed.json);
      await b.kill();
      expect(receiver.received).toHaveLength(1);
    });

    test("killed between the decision's commit and the resume: the next start resumes it, once", async () => {
      receiver.received.length = 0;
      const a = await start();
      const task = await submitHigh(a.base);
      await taskUntil(a.base, agent.key, task.task_id, (t) => t.started_at !== null);
      await a.kill();

      // This server's outbox worker never ticks: the decision commits and nothing resumes it.
      const b = await start({ HITL_OUTBOX_INTERVAL_MS: "3600000" });
      const approved = await call(
        b.base,
        "POST",
        `/api/hitl/actions/${task.approval_request_id}/approve`,
        reviewer,
        {},
      );
      expect(approved.json.status).toBe("approved");
      expect(
        (await call(b.base, "GET", `/api/tasks/${task.task_id}`, agent.key)).json.execution,
      ).toBe("waiting");
      await b.kill();

      const c = await start();
      const done = await taskUntil(
        c.base,
        agent.key,
        task.task_id,
        (t) => t.execution === "completed",
      );
      expect(done).toMatchObject({
        resumed_at: expect.any(String),
        result: { executed: true, context },
      });
      await receiver.count(1);
      await c.kill();
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({
        task_id: task.task_id,
      });
    });

    test("the servers' logs are JSON lines naming each request, and carry no key, secret or password", () => {
      const output = servers.map((s) => s.output()).join("\n");
      for (const secret of [agent.key, agent.webhook_secret, reviewer, PASSWORD]) {
        expect(output).not.toContain(secret);
      }
      const requests = output
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line))
        .filter((line) => line.msg === "request");
      expect(requests.length).toBeGreaterThan(5);
      for (const line of requests) {
        expect(line).toMatchObject({
          app: "airlock",
          route: expect.any(String),
          status: expect.any(Number),
        });
        expect(line.request_id).toMatch(/^[0-9a-f-]{36}$/);
      }
    });
  });
}
