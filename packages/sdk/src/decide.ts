// One tool call put to people through Airlock, for the framework adapters: the call becomes
// one task (type = the tool's name, inputs = its arguments, workflow_id = the run), and the
// answer is a verdict the adapter turns into its framework's own words. It fails closed: a
// rejection, an expiry, a cancellation, an Airlock that cannot be reached or a wait given up
// all deny the call, with a reason that says which.
import { createHash } from "node:crypto";
import { type AirlockClient, isOpen } from "./client";
import { type ApprovalOutcome, outcomeOf } from "./outcome";
import type { Decision } from "./types";

/** A request that waits for people, as the adapters' `onWaiting` hears of it. */
export interface WaitingRequest {
  task_id: string;
  request_id: string;
  action_type: string;
  /** The request's page in the browser. */
  url: string;
}

/** What every adapter takes: the client, and how its tasks are labelled and waited for. */
export interface AdapterOptions {
  client: AirlockClient;
  /** The sub-agent's label on each task (`agent_name`); "agent" by default. */
  agentName?: string;
  /** Told of each request that waits for people, e.g. to show its link. */
  onWaiting?(request: WaitingRequest): void;
  /** Deny a call nobody decided within this long (the request stays open); by default wait until Airlock closes it. */
  timeoutMs?: number;
}

export interface ToolCall {
  /** The tool's name: the task's `type`. */
  toolName: string;
  /** Its arguments: the task's `inputs`, which reviewers may edit where the framework can carry an edit. */
  input: Record<string, unknown>;
  /** The run or thread: the task's `workflow_id`. */
  workflowId: string;
  /** The framework's id for the call: a repeated ask for the same call waits for the same task. */
  callId?: string;
  /** Whether the framework can run the call with edited arguments; if not, no reviewer is offered an edit. */
  canEdit: boolean;
  /** What people read first; by default the tool and what it is asked to do. */
  description?: string;
  context?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Cancel the task in Airlock when `signal` aborts (else it stays open for a retry). */
  cancelOnAbort?: boolean;
}

export type ToolCallVerdict =
  | { allowed: true; input: Record<string, unknown>; edited: boolean; outcome: ApprovalOutcome }
  | { allowed: false; reason: string; outcome: ApprovalOutcome | null };

const APPROVE_OR_REJECT: Decision[] = ["approve", "reject"];

/** Put one tool call to people and wait for their decision: the verdict, never a throw. */
export async function decideToolCall(
  call: ToolCall,
  options: AdapterOptions,
): Promise<ToolCallVerdict> {
  const { client } = options;
  let taskId: string;
  try {
    const submitted = await client.submit(
      {
        workflow_id: clip(call.workflowId, 200),
        agent_name: clip(options.agentName ?? "agent", 100),
        action: {
          type: clip(call.toolName, 200),
          description: call.description ?? describeToolCall(call.toolName, call.input),
          inputs: call.input,
          ...(call.context ? { context: call.context } : {}),
        },
        ...(call.canEdit ? {} : { allowed_decisions: APPROVE_OR_REJECT }),
      },
      call.callId === undefined
        ? {}
        : { idempotencyKey: idempotencyKeyOf([call.workflowId, call.callId, call.toolName]) },
    );
    taskId = submitted.task_id;
    if (isOpen(submitted)) {
      options.onWaiting?.({
        task_id: submitted.task_id,
        request_id: submitted.approval_request_id,
        action_type: call.toolName,
        url: client.requestUrl(submitted.approval_request_id),
      });
    }
  } catch (error) {
    return denied(`Airlock could not take the request (${messageOf(error)})`);
  }
  try {
    const task = await client.waitForDecision(taskId, {
      signal: call.signal,
      timeoutMs: options.timeoutMs,
    });
    const outcome = outcomeOf(task);
    return outcome.approved
      ? { allowed: true, input: outcome.inputs, edited: outcome.edited, outcome }
      : { allowed: false, reason: `Not approved in Airlock: ${outcome.reason}`, outcome };
  } catch (error) {
    if (call.signal?.aborted) {
      if (call.cancelOnAbort) {
        await client.cancel(taskId, "The agent stopped waiting for a decision").catch(() => {});
        return denied("The agent stopped waiting; the request was cancelled in Airlock");
      }
      return denied("The agent stopped waiting; the request stays open in Airlock");
    }
    return denied(`Airlock could not say what was decided (${messageOf(error)})`);
  }
}

function denied(why: string): ToolCallVerdict {
  return { allowed: false, reason: `Not approved: ${why}`, outcome: null };
}

// The inputs that say best what a call does, in the order they are looked for: a command,
// a query, a file, a URL.
const TELLING_INPUTS = [
  "command",
  "cmd",
  "script",
  "query",
  "sql",
  "file_path",
  "path",
  "url",
] as const;
const DESCRIPTION_MAX = 2000;

/**
 * What people read first about a tool call: the tool and what it is asked to do, the command
 * itself when there is one (`Bash: kubectl delete namespace prod`), else its arguments.
 */
export function describeToolCall(toolName: string, input: Record<string, unknown>): string {
  const telling = TELLING_INPUTS.find((k) => typeof input[k] === "string" && input[k] !== "");
  const what = telling === undefined ? JSON.stringify(input) : (input[telling] as string);
  return clip(what === "{}" ? `Call ${toolName}` : `${toolName}: ${what}`, DESCRIPTION_MAX);
}

/** An Idempotency-Key from anything: always visible ASCII of a fixed length. */
export function idempotencyKeyOf(identity: unknown): string {
  return `call-${createHash("sha256").update(JSON.stringify(identity)).digest("hex")}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
