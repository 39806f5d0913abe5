// @airlock/sdk/ai (SPEC §6.2): the Vercel AI SDK's own approval hook answered through Airlock.
// `toolApproval` (generateText, streamText, ToolLoopAgent; ai ≥ 7) takes a function of each
// tool call that returns its approval status before the tool runs; this one puts the call to
// people as one task and answers "approved", or { type: "denied", reason }, which the SDK
// gives the model as the call's `execution-denied` result on its next turn.
//
// The hook can only approve or deny: its answer carries no input, and the SDK runs the call
// with the model's own input (node_modules/ai/dist/index.js, generateTextInternal and
// executeToolsFromStream: resolveToolApproval, then the blocked ids filtered out of the calls
// that run). So the tasks are submitted with allowed_decisions ["approve", "reject"]: no
// reviewer is offered an edit the agent would silently drop.
import { randomUUID } from "node:crypto";
import type { ModelMessage, ToolApprovalStatus } from "ai";
import { type AdapterOptions, decideToolCall } from "./decide";

/** What the AI SDK passes its generic `toolApproval` function (the fields used here). */
export interface AiToolApprovalCall {
  toolCall: { toolCallId: string; toolName: string; input: unknown };
  /** The messages sent to the model for the step that made the call. */
  messages: ModelMessage[];
  /** The run's `runtimeContext`, e.g. to name its workflow. */
  runtimeContext: unknown;
}

export interface AirlockToolApprovalOptions extends AdapterOptions {
  /**
   * The workflow the tasks belong to (a chat, a job). The AI SDK has no run id of its own, so
   * by default each `airlockToolApproval()` is one workflow: make one per run, or name it here.
   */
  workflowId?: string | ((call: AiToolApprovalCall) => string);
  /** Stop waiting when this aborts (pass the run's own `abortSignal`); the task is then cancelled. */
  signal?: AbortSignal;
}

/**
 * The AI SDK's `toolApproval` function for Airlock: each tool call becomes a task (type = the
 * tool's name, inputs = its input, callId = the SDK's tool call id), and the call runs only
 * once people approve it. A rejection, an expiry, a cancellation or an unreachable Airlock
 * denies it, with a reason the model reads.
 */
export function airlockToolApproval(
  options: AirlockToolApprovalOptions,
): (call: AiToolApprovalCall) => Promise<ToolApprovalStatus> {
  const run = `ai-sdk-${randomUUID()}`;
  return async (call) => {
    const { toolCall } = call;
    const verdict = await decideToolCall(
      {
        toolName: toolCall.toolName,
        input: inputsOf(toolCall.input),
        workflowId: workflowOf(options.workflowId, call) ?? run,
        callId: toolCall.toolCallId,
        canEdit: false,
        signal: options.signal,
        cancelOnAbort: true,
      },
      options,
    );
    if (!verdict.allowed) return { type: "denied", reason: verdict.reason };
    // Edits are not offered (see above); one that came anyway cannot be carried, and running
    // the unedited call would not be what was approved.
    if (verdict.edited) {
      return {
        type: "denied",
        reason: "Not approved: a reviewer edited the call, and the AI SDK cannot run it edited",
      };
    }
    return "approved";
  };
}

function workflowOf(
  workflowId: AirlockToolApprovalOptions["workflowId"],
  call: AiToolApprovalCall,
): string | undefined {
  return typeof workflowId === "function" ? workflowId(call) : workflowId;
}

/** A task's inputs are an object; a tool whose input is not one has it under `input`. */
function inputsOf(input: unknown): Record<string, unknown> {
  return typeof input === "object" && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : { input };
}
