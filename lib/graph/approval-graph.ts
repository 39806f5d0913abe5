// The hosted approval workflow of a task (SPEC §6): assess → gate → execute | handle
// rejection, as a LangGraph StateGraph checkpointed under the task's thread. `assess` records
// the assessment the submit made (the request keeps it: a rule change never moves a task)
// and what it means for the gate. The gate interrupts while the
// request waits for people; the decision resumes the thread with `Command({ resume })`, in
// this process or any other, also after a restart. What the task carried in (its `context`)
// is in the state on both sides of the interrupt.
//
// lib/jobs/workflow.ts starts it for every submitted task and resumes it when the request
// closes (through the outbox). The nodes after the gate call the effects given to
// `compileApprovalGraph`, which must be idempotent, keyed by the request id: LangGraph runs a
// node again when a resume repeats (at least once), and re-runs the interrupted node from its
// top — the gate does nothing before `interrupt()` for that reason.
import {
  Annotation,
  type BaseCheckpointSaver,
  Command,
  END,
  INTERRUPT,
  interrupt,
  isInterrupted,
  START,
  StateGraph,
} from "@langchain/langgraph";

/** How the request closed, as the resume carries it. */
export interface GateDecision {
  status: "approved" | "rejected" | "expired" | "cancelled";
  /** The inputs a reviewer edited, when they did. */
  edited_inputs?: Record<string, unknown> | null;
  reason?: string | null;
}

/** The risk engine's verdict at submit, as the request stores it. */
export interface GraphAssessment {
  level: string;
  score: number;
  reasons: string[];
  /** Approved on arrival (its level's policy, or a standing approval). */
  auto_approved: boolean;
}

const ApprovalState = Annotation.Root({
  task_id: Annotation<string>,
  request_id: Annotation<string>,
  assessment: Annotation<GraphAssessment>,
  /** Set by `assess`: false when the request was approved on arrival, and the gate lets it by. */
  needs_approval: Annotation<boolean>,
  context: Annotation<Record<string, unknown>>,
  decision: Annotation<GateDecision | null>,
  /** What the effect of the branch taken returned. */
  outcome: Annotation<Record<string, unknown> | null>,
});

export type ApprovalState = typeof ApprovalState.State;
export type ApprovalInput = Pick<
  ApprovalState,
  "task_id" | "request_id" | "assessment" | "context"
>;

export interface ApprovalEffects {
  /** Deliver the approved action (with any edited inputs). Idempotent by request id. */
  execute(state: ApprovalState): Promise<Record<string, unknown>>;
  /** Record a rejected, expired or cancelled request for the agent. Idempotent too. */
  reject(state: ApprovalState): Promise<Record<string, unknown>>;
}

/** What the gate interrupts with: what a resume must answer. */
export interface GateInterrupt {
  request_id: string;
  task_id: string;
}

export function compileApprovalGraph(checkpointer: BaseCheckpointSaver, effects: ApprovalEffects) {
  return new StateGraph(ApprovalState)
    .addNode("assess", (state) => ({ needs_approval: !state.assessment.auto_approved }))
    .addNode("gate", (state) => {
      if (!state.needs_approval) return { decision: { status: "approved" } as GateDecision };
      const decision = interrupt<GateInterrupt, GateDecision>({
        request_id: state.request_id,
        task_id: state.task_id,
      });
      return { decision };
    })
    .addNode("execute", async (state) => ({ outcome: await effects.execute(state) }))
    .addNode("handle_rejection", async (state) => ({ outcome: await effects.reject(state) }))
    .addEdge(START, "assess")
    .addEdge("assess", "gate")
    .addConditionalEdges(
      "gate",
      (state) => (state.decision?.status === "approved" ? "execute" : "handle_rejection"),
      ["execute", "handle_rejection"],
    )
    .addEdge("execute", END)
    .addEdge("handle_rejection", END)
    .compile({ checkpointer });
}

export type ApprovalGraph = ReturnType<typeof compileApprovalGraph>;

export type RunResult =
  | { kind: "waiting"; interrupt: GateInterrupt }
  | { kind: "finished"; state: ApprovalState };

// Checkpoints are written when a run stops (at the gate's interrupt, or at the end), not
// after every step: a drive is a few pure steps and one idempotent effect, so a crash
// mid-run leaves the thread at its last stop (unstarted, or at the gate) and the next drive
// runs it again from there. One checkpoint per run, where there were one per step.
const config = (threadId: string) => ({
  configurable: { thread_id: threadId },
  durability: "exit" as const,
});

/** Start a task's thread: it finishes, or waits at the gate. */
export async function startApproval(
  graph: ApprovalGraph,
  threadId: string,
  input: ApprovalInput,
): Promise<RunResult> {
  return settle(await graph.invoke({ ...input, decision: null, outcome: null }, config(threadId)));
}

/**
 * Resume a thread waiting at the gate with the decision. A thread that already finished
 * (a repeated resume) runs nothing again and answers with its final state.
 */
export async function resumeApproval(
  graph: ApprovalGraph,
  threadId: string,
  decision: GateDecision,
): Promise<RunResult> {
  const at = await threadAt(graph, threadId);
  if (at === "unstarted") throw new Error(`thread ${threadId} was never started`);
  if (at === "finished") {
    return {
      kind: "finished",
      state: (await graph.getState(config(threadId))).values as ApprovalState,
    };
  }
  if (at === "between") {
    const run = await continueApproval(graph, threadId);
    if (run.kind === "finished") return run;
  }
  return resumeFromGate(graph, threadId, decision);
}

/** Resume a thread its caller knows waits at the gate (threadAt said so) with the decision. */
export async function resumeFromGate(
  graph: ApprovalGraph,
  threadId: string,
  decision: GateDecision,
): Promise<RunResult> {
  return settle(await graph.invoke(new Command({ resume: decision }), config(threadId)));
}

/**
 * Where a thread stands. `between`: stopped by a crash between two steps: its last checkpoint
 * still has tasks to run (killed after the checkpoint before the gate was saved, before the
 * gate's interrupt was), or tasks whose writes were saved before the next checkpoint was (a
 * thread checkpointed after every step, as before runs were saved only when they stop:
 * LangGraph then lists them in `tasks` but not in `next`, so an empty `next` alone does not
 * mean finished).
 */
export async function threadAt(
  graph: ApprovalGraph,
  threadId: string,
): Promise<"unstarted" | "gate" | "between" | "finished"> {
  const snapshot = await graph.getState(config(threadId));
  if (!("request_id" in (snapshot.values as object))) return "unstarted";
  if (snapshot.tasks.some((t) => t.interrupts.length > 0)) return "gate";
  return snapshot.tasks.length === 0 ? "finished" : "between";
}

/** Carry a thread stopped between steps on from its last checkpoint: to the gate, or its end. */
export async function continueApproval(graph: ApprovalGraph, threadId: string): Promise<RunResult> {
  return settle(await graph.invoke(null, config(threadId)));
}

function settle(out: ApprovalState): RunResult {
  if (isInterrupted<GateInterrupt>(out)) {
    const [first] = out[INTERRUPT];
    if (!first?.value) throw new Error("the gate interrupted without saying for what");
    return { kind: "waiting", interrupt: first.value };
  }
  return { kind: "finished", state: out };
}
