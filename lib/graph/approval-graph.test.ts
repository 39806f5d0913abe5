import type { RunnableConfig } from "@langchain/core/runnables";
import { MemorySaver } from "@langchain/langgraph";
import type { Checkpoint, CheckpointMetadata } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import {
  type ApprovalState,
  compileApprovalGraph,
  continueApproval,
  resumeApproval,
  startApproval,
  threadAt,
} from "./approval-graph";

/** A checkpointer that dies (as a killed process does) before writing the checkpoint of one step. */
class DyingSaver extends MemorySaver {
  dieAtStep: number | null = null;
  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata) {
    if (metadata.step === this.dieAtStep) {
      this.dieAtStep = null;
      throw new Error("killed before this checkpoint was written");
    }
    return super.put(config, checkpoint, metadata);
  }
}

const input = {
  task_id: "task-1",
  request_id: "request-1",
  assessment: { level: "high", score: 0.75, reasons: [], auto_approved: false },
  context: { note: "carried" },
} as unknown as Parameters<typeof startApproval>[2];

describe("a thread stopped by a crash between two steps", () => {
  // 1: after assess (the start has not reached the gate); 2: after the gate took the decision;
  // 3: after execute ran (its writes saved, the last checkpoint not).
  for (const step of [1, 2, 3]) {
    it(`carries on from its last checkpoint (killed before step ${step}'s): the gate, then one execution`, async () => {
      const saver = new DyingSaver();
      const executed: ApprovalState[] = [];
      const graph = compileApprovalGraph(saver, {
        execute: async (state) => {
          executed.push(state);
          return { executed: true };
        },
        reject: async () => ({ executed: false }),
      });
      const thread = `thread-${step}`;
      const decision = { status: "approved" as const, edited_inputs: null, reason: null };
      saver.dieAtStep = step;
      // The crash: at the start (before the gate waits) or in the resume.
      if (step < 2) {
        await expect(startApproval(graph, thread, input)).rejects.toThrow(/killed/);
      } else {
        expect((await startApproval(graph, thread, input)).kind).toBe("waiting");
        await expect(resumeApproval(graph, thread, decision)).rejects.toThrow(/killed/);
      }
      if (step === 2) {
        // The gate's interrupt is still on record beside the decision it took: at the gate.
        expect(await threadAt(graph, thread)).toBe("gate");
      } else {
        // Its pending writes are saved, so `next` is empty, yet it has not finished.
        expect((await graph.getState({ configurable: { thread_id: thread } })).next).toEqual([]);
        expect(await threadAt(graph, thread)).toBe("between");
      }
      if (step < 2) {
        expect((await continueApproval(graph, thread)).kind).toBe("waiting");
        expect(await threadAt(graph, thread)).toBe("gate");
        expect(executed).toHaveLength(0);
      }
      const done = await resumeApproval(graph, thread, decision);
      expect(done.kind).toBe("finished");
      expect(await threadAt(graph, thread)).toBe("finished");
      // Once, also when the crash came after it ran. Killed while saving the gate's step, the
      // execute node may already have run (checkpoints are saved as the next step runs) and
      // runs again: its effect is idempotent (lib/services/workflow.ts finishTask).
      if (step === 2) expect(executed.length).toBeGreaterThanOrEqual(1);
      else expect(executed).toHaveLength(1);
      expect(executed[0]?.context).toEqual({ note: "carried" });
    });
  }
});
