// The hosted approval workflow of a task (SPEC §6): gate → execute | handle rejection, as a
// LangGraph StateGraph checkpointed under the task's thread. The gate interrupts while the
// request waits for people; the decision resumes the thread with `Command({ resume })`, in
// this process or any other, also after a restart. What the task carried in (its `context`)
// is in the state on both sides of the interrupt.
//
// Not yet started by submits nor resumed by decisions: wiring it to the lifecycle (through
// the outbox) is the rest of issue 11. The nodes after the gate call the effects given to
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

const ApprovalState = Annotation.Root({
  task_id: Annotation<string>,
  request_id: Annotation<string>,
  /** False when the request was approved on arrival: the gate lets it through. */
  needs_approval: Annotation<boolean>,
  context: Annotation<Record<string, unknown>>,
  decision: Annotation<GateDecision | null>,
  /** What the effect of the branch taken returned. */
  outcome: Annotation<Record<string, unknown> | null>,
});

export type ApprovalState = typeof ApprovalState.State;
export type ApprovalInput = Pick<
  ApprovalState,
  "task_id" | "request_id" | "needs_approval" | "context"
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
    .addEdge(START, "gate")
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

const config = (threadId: string) => ({ configurable: { thread_id: threadId } });

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
  const snapshot = await graph.getState(config(threadId));
  if (!("request_id" in (snapshot.values as object))) {
    throw new Error(`thread ${threadId} was never started`);
  }
  if (snapshot.next.length === 0) {
    return { kind: "finished", state: snapshot.values as ApprovalState };
  }
  return settle(await graph.invoke(new Command({ resume: decision }), config(threadId)));
}

function settle(out: ApprovalState): RunResult {
  if (isInterrupted<GateInterrupt>(out)) {
    const [first] = out[INTERRUPT];
    if (!first?.value) throw new Error("the gate interrupted without saying for what");
    return { kind: "waiting", interrupt: first.value };
  }
  return { kind: "finished", state: out };
}
