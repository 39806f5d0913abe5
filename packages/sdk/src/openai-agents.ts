// @airlock/sdk/openai-agents (SPEC §6.2): the OpenAI Agents SDK's own approval hook answered
// through Airlock, durably. A tool declared with `needsApproval` stops the run with an
// interruption (a RunToolApprovalItem in `result.interruptions`); `runWithAirlock` puts each
// one to people as one task (type = the tool's name, inputs = its arguments, workflow_id = the
// run), decided independently and waited for together, answers it with `state.approve(item)`
// or `state.reject(item, { message })` — the message, which the model reads on its next turn
// as the call's output, says why: the reviewer's reason, an expiry, a cancellation, an
// Airlock that cannot be reached — and runs on from the state until a run ends without
// interruptions. It returns that run's result.
//
// Approving cannot carry edited arguments: the SDK runs an approved call with the model's own
// arguments, and binds the approval to them (RunState.approve → RunContext.approveTool, schema
// 1.18: "binds per-call approvals … to canonical invocation fingerprints"). So the tasks are
// submitted with allowed_decisions ["approve", "reject"]: no reviewer is offered an edit.
//
// Durability: while people decide, the run lives in Airlock, not in this process. Once a
// turn's requests are submitted, the serialized RunState (`state.toString()`) is saved as a
// checkpoint named "openai-agents-run-state" (type approval_gate) on the turn's first open
// request, and each of the turn's other open requests gets a checkpoint of the same name that
// points there; only then is anyone told a request waits (`onWaiting`). If this process dies,
// another one calls `resumeWithAirlock(agent, { client, requestId })` with any request of the
// run — the id `onWaiting` gave, or the one in its page's address in Airlock: the agent API
// has no look-up by workflow, so a request is what a fresh process can find the run by. It
// loads the state with `RunState.fromString`, asks again for the same calls (the same
// Idempotency-Keys, so the same tasks and their decisions, never new requests) and goes on.
// When a later turn saves its state, the previous turn's holder points on to it, so an older
// request of the run still leads to where the run now waits.
//
// Never twice: whoever goes on from a saved state — the first process or a resumer — first
// marks its checkpoint resumed, which Airlock allows once; a second attempt is refused, and
// that run stops there rather than run approved tools again. A process that dies after that
// claim and before the next turn's save leaves a run that cannot be resumed: a tool runs at
// most once.
//
// Fail closed: a call runs only when people approved it. If the state cannot be saved, the
// turn's requests are cancelled and the run throws; an aborted `signal` throws and leaves the
// requests open (and the state saved) for a resume.
import { randomUUID } from "node:crypto";
import {
  type Agent,
  type AgentInputItem,
  type NonStreamRunOptions,
  type Runner,
  type RunResult,
  RunState,
  type RunToolApprovalItem,
  run as runAgent,
} from "@openai/agents";
import { type AirlockClient, AirlockError } from "./client";
import {
  type AdapterOptions,
  decideToolCall,
  type ToolCall,
  type ToolCallVerdict,
  type WaitingRequest,
} from "./decide";

/** The name of the checkpoints that hold a run's state, or point to where it is. */
export const RUN_STATE_CHECKPOINT = "openai-agents-run-state";

// biome-ignore lint/suspicious/noExplicitAny: the SDK's own bound for any agent (its context and output types vary)
type AnyAgent = Agent<any, any>;

export interface RunWithAirlockOptions<TContext = undefined> extends AdapterOptions {
  /** The tasks' `agent_name`; by default the name of the agent that made each call. */
  agentName?: string;
  /** The workflow the run's requests belong to (its page in Airlock); a new one per run by default. */
  workflowId?: string;
  /** The Runner to run with (its model provider, tracing, …); by default the SDK's own `run`. */
  runner?: Runner;
  /** Options for each leg of the run (context, maxTurns, session, …). */
  runOptions?: Omit<NonStreamRunOptions<TContext>, "signal" | "stream">;
  /** Stop: the run throws, its open requests stay open and its saved state can be resumed. */
  signal?: AbortSignal;
}

export interface ResumeWithAirlockOptions<TContext = undefined>
  extends Omit<RunWithAirlockOptions<TContext>, "workflowId" | "agentName"> {
  /** Any request of the run: as `onWaiting` told it, or from its page in Airlock. */
  requestId: string;
}

