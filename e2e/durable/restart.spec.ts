import { verifyWebhook } from "@airlock/sdk";
import { expect, test } from "@playwright/test";
import { type Server, type Storage, serverUrl, startServer } from "../servers";
import { call, type DurableSetup, durableSetup, startReceiver, taskUntil } from "./agent";

// The hosted workflows survive the server: real `next start` processes of the shared build,
// killed with SIGKILL (the whole process group: nothing gets to clean up), on the embedded
// database and on PostgreSQL. A local receiver counts the callbacks, which are the execution.
const PASSWORD = "durable-test-password";

const kinds: Storage["name"][] = serverUrl ? ["pglite", "postgres"] : ["pglite"];

for (const kind of kinds) {
  test.describe(`workflows survive SIGKILL (${kind})`, () => {
    test.describe.configure({ mode: "serial", timeout: 180_000 });
    let setup: DurableSetup;
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
      setup = await durableSetup(kind, "durable", "bot", PASSWORD);
      ({ store, agent, reviewer } = setup);
      receiver = await startReceiver();
    });

    test.afterAll(async () => {
      for (const s of servers)
        if (s.child.exitCode === null && s.child.signalCode === null) await s.kill();
      await receiver?.close();
      await setup?.drop();
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

      // This server runs no outbox worker: the decision commits and nothing resumes it.
      const b = await start({ HITL_OUTBOX_WORKER: "false" });
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
