// The approval step both MCP entry points share: submit a tool call to Airlock as a task, keep
// the client's request alive while people decide, and turn the decision into a verdict. Only
// an approval allows the call; a rejection, an expiry, a cancellation or an Airlock that cannot
// be reached all deny it (fail closed).
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { type AirlockClient, createAirlockClient, isOpen } from "../client";
import { outcomeOf } from "../outcome";
import type { SubmitTaskResponse, TaskDto } from "../types";
import type { McpConfig } from "./config";

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface GateAction {
  type: string;
  description: string;
  inputs: Record<string, unknown>;
  context?: Record<string, unknown>;
}

export type Verdict =
  | { allowed: true; inputs: Record<string, unknown> }
  | { allowed: false; message: string };

/** Progress notifications of one MCP request, numbered in order as the protocol wants. */
export interface Progress {
  report(message: string): void;
}

/** A reporter when the request carries a progress token; without one the client asked for none. */
export function progressOf(extra: RequestExtra): Progress | undefined {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return undefined;
  let progress = 0;
  return {
    report(message) {
      progress += 1;
      // A notification that cannot be sent (the client is gone) changes nothing here.
      extra
        .sendNotification({
          method: "notifications/progress",
          params: { progressToken, progress, message },
        })
        .catch(() => {});
    },
  };
}

/** What a request means for the call: the inputs to run with, or why it may not run. */
export function verdictOf(task: TaskDto): Verdict {
  if (isOpen(task)) {
    return {
      allowed: false,
      message: `Not approved: the request is still ${task.status} in Airlock`,
    };
  }
  const outcome = outcomeOf(task);
  return outcome.approved
    ? { allowed: true, inputs: outcome.inputs }
    : { allowed: false, message: `Not approved in Airlock: ${outcome.reason}` };
}

export type Gate = (
  action: GateAction,
  extra: RequestExtra,
  options?: { idempotencyKey?: string; progress?: Progress },
) => Promise<Verdict>;

export function createGate(config: McpConfig, log: (line: string) => void): Gate {
  const airlock = createAirlockClient({ baseUrl: config.url, apiKey: config.apiKey });
  return async (action, extra, options = {}) => {
    let submitted: SubmitTaskResponse;
    try {
      submitted = await airlock.submit(
        { workflow_id: config.workflowId, agent_name: config.agentName, action },
        { idempotencyKey: options.idempotencyKey },
      );
    } catch (error) {
      return denied(log, action, "take the request", error);
    }
    if (isOpen(submitted)) {
      log(
        `${action.type} waits for a decision: ${airlock.requestUrl(submitted.approval_request_id)}`,
      );
    }
    const stop =
      options.progress && isOpen(submitted)
        ? keepAlive(airlock, submitted, options.progress, config.progressMs)
        : () => {};
    try {
      // No deadline of our own: every request expires in Airlock, which ends the wait. Only
      // the client going away (the signal) stops it sooner; the request then stays open, so
      // a retry with the same Idempotency-Key waits for the same decision.
      const task = await airlock.waitForDecision(submitted.task_id, { signal: extra.signal });
      const verdict = verdictOf(task);
      log(`${action.type}: ${verdict.allowed ? "approved" : verdict.message}`);
      return verdict;
    } catch (error) {
      if (extra.signal.aborted) {
        log(`${action.type}: the client stopped waiting; the request stays open in Airlock`);
        throw error;
      }
      return denied(log, action, "say what was decided", error);
    } finally {
      stop();
    }
  };
}

function denied(
  log: (line: string) => void,
  action: GateAction,
  doing: string,
  error: unknown,
): Verdict {
  const message = `Not approved: Airlock could not ${doing} (${(error as Error).message})`;
  log(`${action.type}: ${message}`);
  return { allowed: false, message };
}

/**
 * Tell the client, now and then every `everyMs`, that the request still waits and where people
 * decide it: each notification restarts the time-out of a client that asked to reset it on
 * progress, so a decision may take longer than the client's own request time-out.
 */
function keepAlive(
  airlock: AirlockClient,
  submitted: SubmitTaskResponse,
  progress: Progress,
  everyMs: number,
): () => void {
  const url = airlock.requestUrl(submitted.approval_request_id);
  const say = (status: string) =>
    progress.report(`Waiting for a decision in Airlock: the request is ${status}, ${url}`);
  let status: string = submitted.status;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    // The status may have moved on (escalated, quarantined); a failed look keeps the last one.
    status = await airlock.getTask(submitted.task_id).then(
      (task) => task.status,
      () => status,
    );
    if (stopped) return;
    say(status);
    timer = setTimeout(tick, everyMs);
  };
  say(status);
  timer = setTimeout(tick, everyMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
