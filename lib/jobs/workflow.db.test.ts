import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { findTask } from "@/db/queries/requests";
import { claimTask } from "@/db/queries/workflow";
import { retryOutbox } from "@/lib/services/outbox-admin";
import { decideRequest, submitTask } from "@/lib/services/requests/lifecycle";
import { resumeTask } from "@/lib/services/requests/tasks";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { deliverDueOnce } from "./outbox-worker";
import {
  DRIVES_AT_ONCE,
  driveTask,
  graphThreadId,
  openWorkflows,
  recoverWorkflows,
  sharedDrive,
  type Workflows,
  workflowHandler,
} from "./workflow";

// Callbacks and webhooks go to receivers on this machine, which only "loopback" allows (SPEC
// §8.1); the environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

describe("the hosted approval workflow of every task", () => {
  let f: Fixture;
  let w: Workflows;
  beforeAll(async () => {
    f = await createFixture();
    w = await f.workflows();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    execRows<T>(f.t.db, query);

  /** One pass of the outbox worker over workflow rows (and callbacks: none are reachable). */
  const work = (workflows = w, options: { maxAttempts?: number; concurrency?: number } = {}) =>
    deliverDueOnce(f.t.db, {
      handlers: { workflow: workflowHandler(workflows) },
      backoffMs: 0,
      ...options,
    });

  const eventsOf = async (requestId: string) =>
    (
      await rows<{ type: string }>(
        sql`SELECT type FROM audit_events WHERE request_id = ${requestId} ORDER BY id`,
      )
    ).map((r) => r.type);

  const callbacksOf = (requestId: string) =>
    rows<{ event_type: string; payload: Record<string, unknown> }>(
      sql`SELECT event_type, payload FROM outbox WHERE request_id = ${requestId} AND kind = 'webhook'`,
    );

  const checkpointsOf = async (taskId: string) => {
    const task = await findTask(f.t.db, taskId);
    if (!task) throw new Error("no task");
    const [row] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM langgraph.checkpoints WHERE thread_id = ${graphThreadId(task)}`,
    );
    return row?.n ?? 0;
  };

  /**
   * `count` high-risk tasks, each on a thread of its own, their graphs started (at the gate),
   * then approved: each has one drive queued, past the gate to the end.
   */
  const submitApproved = async (thread: string, count: number) => {
    const submitted = [];
    for (let i = 0; i < count; i++) {
      const { task } = await submitTask(
        f.t.db,
        f.alpha,
        taskBody(ACTIONS.high, { thread_id: `${thread}-${i}` }),
      );
      submitted.push(task);
    }
    await work();
    for (const task of submitted) {
      await decideRequest(f.t.db, f.as.lead, task.approval_request_id, { type: "approve" });
    }
    return submitted;
  };

  const insights = { insights: ["the canary was green for 2 h"], ticket: "OPS-42" };

  it("starts at submit and waits at the gate; the approval (with edits) resumes it, context intact", async () => {
    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody(
        {
          ...ACTIONS.critical,
          inputs: { to: "ceo@customer.example", body: "Hi" },
          context: insights,
        },
        { callback_url: "http://127.0.0.1:9/cb" },
      ),
    );
    expect(await work()).toMatchObject({ claimed: 1, delivered: 1 });
    const waiting = await findTask(f.t.db, task.task_id);
    expect(waiting).toMatchObject({ execution: "waiting", resumedAt: null, completedAt: null });
    expect(waiting?.startedAt).toBeInstanceOf(Date);
    expect(await checkpointsOf(task.task_id)).toBeGreaterThan(0);
    expect(await callbacksOf(task.approval_request_id)).toEqual([]);

    const id = task.approval_request_id;
    await decideRequest(f.t.db, f.as.ops, id, {
      type: "approve",
      justification: "fixed the tone",
      edited_inputs: { to: "ceo@customer.example", body: "Hello" },
    });
    // Pending still: a critical request needs two, and the graph does not move.
    expect(await work()).toMatchObject({ claimed: 0 });
    await decideRequest(f.t.db, f.as.ops2, id, { type: "approve", justification: "agreed" });
    expect(await work()).toMatchObject({ claimed: 1, delivered: 1 });

    const done = await findTask(f.t.db, task.task_id);
    expect(done).toMatchObject({ execution: "completed", resumeCount: 1 });
    expect(done?.executionResult).toEqual({
      executed: true,
      status: "approved",
      action: expect.objectContaining({
        type: ACTIONS.critical.type,
        inputs: { to: "ceo@customer.example", body: "Hello" },
      }),
      // Carried by the graph's state across its interrupt, not read back from the request.
      context: insights,
    });
    const [callback] = await callbacksOf(id);
    expect(callback?.event_type).toBe("task.executed");
    expect(callback?.payload).toMatchObject({
      task_id: task.task_id,
      request_id: id,
      executed: true,
      action: { inputs: { body: "Hello" } },
      context: insights,
    });
    expect((await eventsOf(id)).filter((t) => t.startsWith("workflow."))).toEqual([
      "workflow.resumed",
      "workflow.completed",
    ]);

    // Driving it again — a repeated outbox row, the agent's resume — runs nothing again.
    const before = await checkpointsOf(task.task_id);
    expect(await driveTask(w, task.task_id)).toMatchObject({ kind: "completed" });
    const resumed = await resumeTask(f.t.db, f.alpha, task.task_id, sharedDrive(w));
    expect(resumed).toMatchObject({ execution: "completed", result: done?.executionResult });
    expect(await checkpointsOf(task.task_id)).toBe(before);
    expect(await callbacksOf(id)).toHaveLength(1);
    expect((await findTask(f.t.db, task.task_id))?.resumeCount).toBe(1);
  });

  it("executes an action approved on arrival at its submit: no graph runs, no checkpoint; the callback is queued with it", async () => {
    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody({ ...ACTIONS.low, context: insights }, { callback_url: "http://127.0.0.1:9/cb" }),
    );
    expect(task.status).toBe("approved");
    // Already completed when the submit answers: nothing is left for a worker to drive.
    const done = await findTask(f.t.db, task.task_id);
    expect(done).toMatchObject({
      execution: "completed",
      resumeCount: 0,
      executionResult: {
        executed: true,
        status: "approved",
        action: expect.objectContaining({ type: ACTIONS.low.type }),
        context: insights,
      },
    });
    expect(done?.startedAt).toEqual(done?.createdAt);
    expect(done?.completedAt).toEqual(done?.createdAt);
    const [queued] = await rows<{ kinds: string[] }>(
      sql`SELECT array_agg(kind ORDER BY kind) AS kinds FROM outbox WHERE task_id = ${task.task_id}`,
    );
    expect(queued?.kinds).toEqual(["webhook"]);
    const [callback, ...more] = await callbacksOf(task.approval_request_id);
    expect(more).toEqual([]);
    expect(callback).toMatchObject({
      event_type: "task.executed",
      payload: {
        event: "task.executed",
        task_id: task.task_id,
        request_id: task.approval_request_id,
        thread_id: task.thread_id,
        executed: true,
        status: "approved",
        decided_by: null,
        decider: null,
        decided_via: null,
        edited_inputs: null,
        context: insights,
      },
    });
    expect(
      (await eventsOf(task.approval_request_id)).filter((t) => t.startsWith("workflow.")),
    ).toEqual(["workflow.completed"]);
    expect(await checkpointsOf(task.task_id)).toBe(0);

    // A drive (recovery's, a stray row's) and the agent's resume run nothing and answer with it.
    expect(await driveTask(w, task.task_id)).toMatchObject({ kind: "completed" });
    expect(await recoverWorkflows(f.t.db)).toBe(0);
    const resumed = await resumeTask(f.t.db, f.alpha, task.task_id, sharedDrive(w));
    expect(resumed).toMatchObject({
      status: "approved",
      execution: "completed",
      resumed_at: done?.completedAt?.toISOString(),
      result: done?.executionResult,
    });
    expect(await checkpointsOf(task.task_id)).toBe(0);
    expect(await callbacksOf(task.approval_request_id)).toHaveLength(1);

    // Without a callback_url the task's status carries it: nothing is queued.
    const quiet = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.low, { thread_id: "t-low" }));
    expect(await findTask(f.t.db, quiet.task.task_id)).toMatchObject({ execution: "completed" });
    const [none] = await rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM outbox WHERE task_id = ${quiet.task.task_id}`,
    );
    expect(none?.n).toBe(0);
  });

  it(`drives ${DRIVES_AT_ONCE} tasks at a time, whatever the outbox's concurrency`, async () => {
    const tasks = await submitApproved("t-slots", DRIVES_AT_ONCE + 2);
    // The graph's runs, counted as they overlap. Each run waits until the slots are full (or
    // five seconds have passed), so that the overlap is measured rather than raced: on a busy
    // machine a run could otherwise end before the next one starts.
    let running = 0;
    let most = 0;
    let full!: () => void;
    const slotsFull = new Promise<void>((resolve) => {
      full = resolve;
    });
    const graph = Object.create(w.graph) as Workflows["graph"];
    graph.invoke = async (...args: Parameters<Workflows["graph"]["invoke"]>) => {
      most = Math.max(most, ++running);
      if (running >= DRIVES_AT_ONCE) full();
      try {
        await Promise.race([
          slotsFull,
          new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
        ]);
        return await w.graph.invoke(...args);
      } finally {
        running--;
      }
    };
    expect(await work({ ...w, graph }, { concurrency: 8 })).toMatchObject({
      claimed: DRIVES_AT_ONCE + 2,
      delivered: DRIVES_AT_ONCE + 2,
    });
    expect(most).toBe(DRIVES_AT_ONCE);
    for (const task of tasks) {
      expect(await findTask(f.t.db, task.task_id)).toMatchObject({ execution: "completed" });
    }
  });

  it("lets a drive that hangs give its slot up: the others go on", async () => {
    const tasks = await submitApproved("t-hang", DRIVES_AT_ONCE + 2);
    // The first runs never settle, as a query lost with its connection.
    let started = 0;
    const graph = Object.create(w.graph) as Workflows["graph"];
    graph.invoke = (...args: Parameters<Workflows["graph"]["invoke"]>) =>
      started++ < DRIVES_AT_ONCE ? new Promise(() => {}) : w.graph.invoke(...args);
    const counts = await deliverDueOnce(f.t.db, {
      handlers: { workflow: workflowHandler({ ...w, graph }, { slotMs: 50 }) },
      backoffMs: 0,
      concurrency: 8,
      timeoutMs: 100,
      leaseMarginMs: 1_000,
    });
    // The hung rows are left behind when their lease runs out; the rest were driven.
    expect(counts).toMatchObject({ claimed: DRIVES_AT_ONCE + 2, delivered: 2 });
    const executions = await Promise.all(
      tasks.map(async (t) => (await findTask(f.t.db, t.task_id))?.execution),
    );
    expect(executions.filter((e) => e === "completed")).toHaveLength(2);
    // The hung drives never settle: their rows, due again, must not reach the tests after.
    for (const task of tasks) {
      await rows(sql`DELETE FROM outbox WHERE task_id = ${task.task_id}`);
    }
  });

  it("handles a rejection: nothing is executed, the agent hears the reason", async () => {
    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody({ ...ACTIONS.high, context: insights }, { callback_url: "http://127.0.0.1:9/cb" }),
    );
    await work();
    await decideRequest(f.t.db, f.as.lead, task.approval_request_id, {
      type: "reject",
      reason: "Not during the freeze",
    });
    await work();
    expect(await findTask(f.t.db, task.task_id)).toMatchObject({
      execution: "completed",
      executionResult: {
        executed: false,
        status: "rejected",
        reason: "Not during the freeze",
        context: insights,
      },
    });
    const [callback] = await callbacksOf(task.approval_request_id);
    expect(callback).toMatchObject({
      event_type: "task.rejected",
      payload: { executed: false, reason: "Not during the freeze" },
    });
  });

  it("gives two concurrent resumes, in two instances, one execution and the same answer", async () => {
    const second = await openWorkflows(f.t);
    try {
      for (let round = 0; round < 3; round++) {
        const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
        await decideRequest(f.t.db, f.as.lead, task.approval_request_id, { type: "approve" });
        // No worker ran: the graph never started; both callers race to start and resume it.
        const [a, b] = await Promise.all([
          resumeTask(f.t.db, f.alpha, task.task_id, sharedDrive(w)),
          resumeTask(f.t.db, f.alpha, task.task_id, sharedDrive(second)),
        ]);
        expect(a).toEqual(b);
        expect(a).toMatchObject({ execution: "completed", result: { executed: true } });
        const events = await eventsOf(task.approval_request_id);
        expect(events.filter((t) => t === "workflow.completed")).toHaveLength(1);
        expect(events.filter((t) => t === "workflow.resumed")).toHaveLength(1);
        expect((await findTask(f.t.db, task.task_id))?.resumeCount).toBe(1);
      }
    } finally {
      await second.close();
    }
  });

  it("defers a drive while another driver holds the task, without counting an attempt", async () => {
    const [task] = await submitApproved("t-defer", 1);
    if (!task) throw new Error("no task");
    const other = randomUUID();
    expect(await claimTask(f.t.db, task.task_id, other, 60_000)).toBeDefined();
    expect(await work()).toMatchObject({ claimed: 1, deferred: 1, delivered: 0 });
    const [row] = await rows<{ attempts: number; status: string }>(
      sql`SELECT attempts, status FROM outbox WHERE task_id = ${task.task_id} AND kind = 'workflow'
          AND event_type = 'hitl.approved'`,
    );
    expect(row).toEqual({ attempts: 0, status: "pending" });
    expect((await findTask(f.t.db, task.task_id))?.execution).toBe("waiting");
    // The lease runs out (the other driver died): the next drive takes over.
    await rows(
      sql`UPDATE tasks SET lease_until = now() - interval '1 second' WHERE id = ${task.task_id}`,
    );
    await rows(sql`UPDATE outbox SET next_attempt_at = now() WHERE task_id = ${task.task_id}`);
    expect(await work()).toMatchObject({ delivered: 1 });
    expect((await findTask(f.t.db, task.task_id))?.execution).toBe("completed");
  });

  it("gives back a lease whose claim committed but whose answer a cut connection lost", async () => {
    const [task] = await submitApproved("t-cut", 1);
    if (!task) throw new Error("no task");
    // The database as a cut connection leaves it: the first UPDATE (the claim) is made, and
    // its answer is lost.
    let cut = false;
    const cutAfterCommit = new Proxy(w.db, {
      get(target, prop, receiver) {
        if (prop !== "update" || cut) return Reflect.get(target, prop, receiver);
        cut = true;
        return (table: Parameters<typeof target.update>[0]) => {
          const statement = target.update(table);
          return {
            set: (values: Parameters<typeof statement.set>[0]) => {
              const set = statement.set(values);
              return {
                where: (condition: Parameters<typeof set.where>[0]) => ({
                  returning: async () => {
                    await set.where(condition).returning();
                    throw Object.assign(new Error("Connection terminated unexpectedly"), {
                      code: "08006",
                    });
                  },
                }),
              };
            },
          };
        };
      },
    });
    await expect(driveTask({ ...w, db: cutAfterCommit }, task.task_id)).rejects.toThrow(
      "Connection terminated unexpectedly",
    );
    expect(cut).toBe(true);
    // The claim had landed, and its lease is given back: the next drive is not kept waiting.
    const [lease] = await rows<{ lease_until: Date | null }>(
      sql`SELECT lease_until FROM tasks WHERE id = ${task.task_id}`,
    );
    expect(lease?.lease_until).toBeNull();
    expect(await driveTask(w, task.task_id)).toMatchObject({ kind: "completed" });
  });

  it("recovers decided graphs that have no drive queued, each once", async () => {
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    await work();
    await decideRequest(f.t.db, f.as.lead, task.approval_request_id, { type: "approve" });
    // As if the decision's drive were lost (an upgraded database: decisions queued none).
    await rows(sql`DELETE FROM outbox WHERE task_id = ${task.task_id} AND kind = 'workflow'`);
    expect(await recoverWorkflows(f.t.db)).toBe(1);
    expect(await recoverWorkflows(f.t.db)).toBe(0);
    // Open requests are not recovered: their graphs wait at the gate by design.
    await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    expect(await work()).toMatchObject({ delivered: 2 });
    expect(await recoverWorkflows(f.t.db)).toBe(0);
    expect((await findTask(f.t.db, task.task_id))?.execution).toBe("completed");
  });

  it("marks the task failed when its drive dies, and an operator's retry drives it again", async () => {
    const [task] = await submitApproved("t-dies", 1);
    if (!task) throw new Error("no task");
    // A graph whose checkpoint store is gone: every drive fails.
    const broken = await openWorkflows(f.t);
    await broken.close();
    expect(await work(broken, { maxAttempts: 2 })).toMatchObject({ failed: 1 });
    expect(await work(broken, { maxAttempts: 2 })).toMatchObject({ dead: 1 });
    const failed = await findTask(f.t.db, task.task_id);
    expect(failed).toMatchObject({
      execution: "failed",
      executionResult: { executed: false, status: "failed", error: expect.any(String) },
    });
    // Not recovered automatically: a dead row is the operator's to retry.
    expect(await recoverWorkflows(f.t.db)).toBe(0);
    const [dead] = await rows<{ id: string }>(
      sql`SELECT id FROM outbox WHERE task_id = ${task.task_id} AND status = 'dead'`,
    );
    await retryOutbox(f.t.db, TEST_OPERATOR, { ids: [dead?.id ?? ""] });
    expect(await work()).toMatchObject({ delivered: 1 });
    expect(await findTask(f.t.db, task.task_id)).toMatchObject({
      execution: "completed",
      executionResult: { executed: true },
    });
  });
});
