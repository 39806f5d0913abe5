// An approval gate for an agent's own LangGraph graph (SPEC §6.1): the node submits the
// action it is given, interrupts while people decide, and on resume routes to the node for
// an approval or the one for a rejection, with what was decided in the state.
//
// LangGraph runs an interrupted node again from its top when the graph resumes, so everything
// before `interrupt()` is safe to repeat: the submit carries an Idempotency-Key made of the
// thread, the step, the node and the action, and returns the same task the second time. The
// decision is read from Airlock after the interrupt, never taken from the resume value: a
// caller cannot approve by resuming.
import { createHash } from "node:crypto";
import { Command, interrupt, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { type AirlockClient, isOpen } from "./client";
import { outcomeOf } from "./outcome";
import type { ActionInput } from "./types";

/** What the gate interrupts with (the outcome goes in the state under `key`, "approval" by default); runWithAirlock answers it by waiting for the decision. */
export interface AirlockGateInterrupt {
  airlock: {
    task_id: string;
    request_id: string;
    action_type: string;
    risk_level: string;
    /** The request's page in the browser. */
    url: string;
  };
}

export function isAirlockGateInterrupt(value: unknown): value is AirlockGateInterrupt {
  const airlock = (value as AirlockGateInterrupt | null)?.airlock;
  return typeof airlock === "object" && airlock !== null && typeof airlock.task_id === "string";
}

export interface ApprovalGateOptions<S> {
  client: AirlockClient;
  /** The action to ask about, from the state; null lets the state through unasked. */
  action(state: S): ActionInput | null;
  /** The node for an approval (and for a state let through). */
  approved: string;
  /** The node for a rejection, expiry or cancellation. */
  rejected: string;
  /** The sub-agent's label (`agent_name`). */
  agentName: string;
  /** The workflow the task belongs to; by default the graph's thread id. */
  workflowId?: (state: S, config: LangGraphRunnableConfig) => string;
  allowedDecisions?: ("approve" | "edit" | "reject")[];
  /** Where in the state the outcome goes. */
  key?: string;
}

/**
 * The node; add it with `{ ends: [approved, rejected] }`, since it routes by returning a
 * Command.
 */
export function approvalGateNode<S>(options: ApprovalGateOptions<S>) {
  const key = options.key ?? "approval";
  return async (state: S, config: LangGraphRunnableConfig): Promise<Command> => {
    const action = options.action(state);
    if (action === null) return new Command({ goto: options.approved });
    const thread = String(config.configurable?.thread_id ?? "");
    const metadata = (config.metadata ?? {}) as Record<string, unknown>;
    const idempotencyKey = `gate-${sha256(
      JSON.stringify([thread, metadata.langgraph_step, metadata.langgraph_node, action]),
    )}`;
    const submitted = await options.client.submit(
      {
        workflow_id: options.workflowId?.(state, config) ?? (thread || "langgraph"),
        agent_name: options.agentName,
        action,
        ...(thread ? { thread_id: thread.slice(0, 200) } : {}),
        ...(options.allowedDecisions ? { allowed_decisions: options.allowedDecisions } : {}),
      },
      { idempotencyKey },
    );
    let task = await options.client.getTask(submitted.task_id);
    if (isOpen(task)) {
      interrupt<AirlockGateInterrupt>({
        airlock: {
          task_id: task.task_id,
          request_id: task.approval_request_id,
          action_type: task.action.type,
          risk_level: task.risk.level,
          url: options.client.requestUrl(task.approval_request_id),
        },
      });
      // Resumed: what was decided is Airlock's to say (it waits if nothing is, yet).
      task = await options.client.waitForDecision(task.task_id);
    }
    const outcome = outcomeOf(task);
    return new Command({
      update: { [key]: outcome },
      goto: outcome.approved ? options.approved : options.rejected,
    });
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
