// runWithAirlock (SPEC §6.1): run a LangGraph graph or a LangChain `createAgent` agent whose
// nodes already interrupt in one of the ecosystem's approval protocols, and answer those
// interrupts through Airlock, so the agent's own code does not change:
// - LangChain's humanInTheLoopMiddleware, batched: { actionRequests, reviewConfigs } →
//   { decisions } in the same order;
// - its per-call mode: { type: "tool_approval", name, args, … } → one decision;
// - LangGraph's Agent Inbox: HumanInterrupt[] → HumanResponse[];
// - and approvalGateNode's own interrupt (it reads the decision itself; this only waits).
// Each action request is one task (type = the tool's name, inputs = its args, allowed
// decisions from its review config); a turn's several requests are tasks of one workflow,
// decided independently and waited for together. An expired or cancelled request goes back
// as a rejection that says so (fail closed). An interrupt of any other shape ends the run:
// the result goes back to the caller as it is, interrupt and all.
import { createHash } from "node:crypto";
import {
  Command,
  INTERRUPT,
  type Interrupt,
  type LangGraphRunnableConfig,
} from "@langchain/langgraph";
import { type AirlockClient, isOpen } from "./client";
import type { WaitingRequest } from "./decide";
import { type AirlockGateInterrupt, isAirlockGateInterrupt } from "./langgraph-gate";
import { type ApprovalOutcome, outcomeOf } from "./outcome";
import type { ActionInput, TaskDto } from "./types";

/** Anything LangGraph-shaped: a compiled graph, a createAgent agent. */
export interface InvokableRunnable {
  // biome-ignore lint/suspicious/noExplicitAny: the runnables' own input and output types vary; this only passes them through
  invoke(input: any, config?: any): Promise<any>;
}

export interface RunWithAirlockOptions {
  client: AirlockClient;
  /** The run's config; its `configurable.thread_id` is required (resuming needs a checkpointer). */
  config: LangGraphRunnableConfig;
  /** The workflow the tasks belong to; by default the thread id. */
  workflowId?: string;
  /** The sub-agent's label on each task; "agent" by default. */
  agentName?: string;
  signal?: AbortSignal;
  /** Told of each request that waits for people, e.g. to show its link. */
  onWaiting?(request: WaitingRequest): void;
}

type Decision = "approve" | "edit" | "reject";

/** One action to put to people, and how to answer its protocol once decided. */
interface Ask {
  action: ActionInput;
  allowed: Decision[];
  answer(outcome: ApprovalOutcome): unknown;
}

/** How one interrupt is answered: its asks, and the resume built from their outcomes. */
interface Handling {
  asks: Ask[];
  resume(answers: unknown[]): unknown;
}

export async function runWithAirlock(
  runnable: InvokableRunnable,
  input: unknown,
  options: RunWithAirlockOptions,
): Promise<unknown> {
  const thread = options.config.configurable?.thread_id;
  if (typeof thread !== "string" || thread.length === 0) {
    throw new Error("runWithAirlock needs config.configurable.thread_id: resuming needs a thread");
  }
  let result = await runnable.invoke(input, options.config);
  for (let turn = 0; ; turn++) {
    const interrupts: Interrupt[] = (result as Record<string, unknown>)?.[INTERRUPT] as Interrupt[];
    if (!Array.isArray(interrupts) || interrupts.length === 0) return result;
    const plans = interrupts.map((i) =>
      isAirlockGateInterrupt(i.value) ? { gate: i.value } : handlingOf(i.value),
    );
    // One we do not speak: the caller's to answer.
    if (plans.some((p) => p === null)) return result;
    const resumes = await Promise.all(
      interrupts.map((i, n) => {
        const plan = plans[n] as Handling | { gate: AirlockGateInterrupt };
        return "gate" in plan
          ? waitAtGate(plan.gate, options)
          : answer(i, n, turn, plan, thread, options);
      }),
    );
    const resume =
      interrupts.length === 1
        ? resumes[0]
        : Object.fromEntries(interrupts.map((i, n) => [i.id, resumes[n]]));
    result = await runnable.invoke(new Command({ resume }), options.config);
  }
}

/** approvalGateNode reads its decision itself: resuming it only has to wait for one. */
async function waitAtGate(
  { airlock }: AirlockGateInterrupt,
  options: RunWithAirlockOptions,
): Promise<unknown> {
  options.onWaiting?.({
    task_id: airlock.task_id,
    request_id: airlock.request_id,
    action_type: airlock.action_type,
    url: airlock.url,
  });
  await options.client.waitForDecision(airlock.task_id, { signal: options.signal });
  return { task_id: airlock.task_id };
}

async function answer(
  interrupt: Interrupt,
  index: number,
  turn: number,
  handling: Handling,
  thread: string,
  options: RunWithAirlockOptions,
): Promise<unknown> {
  const answers = await Promise.all(
    handling.asks.map(async (ask, n) => {
      const task = await decided(ask, [thread, interrupt.id ?? index, turn, n], thread, options);
      return ask.answer(outcomeOf(task));
    }),
  );
  return handling.resume(answers);
}

