import type { RunnableConfig } from "@langchain/core/runnables";
import { INTERRUPT, MemorySaver } from "@langchain/langgraph";
import type { Checkpoint, CheckpointMetadata, PendingWrite } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import {
  type ApprovalState,
  compileApprovalGraph,
  continueApproval,
  resumeApproval,
  startApproval,
  threadAt,
} from "./approval-graph";

/** A checkpointer that dies (as a killed process does) at one of its writes, and counts them. */
class DyingSaver extends MemorySaver {
  dieAt: "checkpoint" | "interrupt" | null = null;
  checkpoints = 0;
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata) {
    if (this.dieAt === "checkpoint") {
      this.dieAt = null;
      throw new Error("killed before this checkpoint was written");
    }
    this.checkpoints += 1;
    return super.put(config, checkpoint, metadata);
  }
  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string) {
    if (this.dieAt === "interrupt" && writes.some(([channel]) => channel === INTERRUPT)) {
      this.dieAt = null;
      throw new Error("killed before the interrupt was written");
    }
    return super.putWrites(config, writes, taskId);
  }
}

const input = {
  task_id: "task-1",
  request_id: "request-1",
  assessment: { level: "high", score: 0.75, reasons: [], auto_approved: false },
  context: { note: "carried" },
} as unknown as Parameters<typeof startApproval>[2];

function setUp() {
  const saver = new DyingSaver();
  const executed: ApprovalState[] = [];
  const graph = compileApprovalGraph(saver, {
    execute: async (state) => {
      executed.push(state);
      return { executed: true };
    },
    reject: async () => ({ executed: false }),
  });
  return { saver, executed, graph };
}

const decision = { status: "approved" as const, edited_inputs: null, reason: null };

describe("a thread's checkpoints", () => {
  it("are written once per run: when it stops at the gate, and when it ends", async () => {
    const { saver, graph } = setUp();
    expect((await startApproval(graph, "thread", input)).kind).toBe("waiting");
    expect(saver.checkpoints).toBe(1);
    expect((await resumeApproval(graph, "thread", decision)).kind).toBe("finished");
    expect(saver.checkpoints).toBe(2);
  });
});

describe("a thread stopped by a crash", () => {
  it("while the start's checkpoint was written: nothing is saved, and it starts again", async () => {
    const { saver, executed, graph } = setUp();
    saver.dieAt = "checkpoint";
    await expect(startApproval(graph, "thread", input)).rejects.toThrow(/killed/);
    expect(await threadAt(graph, "thread")).toBe("unstarted");
    expect((await startApproval(graph, "thread", input)).kind).toBe("waiting");
    expect((await resumeApproval(graph, "thread", decision)).kind).toBe("finished");
    expect(executed).toHaveLength(1);
    expect(executed[0]?.context).toEqual({ note: "carried" });
  });

  it("after the checkpoint before the gate, before the gate's interrupt: carries on to the gate", async () => {
    const { saver, executed, graph } = setUp();
    saver.dieAt = "interrupt";
    await expect(startApproval(graph, "thread", input)).rejects.toThrow(/killed/);
    // Saved with the gate still to run, and nothing recorded of it: between two steps.
    expect((await graph.getState({ configurable: { thread_id: "thread" } })).next).toEqual([
      "gate",
    ]);
    expect(await threadAt(graph, "thread")).toBe("between");
    expect((await continueApproval(graph, "thread")).kind).toBe("waiting");
    expect(await threadAt(graph, "thread")).toBe("gate");
    expect(executed).toHaveLength(0);
    expect((await resumeApproval(graph, "thread", decision)).kind).toBe("finished");
    expect(executed).toHaveLength(1);
  });

  it("after execute ran, before the resume's checkpoint: still at the gate, and the repeated resume runs execute again", async () => {
    const { saver, executed, graph } = setUp();
    expect((await startApproval(graph, "thread", input)).kind).toBe("waiting");
    saver.dieAt = "checkpoint";
    await expect(resumeApproval(graph, "thread", decision)).rejects.toThrow(/killed/);
    expect(executed).toHaveLength(1);
    expect(await threadAt(graph, "thread")).toBe("gate");
    expect((await resumeApproval(graph, "thread", decision)).kind).toBe("finished");
    expect(await threadAt(graph, "thread")).toBe("finished");
    // Twice: the effect is idempotent by request id (lib/jobs/workflow.ts finishTask
    // completes the task and queues its callback once).
    expect(executed).toHaveLength(2);
    expect(executed[1]?.context).toEqual({ note: "carried" });
  });
});