/**
 * Run an agent whose tools ask for approval (`needsApproval`), each interruption put to people
 * through Airlock; the run's state kept in Airlock meanwhile, for `resumeWithAirlock`.
 */
export async function runWithAirlock<TAgent extends AnyAgent, TContext = undefined>(
  agent: TAgent,
  input: string | AgentInputItem[] | RunState<TContext, TAgent>,
  options: RunWithAirlockOptions<TContext>,
): Promise<RunResult<TContext, TAgent>> {
  const runId = randomUUID();
  const identity: RunIdentity = {
    runId,
    workflowId: options.workflowId ?? `openai-agents-${runId}`,
    agentName: options.agentName ?? null,
  };
  const result = await leg(agent, input, options);
  return answerUntilDone(agent, result, identity, options, null);
}

/**
 * Go on with a run that `runWithAirlock` left waiting in another process (which may have died):
 * its state is read from the checkpoint held by the request's run, never from this process,
 * and it keeps the workflow and agent name it was started with. Throws when there is no such
 * state, or when another process already went on from it.
 */
export async function resumeWithAirlock<TAgent extends AnyAgent, TContext = undefined>(
  agent: TAgent,
  options: ResumeWithAirlockOptions<TContext>,
): Promise<RunResult<TContext, TAgent>> {
  const saved = await savedRun(options.client, options.requestId);
  const state = await RunState.fromString<TContext, TAgent>(agent, saved.runState);
  const turn = await answerTurn(state, saved.identity, options, { loaded: saved.turn });
  const result = await leg(agent, state, options);
  return answerUntilDone(agent, result, saved.identity, options, turn);
}

/** Who the run is in Airlock: what its tasks are submitted with, the same in every process. */
interface RunIdentity {
  /** The checkpoints' run_id, and part of each call's Idempotency-Key. */
  runId: string;
  workflowId: string;
  /** The tasks' agent_name; null: the name of the agent that made each call. */
  agentName: string | null;
}

/** Where a turn's state was saved: the checkpoint that whoever goes on from it claims. */
interface SavedTurn {
  requestId: string;
  checkpointId: string;
}

function leg<TAgent extends AnyAgent, TContext>(
  agent: TAgent,
  input: string | AgentInputItem[] | RunState<TContext, TAgent>,
  options: RunWithAirlockOptions<TContext>,
): Promise<RunResult<TContext, TAgent>> {
  const runOptions = { ...options.runOptions, signal: options.signal };
  return options.runner
    ? options.runner.run(agent, input, runOptions)
    : runAgent(agent, input, runOptions);
}

async function answerUntilDone<TAgent extends AnyAgent, TContext>(
  agent: TAgent,
  first: RunResult<TContext, TAgent>,
  identity: RunIdentity,
  options: RunWithAirlockOptions<TContext>,
  saved: SavedTurn | null,
): Promise<RunResult<TContext, TAgent>> {
  let result = first;
  let previous = saved;
  while (result.interruptions.length > 0) {
    const state = result.state;
    previous = (await answerTurn(state, identity, options, { previous })) ?? previous;
    result = await leg(agent, state, options);
  }
  return result;
}

/**
 * Put a turn's interruptions to people and answer them in `state`: the state saved (unless it
 * was loaded from Airlock) before anyone hears that a request waits, and claimed before it is
 * answered. The saved turn, or null when no request was left open (nothing to resume).
 */