/** Submit one ask (once, even if this run is repeated) and wait for its decision. */
async function decided(
  ask: Ask,
  identity: unknown[],
  thread: string,
  options: RunWithAirlockOptions,
): Promise<TaskDto> {
  const allowed = ask.allowed.includes("approve") || ask.allowed.includes("edit");
  const submitted = await options.client.submit(
    {
      workflow_id: options.workflowId ?? thread.slice(0, 200),
      agent_name: options.agentName ?? "agent",
      thread_id: thread.slice(0, 200),
      action: ask.action,
      // What the protocol takes back; one that takes no approval at all asks for one anyway,
      // and the answer is the protocol's rejection unless someone approves.
      ...(allowed ? { allowed_decisions: ask.allowed } : {}),
    },
    {
      idempotencyKey: `run-${createHash("sha256")
        .update(JSON.stringify([identity, ask.action]))
        .digest("hex")}`,
    },
  );
  if (isOpen(submitted)) {
    options.onWaiting?.({
      task_id: submitted.task_id,
      request_id: submitted.approval_request_id,
      action_type: ask.action.type,
      url: options.client.requestUrl(submitted.approval_request_id),
    });
  }
  return options.client.waitForDecision(submitted.task_id, { signal: options.signal });
}

function handlingOf(value: unknown): Handling | null {
  return batchedMiddleware(value) ?? perCallMiddleware(value) ?? agentInbox(value);
}

const descriptionOf = (name: string, description?: string) =>
  description && description.length > 0 ? description.slice(0, 10_000) : `Call ${name}`;

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

const decisionsOf = (list: unknown): Decision[] =>
  Array.isArray(list)
    ? (["approve", "edit", "reject"] as const).filter((d) => list.includes(d))
    : ["approve", "edit", "reject"];

/** LangChain's decision for one tool call: approve, edit (the reviewer's args) or reject. */
function middlewareDecision(name: string, allowed: Decision[]) {
  return (o: ApprovalOutcome) => {
    if (!o.approved) return { type: "reject", message: o.reason ?? "Rejected" };
    return allowed.includes("approve") && !o.edited
      ? { type: "approve" }
      : { type: "edit", editedAction: { name, args: o.inputs } };
  };
}

/** humanInTheLoopMiddleware, batched: { actionRequests, reviewConfigs } → { decisions }. */
function batchedMiddleware(value: unknown): Handling | null {
  const v = record(value);
  if (!Array.isArray(v.actionRequests) || !Array.isArray(v.reviewConfigs)) return null;
  const configs = v.reviewConfigs.map(record);
  const asks = v.actionRequests.map(record).map((request): Ask => {
    const name = String(request.name ?? "tool");
    const config = configs.find((c) => c.actionName === name);
    const allowed = decisionsOf(config?.allowedDecisions);
    return {
      action: {
        type: name,
        description: descriptionOf(name, request.description as string),
        inputs: record(request.args),
      },
      allowed,
      answer: middlewareDecision(name, allowed),
    };
  });
  return { asks, resume: (decisions) => ({ decisions }) };
}

/** The middleware's per-call mode: { type: "tool_approval", name, args } → one decision. */
function perCallMiddleware(value: unknown): Handling | null {
  const v = record(value);
  if (v.type !== "tool_approval" || typeof v.name !== "string") return null;
  const allowed = decisionsOf(v.allowedDecisions ?? v.allowed_decisions);
  return {
    asks: [
      {
        action: {
          type: v.name,
          description: descriptionOf(v.name, v.description as string),
          inputs: record(v.args),
        },
        allowed,
        answer: middlewareDecision(v.name, allowed),
      },
    ],
    resume: ([decision]) => decision,
  };
}

/** LangGraph's Agent Inbox: HumanInterrupt (or a list of them) → HumanResponse[]. */
function agentInbox(value: unknown): Handling | null {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) return null;
  const interrupts = list.map(record);
  if (
    !interrupts.every(
      (i) => typeof record(i.action_request).action === "string" && typeof i.config === "object",
    )
  ) {
    return null;
  }
  const asks = interrupts.map((i): Ask => {
    const request = record(i.action_request);
    const config = record(i.config);
    const name = String(request.action);
    const allowed: Decision[] = [
      ...(config.allow_accept ? (["approve"] as const) : []),
      ...(config.allow_edit ? (["edit"] as const) : []),
      "reject",
    ];
    return {
      action: {
        type: name,
        description: descriptionOf(name, i.description as string),
        inputs: record(request.args),
      },
      allowed,
      answer(o) {
        if (o.approved) {
          return config.allow_accept && !o.edited
            ? { type: "accept", args: null }
            : { type: "edit", args: { action: name, args: o.inputs } };
        }
        // The reason goes back as the human's response when the inbox takes one; else it
        // is ignored — never accepted.
        return config.allow_respond || !config.allow_ignore
          ? { type: "response", args: o.reason ?? "Rejected" }
          : { type: "ignore", args: null };
      },
    };
  });
  return { asks, resume: (responses) => responses };
}
