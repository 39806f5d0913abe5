// runWithAirlock for Mastra agents (SPEC §6.2): run an agent whose tools have
// `requireApproval` (or a run with `requireToolApproval`), and answer each approval it asks
// for through Airlock. Mastra streams a `tool-call-approval` chunk and suspends the run; each
// becomes one task (type = the tool's name, inputs = its args, workflow_id = the run), and the
// decision goes back as `agent.approveToolCall({ runId, toolCallId })` or
// `agent.declineToolCall({ runId, toolCallId, reason })`, whose reason the model reads in
// place of the tool's result. Mastra runs an approved call with the model's own arguments (an
// approval carries none), so reviewers are offered approve or reject, never an edit. It fails
// closed: a rejection, an expiry, a cancellation or an Airlock that cannot be reached declines
// the call with a reason that says which.
//
// Mastra keeps a suspended run in the storage of the agent's `Mastra` (its docs ask for one;
// `new InMemoryStore()` will do within one process). `@mastra/core` is an optional peer: the
// few shapes used here are declared below, as @mastra/core 1.71 declares them.
import { type AdapterOptions, decideToolCall } from "./decide";

/** A chunk of a Mastra run's `fullStream` (`ChunkType`): only its type and payload are read. */
export interface MastraChunk {
  type: string;
  payload?: unknown;
}

/** What the adapter reads of a run's output (`MastraModelOutput`). */
export interface MastraRun<Result = unknown> {
  runId: string;
  fullStream: AsyncIterable<MastraChunk>;
  getFullOutput(): Promise<Result>;
}

/** The suspended tool call an answer is for. */
export interface MastraToolCallTarget {
  runId: string;
  toolCallId?: string;
}

/** The methods of a Mastra `Agent` the adapter calls. */
export interface MastraAgent {
  name: string;
  stream(messages: unknown, options?: object): Promise<MastraRun>;
  approveToolCall(options: MastraToolCallTarget): Promise<MastraRun>;
  declineToolCall(options: MastraToolCallTarget & { reason?: string }): Promise<MastraRun>;
}

/** What `agent.stream` takes as messages (Mastra's `MessageListInput`). */
export type MastraMessagesOf<A extends MastraAgent> = Parameters<A["stream"]>[0];

/** Mastra's own options for a run, as its approvals and declines take them. */
export type MastraRunOptionsOf<A extends MastraAgent> = Omit<
  Parameters<A["approveToolCall"]>[0],
  "runId" | "toolCallId"
>;

/** The run's final result: what `getFullOutput()` gives (Mastra's `FullOutput`). */
export type MastraResultOf<A extends MastraAgent> = Awaited<
  ReturnType<Awaited<ReturnType<A["stream"]>>["getFullOutput"]>
>;

export interface MastraAirlockOptions<RunOptions = object> extends AdapterOptions {
  /**
   * Mastra's options for the run (memory, maxSteps, requestContext, requireToolApproval, …),
   * given to `stream` and again to each approval and decline.
   */
  runOptions?: RunOptions;
  /** The workflow the tasks belong to; by default the run's id. */
  workflowId?: string;
  /**
   * Stop waiting for people: the open request is cancelled in Airlock and runWithAirlock
   * rejects with the signal's reason. The call never runs; the run stays suspended in Mastra.
   */
  signal?: AbortSignal;
}

/** A tool call that waits for approval, as its `tool-call-approval` chunk names it. */
interface PendingApproval {
  toolCallId: string;
  toolName: string;
  args: Record<string, unknown>;
}

/**
 * Run a Mastra agent, put each tool call it suspends for approval to people through Airlock,
 * resume the run with their decision, and return the run's final result (`getFullOutput()`).
 * A run that suspends for anything else (a tool's own `suspend()`) comes back as it is.
 */
export async function runWithAirlock<A extends MastraAgent>(
  agent: A,
  messages: MastraMessagesOf<A>,
  options: MastraAirlockOptions<MastraRunOptionsOf<A>>,
): Promise<MastraResultOf<A>> {
  const runOptions = options.runOptions ?? {};
  let run = await agent.stream(messages, runOptions);
  for (;;) {
    const pending = await approvalAskedBy(run);
    if (pending === null) return (await run.getFullOutput()) as MastraResultOf<A>;
    const verdict = await decideToolCall(
      {
        toolName: pending.toolName,
        input: pending.args,
        workflowId: options.workflowId ?? run.runId,
        // A call id is the model's, and may repeat in another run of the same workflow.
        callId: `${run.runId}/${pending.toolCallId}`,
        canEdit: false,
        signal: options.signal,
        cancelOnAbort: true,
      },
      { ...options, agentName: options.agentName ?? agent.name },
    );
    options.signal?.throwIfAborted();
    const target = { ...runOptions, runId: run.runId, toolCallId: pending.toolCallId };
    run = verdict.allowed
      ? await agent.approveToolCall(target)
      : await agent.declineToolCall({ ...target, reason: verdict.reason });
  }
}

/**
 * Read a run's stream to its end (the run suspends or finishes there); the tool call it
 * suspended for approval, if it did. Mastra runs the calls that need approval one at a time,
 * so a run suspends for at most one.
 */
async function approvalAskedBy(run: MastraRun): Promise<PendingApproval | null> {
  let pending: PendingApproval | null = null;
  for await (const chunk of run.fullStream) {
    if (chunk.type === "tool-call-approval" && pending === null) {
      pending = pendingApprovalOf(chunk.payload, run.runId);
    }
  }
  return pending;
}

function pendingApprovalOf(payload: unknown, runId: string): PendingApproval {
  const p = (typeof payload === "object" && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  if (typeof p.toolCallId !== "string" || typeof p.toolName !== "string") {
    // Nothing to answer it by: the call stays suspended, unrun.
    throw new Error(
      `Mastra run ${runId} asked for an approval without a tool call id and name: ${JSON.stringify(payload)}`,
    );
  }
  const args =
    typeof p.args === "object" && p.args !== null && !Array.isArray(p.args)
      ? (p.args as Record<string, unknown>)
      : {};
  return { toolCallId: p.toolCallId, toolName: p.toolName, args };
}