async function answerTurn<TAgent extends AnyAgent, TContext>(
  state: RunState<TContext, TAgent>,
  identity: RunIdentity,
  options: Omit<RunWithAirlockOptions<TContext>, "workflowId">,
  from: { loaded?: SavedTurn; previous?: SavedTurn | null },
): Promise<SavedTurn | null> {
  const items = state.getInterruptions();
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const reports = turnReports(items.length);
  const verdicts = Promise.all(
    items.map((item, n) =>
      decideToolCall(toolCallOf(item, n, identity, signal), {
        client: options.client,
        agentName: identity.agentName ?? item.agent.name,
        timeoutMs: options.timeoutMs,
        onWaiting: (request) => reports.waiting(n, request),
      }).finally(() => reports.settled(n)),
    ),
  );
  const open = (await reports.all).filter((r): r is WaitingRequest => r !== null);
  let turn = from.loaded ?? null;
  if (!from.loaded && open.length > 0) {
    try {
      turn = await saveTurn(options.client, state.toString(), identity, open, from.previous);
    } catch (error) {
      stop.abort();
      await verdicts;
      await cancelAll(options.client, open);
      throw new Error(
        `runWithAirlock could not save the run's state in Airlock (${messageOf(error)}); its requests were cancelled and nothing ran`,
        { cause: error },
      );
    }
  }
  for (const request of open) options.onWaiting?.(request);
  const decided = await verdicts;
  options.signal?.throwIfAborted();
  if (turn) await claim(options.client, turn);
  items.forEach((item, n) => {
    answer(state, item, decided[n] as ToolCallVerdict);
  });
  return turn;
}

/**
 * A turn that could not be saved would have people decide for a run nobody can resume: its
 * requests are cancelled (as far as Airlock can be reached; one left open expires unrun).
 */
async function cancelAll(client: AirlockClient, open: WaitingRequest[]): Promise<void> {
  await Promise.allSettled(
    open.map((r) => client.cancel(r.task_id, "The agent could not save its run in Airlock")),
  );
}

/**
 * Collects a turn's requests as their submits answer: each call either reports an open
 * request or settles (closed on arrival, or not submitted at all). `all` resolves once every
 * call has done one or the other, with the open request of each (null for the rest).
 */
function turnReports(count: number) {
  const open: (WaitingRequest | null | undefined)[] = Array.from(
    { length: count },
    () => undefined,
  );
  let resolve: (open: (WaitingRequest | null)[]) => void = () => {};
  const all = new Promise<(WaitingRequest | null)[]>((r) => {
    resolve = r;
  });
  const check = () => {
    if (open.every((r) => r !== undefined)) resolve(open as (WaitingRequest | null)[]);
  };
  check();
  return {
    all,
    waiting(n: number, request: WaitingRequest) {
      open[n] = request;
      check();
    },
    settled(n: number) {
      if (open[n] === undefined) open[n] = null;
      check();
    },
  };
}

/** One interruption as a tool call for Airlock: the same in every process that asks. */
function toolCallOf(
  item: RunToolApprovalItem,
  index: number,
  identity: RunIdentity,
  signal: AbortSignal,
): ToolCall {
  const raw = item.rawItem as { callId?: unknown; id?: unknown; type: string };
  const callId = typeof raw.callId === "string" ? raw.callId : raw.id;
  return {
    toolName: item.name ?? item.toolName ?? raw.type,
    input: inputOf(item),
    workflowId: identity.workflowId,
    callId: `${identity.runId}/${typeof callId === "string" ? callId : `#${index}`}`,
    canEdit: false,
    signal,
  };
}

// A tool call's bookkeeping, not what it is asked to do.
const NOT_INPUT = new Set(["type", "id", "callId", "status", "providerData"]);

/** A call's arguments as an object: a function call's parsed JSON, else the raw call's fields. */
function inputOf(item: RunToolApprovalItem): Record<string, unknown> {
  const text = item.arguments;
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {}
    return { arguments: text };
  }
  return Object.fromEntries(Object.entries(item.rawItem).filter(([k]) => !NOT_INPUT.has(k)));
}

/** Approve the call or reject it with the reason, which the model reads as the call's output. */
function answer<TAgent extends AnyAgent, TContext>(
  state: RunState<TContext, TAgent>,
  item: RunToolApprovalItem,
  verdict: ToolCallVerdict,
): void {
  if (verdict.allowed && !verdict.edited) {
    state.approve(item);
    return;
  }
  state.reject(item, {
    message: verdict.allowed
      ? "Not approved: it was approved with edited arguments, which this agent cannot run with"
      : verdict.reason,
  });
}

/** What the run's checkpoints hold: its state, or where that is. */
type Saved =
  | {
      kind: "run_state";
      run_id: string;
      workflow_id: string;
      agent_name: string | null;
      run_state: string;
    }
  | { kind: "moved"; request_id: string };

/**
 * Save the state on the turn's first open request, then point there from its other open
 * requests and from where the run's state was before (the previous turn).
 */
