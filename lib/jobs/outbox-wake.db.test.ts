import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setDbForTesting } from "@/db/client";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { ACTIONS, createFixture, type Fixture, taskBody } from "@/test-support/services";
import { OUTBOX_HANDLERS, startOutboxWorker, stopOutboxWorker } from "./outbox-worker";
import { workflowHandler } from "./workflow";

// Callbacks go to a receiver on this machine, which only "loopback" allows (SPEC §8.1); the
// environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

// No idle hops (SPEC §9): a committed outbox row wakes the worker (its NOTIFY), so a task
// approved on arrival is driven and called back without waiting for a poll. The worker's
// interval here is a minute: only the wake-ups can deliver within the test's bounds.
describe("the outbox worker wakes on commit", () => {
  let f: Fixture;
  let receiver: Server;
  let url = "";
  const arrived = new Map<string, number>();

  beforeAll(async () => {
    f = await createFixture();
    setDbForTesting(f.t);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { task_id: string };
        arrived.set(body.task_id, Date.now());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
  });
  afterAll(async () => {
    await stopOutboxWorker();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    await f?.t.destroy();
  });

  async function callbackOf(taskId: string, ms: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const at = arrived.get(taskId);
      if (at !== undefined) return at;
      if (Date.now() - started > ms) throw new Error(`no callback for ${taskId} within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it("drives a task approved on arrival and sends its callback at once, with the poll a minute away", async () => {
    startOutboxWorker(
      async () => ({ ...OUTBOX_HANDLERS, workflow: workflowHandler(await f.workflows()) }),
      60_000,
    );
    const submit = async (thread: string) => {
      const started = Date.now();
      const { task } = await submitTask(
        f.t.db,
        f.alpha,
        taskBody(ACTIONS.low, { callback_url: url, thread_id: thread }),
      );
      expect(task.status).toBe("approved");
      return { taskId: task.task_id, started };
    };
    // The first may meet the worker's first tick; the others can only be woken.
    const first = await submit("wake-0");
    await callbackOf(first.taskId, 10_000);
    for (let n = 1; n <= 3; n++) {
      const { taskId, started } = await submit(`wake-${n}`);
      // Two hops (the drive, then the callback), each woken by the other's commit.
      expect((await callbackOf(taskId, 10_000)) - started).toBeLessThan(3000);
    }
  }, 60_000);
});
