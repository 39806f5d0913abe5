// Execution at intake speed (SPEC §9): what an agent sees end to end for a task that needs
// nobody — submitted with a callback_url, approved on arrival, run, and called back — rather
// than how fast the API answers the submit. A receiver in this process takes the callbacks
// (the app is started with HITL_CALLBACK_ALLOWED_HOSTS=loopback), and two figures are taken:
// - at one client, one task at a time: submit → its signed callback, per task;
// - at 32 clients for the run's duration: tasks accepted per second (intake) against tasks
//   called back per second (execution), from the first submit to the last callback, with
//   every callback waited for and each task's callbacks counted (once each, or it is said).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { ascending, percentile } from "./load";

export interface Receiver {
  url: string;
  /** When each task's first callback arrived (performance.now()), by task id. */
  arrivals: Map<string, number>;
  /** Callbacks beyond the first, by task id: a task called back twice is a bug. */
  repeats: Map<string, number>;
  /** Resolves at the arrival of `taskId`'s callback (at once if it came already). */
  arrival(taskId: string): Promise<number>;
  close(): Promise<void>;
}

/** A local receiver for the tasks' callbacks: answers 200 at once, records who arrived when. */
export async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, number>();
  const repeats = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const at = performance.now();
        res.writeHead(200).end();
        const taskId = taskIdOf(body);
        if (taskId === null) return;
        if (arrivals.has(taskId)) {
          repeats.set(taskId, (repeats.get(taskId) ?? 0) + 1);
          return;
        }
        arrivals.set(taskId, at);
        waiting.get(taskId)?.(at);
        waiting.delete(taskId);
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    arrivals,
    repeats,
    arrival(taskId) {
      const at = arrivals.get(taskId);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiting.set(taskId, resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function taskIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { task_id?: unknown };
    return typeof parsed.task_id === "string" ? parsed.task_id : null;
  } catch {
    return null;
  }
}

export interface SubmitTarget {
  base: string;
  agentKey: string;
  /** The task to submit, without its callback_url. */
  task: Record<string, unknown>;
}

/** Submit one task with the receiver's callback_url: its id, or why not. */
async function submit(target: SubmitTarget, callbackUrl: string): Promise<string> {
  const response = await fetch(`${target.base}/api/tasks`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.agentKey}`, "content-type": "application/json" },
    body: JSON.stringify({ ...target.task, callback_url: callbackUrl }),
  });
  const text = await response.text();
  if (response.status !== 201 && response.status !== 200) {
    throw new Error(`POST /api/tasks answered ${response.status}: ${text.slice(0, 300)}`);
  }
  const task = JSON.parse(text) as { task_id: string; status: string };
  if (task.status !== "approved") {
    throw new Error(`the task was ${task.status}, not approved on arrival: pick another action`);
  }
  return task.task_id;
}

export interface LatencyFigure {
  rounds: number;
  p50Ms: number;
  p99Ms: number;
}

/** One client, one task at a time: from the submit's start to its callback's arrival. */
export async function measureCallbackLatency(
  target: SubmitTarget,
  receiver: Receiver,
  rounds: number,
  timeoutMs: number,
): Promise<LatencyFigure> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const taskId = await submit(target, receiver.url);
    const arrived = await within(receiver.arrival(taskId), timeoutMs, `task ${taskId}'s callback`);
    ms.push(arrived - started);
  }
  const sorted = ascending(ms);
  return { rounds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

export interface ThroughputFigure {
  clients: number;
  accepted: number;
  /** Accepted submits per second, over the time the clients submitted. */
  intakePerSec: number;
  /** Callbacks per second, from the first submit to the last callback. */
  executedPerSec: number;
  /** execution ÷ intake: 1 when execution keeps up. */
  ratio: number;
  /** How long after the last submit the last callback came, ms. */
  tailMs: number;
  /** Tasks called back more than once (should be none). */
  repeated: number;
}

/**
 * `clients` loops submitting for `seconds`; then every accepted task's callback is waited for
 * (at most `timeoutMs`). Intake is what the API accepted per second while the loops ran;
 * execution is the callbacks per second from the first submit to the last callback.
 */
export async function measureThroughput(
  target: SubmitTarget,
  receiver: Receiver,
  clients: number,
  seconds: number,
  timeoutMs: number,
): Promise<ThroughputFigure> {
  const taskIds: string[] = [];
  const first = performance.now();
  const until = first + seconds * 1000;
  let lastSubmit = first;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        taskIds.push(await submit(target, receiver.url));
        lastSubmit = performance.now();
      }
    }),
  );
  const arrivals = await within(
    Promise.all(taskIds.map((id) => receiver.arrival(id))),
    timeoutMs,
    `the callbacks of ${taskIds.length} tasks`,
  );
  const lastCallback = Math.max(...arrivals);
  const intakePerSec = taskIds.length / ((lastSubmit - first) / 1000);
  const executedPerSec = taskIds.length / ((lastCallback - first) / 1000);
  return {
    clients,
    accepted: taskIds.length,
    intakePerSec,
    executedPerSec,
    ratio: executedPerSec / intakePerSec,
    tailMs: lastCallback - lastSubmit,
    repeated: taskIds.filter((id) => receiver.repeats.has(id)).length,
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not arrive within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