async function saveTurn(
  client: AirlockClient,
  runState: string,
  identity: RunIdentity,
  open: WaitingRequest[],
  previous: SavedTurn | null | undefined,
): Promise<SavedTurn> {
  const [home, ...others] = open as [WaitingRequest, ...WaitingRequest[]];
  const save = (requestId: string, data: Saved) =>
    client.saveCheckpoint(requestId, {
      name: RUN_STATE_CHECKPOINT,
      type: "approval_gate",
      run_id: identity.runId,
      data,
    });
  const checkpoint = await save(home.request_id, {
    kind: "run_state",
    run_id: identity.runId,
    workflow_id: identity.workflowId,
    agent_name: identity.agentName,
    run_state: runState,
  });
  const moved: Saved = { kind: "moved", request_id: home.request_id };
  const pointers = [...others.map((r) => r.request_id), ...(previous ? [previous.requestId] : [])];
  await Promise.all(pointers.map((requestId) => save(requestId, moved)));
  return { requestId: home.request_id, checkpointId: checkpoint.checkpoint_id };
}

/** Mark the turn's checkpoint resumed: only one process may go on from a saved state. */
async function claim(client: AirlockClient, turn: SavedTurn): Promise<void> {
  try {
    await client.resumeCheckpoint(turn.requestId, turn.checkpointId);
  } catch (error) {
    if (error instanceof AirlockError && error.code === "conflict") {
      throw new Error(
        `The run's state on request ${turn.requestId} was already resumed by another process; going on from it again could run its approved tools twice`,
        { cause: error },
      );
    }
    throw new Error(
      `Could not claim the run's state on request ${turn.requestId} in Airlock (${messageOf(error)}); nothing ran`,
      { cause: error },
    );
  }
}

// A run moves on once per turn: a chain of pointers longer than this is not one of ours.
const MAX_POINTERS = 1000;

/** The state a request's run was left in, following the pointers to where it now is. */
async function savedRun(client: AirlockClient, requestId: string) {
  let at = requestId;
  for (let hop = 0; hop <= MAX_POINTERS; hop++) {
    let checkpoint: Awaited<ReturnType<AirlockClient["latestCheckpoint"]>>;
    try {
      checkpoint = await client.latestCheckpoint(at, RUN_STATE_CHECKPOINT);
    } catch (error) {
      if (error instanceof AirlockError && error.code === "not_found") {
        throw new Error(
          `Request ${at} holds no run of runWithAirlock (no checkpoint "${RUN_STATE_CHECKPOINT}")`,
          { cause: error },
        );
      }
      throw error;
    }
    const saved = savedOf(checkpoint.data, at);
    if (saved.kind === "moved") {
      at = saved.request_id;
      continue;
    }
    if (checkpoint.status !== "active") {
      throw new Error(
        checkpoint.status === "resumed"
          ? `The run's state on request ${at} was already resumed by another process; going on from it again could run its approved tools twice`
          : `The run's state on request ${at} is ${checkpoint.status}: it can no longer be resumed`,
      );
    }
    return {
      runState: saved.run_state,
      identity: {
        runId: saved.run_id,
        workflowId: saved.workflow_id,
        agentName: saved.agent_name,
      },
      turn: { requestId: at, checkpointId: checkpoint.checkpoint_id },
    };
  }
  throw new Error(`Request ${requestId}'s run points on more than ${MAX_POINTERS} times`);
}

/** A checkpoint's data as one of ours, or an error that says whose it is not. */
function savedOf(data: unknown, requestId: string): Saved {
  const d = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if (d.kind === "moved" && typeof d.request_id === "string") {
    return { kind: "moved", request_id: d.request_id };
  }
  if (
    d.kind === "run_state" &&
    typeof d.run_id === "string" &&
    typeof d.workflow_id === "string" &&
    (typeof d.agent_name === "string" || d.agent_name === null) &&
    typeof d.run_state === "string"
  ) {
    return {
      kind: "run_state",
      run_id: d.run_id,
      workflow_id: d.workflow_id,
      agent_name: d.agent_name,
      run_state: d.run_state,
    };
  }
  throw new Error(
    `The checkpoint "${RUN_STATE_CHECKPOINT}" on request ${requestId} is not a run saved by runWithAirlock`,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
