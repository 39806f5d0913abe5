// Two of SPEC §9's figures that are not throughput: how long a decision takes to reach an agent
// waiting on another instance (its task's event stream, or `?wait=`), and the server's
// resident memory. Used by tools/bench/http.ts.
import { readdirSync, readFileSync } from "node:fs";
import postgres from "postgres";

export interface WakeFigures {
  rounds: number;
  /** From the decision's answer on instance A to the agent's `approved` on instance B, ms. */
  sse: number[];
  wait: number[];
}

const HIGH_TASK = {
  workflow_id: "wf-bench-wake",
  agent_name: "bench-wake",
  action: {
    type: "deploy",
    operation: "deploy",
    environment: "production",
    description: "Deploy (bench: wake-up across instances)",
  },
};

export async function call(
  base: string,
  method: string,
  route: string,
  key: string,
  body?: unknown,
) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status}`);
  return json;
}

/** The `status` events of a task's stream, as they arrive. */
async function openEvents(base: string, key: string, taskId: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/tasks/${taskId}/events`, {
    headers: { Authorization: `Bearer ${key}` },
    signal: controller.signal,
  });
  if (!response.body) throw new Error("the event stream has no body");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next(): Promise<string> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split("\n").find((l) => l.startsWith("data:"));
          if (frame.includes("event: status") && data) {
            return (JSON.parse(data.slice(5)) as { status: string }).status;
          }
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("the event stream ended");
        buffer += value;
      }
    },
    close: () => controller.abort(),
  };
}

/**
 * `rounds` high-risk tasks per way of waiting, submitted and approved on `a` while their agent
 * waits on `b`. The stream's first event tells that `b` listens; a `?wait=` poll is given
 * 50 ms to arrive before the decision.
 */
export async function measureWake(
  a: string,
  b: string,
  agentKey: string,
  reviewerKey: string,
  rounds: number,
): Promise<WakeFigures> {
  const sse: number[] = [];
  const wait: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const task = await call(a, "POST", "/api/tasks", agentKey, HIGH_TASK);
    const events = await openEvents(b, agentKey, task.task_id as string);
    try {
      if ((await events.next()) !== "pending") throw new Error("the task did not start pending");
      await call(
        a,
        "POST",
        `/api/hitl/actions/${task.approval_request_id}/approve`,
        reviewerKey,
        {},
      );
      const decided = performance.now();
      if ((await events.next()) !== "approved") throw new Error("the stream did not say approved");
      sse.push(performance.now() - decided);
    } finally {
      events.close();
    }

    const other = await call(a, "POST", "/api/tasks", agentKey, HIGH_TASK);
    const waited = call(b, "GET", `/api/tasks/${other.task_id}?wait=30`, agentKey);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await call(
      a,
      "POST",
      `/api/hitl/actions/${other.approval_request_id}/approve`,
      reviewerKey,
      {},
    );
    const decided = performance.now();
    if ((await waited).status !== "approved") throw new Error("the wait did not end approved");
    wait.push(performance.now() - decided);
  }
  return { rounds, sse, wait };
}

export interface Drain {
  /** Graph drives (starts and resumes) the loads left queued. */
  drives: number;
  ms: number;
}

/**
 * Wait until the outbox holds no graph drive: the loads queue a drive for every task they
 * submit, faster than the instances drive them, and a wake-up measured while thousands wait
 * would time that backlog's CPU, not the path from a decision to an agent.
 */
export async function drainWorkflows(databaseUrl: string, timeoutMs: number): Promise<Drain> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const pending = async () => {
    const [row] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM outbox WHERE kind = 'workflow' AND status = 'pending'`;
    return row?.n ?? 0;
  };
  try {
    const started = performance.now();
    const drives = await pending();
    for (let left = drives; left > 0; left = await pending()) {
      if (performance.now() - started > timeoutMs) {
        throw new Error(
          `${left} of ${drives} graph drives still queued after ${timeoutMs / 1000} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return { drives, ms: performance.now() - started };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Resident memory of every process in a process group (the server and its workers), MiB. */
export function groupRssMiB(pgid: number): number {
  let kib = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command (which may hold spaces), from its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, "utf8"));
      kib += Number(rss?.[1] ?? 0);
    } catch {
      // Gone meanwhile.
    }
  }
  return kib / 1024;
}
