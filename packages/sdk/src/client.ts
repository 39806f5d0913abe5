// The agent's side of the API (SPEC §5, §6.1), typed by the shapes of ./types (kept in step
// with the server's contract by a type test in the app). Every failure is one AirlockError,
// with the API's code and HTTP status (0 for what never got an answer: the network, a
// time-out).
import type {
  CheckpointDto,
  ResumeResponse,
  SaveCheckpointBody,
  SubmitTaskBody,
  SubmitTaskResponse,
  TaskDto,
} from "./types";

export class AirlockError extends Error {
  override name = "AirlockError";
  constructor(
    /** The API's error code (`not_found`, `conflict`, …), or `network` / `timeout`. */
    readonly code: string,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface AirlockClientOptions {
  /** Where Airlock serves, e.g. http://localhost:3000. */
  baseUrl: string;
  /** An agent key (`alk_…`). */
  apiKey: string;
  fetch?: typeof fetch;
}

export interface WaitOptions {
  /** Give up after this long (an AirlockError with code `timeout`); default: wait as long as it takes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const OPEN = new Set(["pending", "escalated", "quarantined"]);
/** Whether a task's request is still waiting for people. */
export const isOpen = (task: Pick<TaskDto, "status">) => OPEN.has(task.status);

// The server holds a long poll for at most 60 s.
const MAX_WAIT_SECONDS = 60;
const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;

export interface AirlockClient {
  submit(task: SubmitTaskBody, options?: { idempotencyKey?: string }): Promise<SubmitTaskResponse>;
  getTask(taskId: string): Promise<TaskDto>;
  /** The task once its request has closed (approved, rejected, expired or cancelled). */
  waitForDecision(taskId: string, options?: WaitOptions): Promise<TaskDto>;
  resume(taskId: string): Promise<ResumeResponse>;
  cancel(taskId: string, reason?: string): Promise<TaskDto>;
  saveCheckpoint(requestId: string, checkpoint: SaveCheckpointBody): Promise<CheckpointDto>;
  latestCheckpoint(requestId: string, name: string): Promise<CheckpointDto>;
  /** Mark a checkpoint resumed: once only (again → AirlockError `conflict`), so one process claims it. */
  resumeCheckpoint(requestId: string, checkpointId: string): Promise<CheckpointDto>;
  /** The browser page of a request, for people to follow. */
  requestUrl(requestId: string): string;
}

export function createAirlockClient(options: AirlockClientOptions): AirlockClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;

  async function call<T>(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${options.apiKey}`,
          ...(init.body === undefined ? {} : { "Content-Type": "application/json" }),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
      });
    } catch (error) {
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      throw new AirlockError("network", 0, `${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } })?.error;
      const error = new AirlockError(
        e?.code ?? "http",
        response.status,
        e?.message ?? `${method} ${path} answered ${response.status}`,
        e?.details,
      );
      const retryAfter = Number(response.headers.get("retry-after"));
      if (Number.isFinite(retryAfter) && retryAfter > 0) retryAfters.set(error, retryAfter * 1000);
      throw error;
    }
    return json as T;
  }

  const task = (id: string) => `/api/tasks/${encodeURIComponent(id)}`;
  const action = (id: string) => `/api/hitl/actions/${encodeURIComponent(id)}`;

  return {
    submit: (body, opts = {}) =>
      call("POST", "/api/tasks", {
        body,
        headers: opts.idempotencyKey ? { "Idempotency-Key": opts.idempotencyKey } : {},
      }),
    getTask: (id) => call("GET", task(id)),
    async waitForDecision(id, opts = {}) {
      const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
      let failures = 0;
      for (;;) {
        opts.signal?.throwIfAborted();
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new AirlockError("timeout", 0, `task ${id} was still undecided after the wait`);
        }
        const seconds = Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.ceil(left / 1000)));
        const asked = Date.now();
        try {
          const current = await call<TaskDto>("GET", `${task(id)}?wait=${seconds}`, {
            signal: opts.signal,
          });
          failures = 0;
          if (!isOpen(current)) return current;
          // It answered early (the request changed, e.g. escalated): ask again, but never
          // faster than once a second.
          const waited = Date.now() - asked;
          if (waited < 1000) await sleep(1000 - waited, opts.signal);
        } catch (error) {
          if (!(error instanceof AirlockError) || !retryable(error)) throw error;
          failures++;
          const backoff = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (failures - 1));
          const jittered = backoff / 2 + Math.random() * (backoff / 2);
          await sleep(Math.max(jittered, retryAfters.get(error) ?? 0), opts.signal);
        }
      }
    },
    resume: (id) => call("POST", `${task(id)}/resume`),
    cancel: (id, reason) =>
      call("POST", `${task(id)}/cancel`, { body: reason === undefined ? {} : { reason } }),
    saveCheckpoint: (id, checkpoint) =>
      call("POST", `${action(id)}/checkpoints`, { body: checkpoint }),
    latestCheckpoint: (id, name) =>
      call("GET", `${action(id)}/checkpoints/${encodeURIComponent(name)}`),
    resumeCheckpoint: (id, checkpointId) =>
      call("POST", `${action(id)}/checkpoints/${encodeURIComponent(checkpointId)}/resume`),
    requestUrl: (id) => `${base}/requests/${encodeURIComponent(id)}`,
  };
}

// What a 503's Retry-After asked for, per error, for the backoff.
const retryAfters = new WeakMap<AirlockError, number>();

/** Worth asking again: no answer, or the server is briefly unable (503, 502, 504, 429). */
function retryable(error: AirlockError): boolean {
  return error.status === 0 || [429, 502, 503, 504].includes(error.status);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
