// The approval graph on the app's checkpointer, on PostgreSQL and on PGlite: it waits at the
// gate, is resumed by a graph and checkpointer made anew (as another process would), carries
// the task's context across, runs its effect once however often it is resumed, and takes the
// rejection branch for anything but an approval.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import {
  type ApprovalState,
  compileApprovalGraph,
  resumeApproval,
  startApproval,
} from "./approval-graph";
import { type Checkpointer, createCheckpointer } from "./checkpointer";

describe("the approval graph", () => {
  let t: TestDb;
  const opened: Checkpointer[] = [];
  const calls: { effect: "execute" | "reject"; state: ApprovalState }[] = [];

  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    for (const c of opened) await c.close();
    await t?.destroy();
  });

  /** A graph on a checkpointer of its own: what a new process would build. */
  async function freshGraph() {
    const checkpointer = await createCheckpointer(t);
    opened.push(checkpointer);
    return compileApprovalGraph(checkpointer.saver, {
      async execute(state) {
        calls.push({ effect: "execute", state });
        return { executed: state.request_id };
      },
      async reject(state) {
        calls.push({ effect: "reject", state });
        return { rejected: state.request_id, reason: state.decision?.reason ?? null };
      },
    });
  }
  const callsFor = (requestId: string) => calls.filter((c) => c.state.request_id === requestId);
  const input = (id: string, needsApproval = true) => ({
    task_id: `task-${id}`,
    request_id: `request-${id}`,
    assessment: {
      level: needsApproval ? "high" : "low",
      score: needsApproval ? 0.7 : 0.1,
      reasons: ["production deployment"],
      auto_approved: !needsApproval,
    },
    context: { insights: ["the deploy window is open"], attempt: 2 },
  });

  it("waits at the gate, then a new graph resumes it with the decision and the context", async () => {
    const started = await startApproval(await freshGraph(), "thread-a", input("a"));
    expect(started).toEqual({
      kind: "waiting",
      interrupt: { request_id: "request-a", task_id: "task-a" },
    });
    expect(callsFor("request-a")).toEqual([]);

    const resumed = await resumeApproval(await freshGraph(), "thread-a", {
      status: "approved",
      edited_inputs: { version: "2.0.1" },
    });
    expect(resumed.kind).toBe("finished");
    const [call, ...more] = callsFor("request-a");
    expect(more).toEqual([]);
    expect(call?.effect).toBe("execute");
    expect(call?.state.context).toEqual({ insights: ["the deploy window is open"], attempt: 2 });
    expect(call?.state.decision).toEqual({
      status: "approved",
      edited_inputs: { version: "2.0.1" },
    });
    if (resumed.kind === "finished") {
      expect(resumed.state.outcome).toEqual({ executed: "request-a" });
      expect(resumed.state.context).toEqual(call?.state.context);
    }
  });

  it("runs nothing again when a finished thread is resumed once more", async () => {
    const again = await resumeApproval(await freshGraph(), "thread-a", { status: "approved" });
    expect(again).toMatchObject({
      kind: "finished",
      state: { outcome: { executed: "request-a" } },
    });
    expect(callsFor("request-a")).toHaveLength(1);
  });

  it("takes the rejection branch for a rejection, an expiry or a cancellation", async () => {
    for (const status of ["rejected", "expired", "cancelled"] as const) {
      const graph = await freshGraph();
      await startApproval(graph, `thread-${status}`, input(status));
      const done = await resumeApproval(graph, `thread-${status}`, {
        status,
        reason: `was ${status}`,
      });
      expect(done).toMatchObject({
        kind: "finished",
        state: { outcome: { rejected: `request-${status}`, reason: `was ${status}` } },
      });
      expect(callsFor(`request-${status}`).map((c) => c.effect)).toEqual(["reject"]);
    }
  });

  it("goes straight through when the request was approved on arrival", async () => {
    const done = await startApproval(await freshGraph(), "thread-auto", input("auto", false));
    expect(done).toMatchObject({
      kind: "finished",
      state: { outcome: { executed: "request-auto" } },
    });
    expect(callsFor("request-auto").map((c) => c.effect)).toEqual(["execute"]);
  });

  it("refuses to resume a thread that was never started", async () => {
    await expect(
      resumeApproval(await freshGraph(), "thread-never", { status: "approved" }),
    ).rejects.toThrow("thread thread-never was never started");
  });
});
