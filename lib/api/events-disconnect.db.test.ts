// A client can leave an SSE stream any way it likes — cancel the body, abort the request,
// before or after the first event, both in either order — and the server neither throws
// (an exception in an abort listener or a timer takes the process down) nor keeps the
// stream's subscription to the task alive.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

type Step = "read" | "cancel" | "abort" | "tick" | "drain";

/** Ways to leave: `aborted` means the request's signal fired before the handler ran. */
const WAYS: { name: string; aborted?: boolean; steps: Step[] }[] = [
  { name: "cancel at once", steps: ["cancel"] },
  { name: "cancel after a tick", steps: ["tick", "cancel"] },
  { name: "cancel after the first event", steps: ["read", "cancel"] },
  { name: "abort at once", steps: ["abort", "drain"] },
  { name: "abort after a tick", steps: ["tick", "abort", "drain"] },
  { name: "abort after the first event", steps: ["read", "abort", "drain"] },
  { name: "cancel then abort", steps: ["cancel", "abort"] },
  { name: "abort then cancel", steps: ["abort", "cancel"] },
  { name: "first event, cancel, abort", steps: ["read", "cancel", "abort"] },
  { name: "first event, abort, cancel", steps: ["read", "abort", "cancel"] },
  { name: "tick, cancel, tick, abort", steps: ["tick", "cancel", "tick", "abort"] },
  { name: "aborted before the request", aborted: true, steps: ["drain"] },
  { name: "aborted before the request, then cancel", aborted: true, steps: ["cancel"] },
];
const STREAMS = 208;

/** Listeners the change hub (lib/services/requests/changes.ts) holds for a task: 0 once all left. */
function hubListeners(taskId: string): number {
  const hub = (globalThis as Record<symbol, unknown>)[Symbol.for("airlock.changes")] as
    | { byTask: Map<string, Set<unknown>> }
    | undefined;
  return hub?.byTask.get(taskId)?.size ?? 0;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Reads until one `event: status` arrives; its status. */
async function readStatus(reader: ReadableStreamDefaultReader<Uint8Array>, buffer = { text: "" }) {
  const decoder = new TextDecoder();
  for (;;) {
    const end = buffer.text.indexOf("\n\n");
    if (end >= 0) {
      const message = buffer.text.slice(0, end);
      buffer.text = buffer.text.slice(end + 2);
      const data = message.split("\n").find((l) => l.startsWith("data: "));
      if (message.startsWith("event: status") && data) {
        return (JSON.parse(data.slice(6)) as { status: string }).status;
      }
      continue;
    }
    const { done, value } = await reader.read();
    if (done) return null;
    buffer.text += decoder.decode(value, { stream: true });
  }
}

/** Whether the stream ends (the server closed it) within `ms`. */
function ends(reader: ReadableStreamDefaultReader<Uint8Array>, ms: number): Promise<boolean> {
  const drained = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })();
  return Promise.race([drained, new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

describe("leaving a task's event stream", () => {
  let api: ApiHarness;
  const crashes: unknown[] = [];
  const record = (e: unknown) => crashes.push(e);

  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });
  beforeEach(() => {
    crashes.length = 0;
    process.on("uncaughtException", record);
    process.on("unhandledRejection", record);
  });
  afterEach(() => {
    process.off("uncaughtException", record);
    process.off("unhandledRejection", record);
  });

  const submit = async () => {
    const r = await api.call("POST", "/api/tasks", {
      key: api.f.alpha.key,
      body: taskBody(ACTIONS.high),
    });
    expect(r.status, r.text).toBe(201);
    return r.json as { task_id: string; approval_request_id: string };
  };

  async function leave(taskId: string, way: (typeof WAYS)[number]): Promise<string | null> {
    const abort = new AbortController();
    if (way.aborted) abort.abort();
    const response = await api.fetch("GET", `/api/tasks/${taskId}/events`, {
      key: api.f.alpha.key,
      signal: abort.signal,
    });
    if (response.status !== 200) return `${way.name}: status ${response.status}`;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (const step of way.steps) {
      if (step === "read") {
        const status = await readStatus(reader);
        if (status !== "pending") return `${way.name}: first event ${status}`;
      } else if (step === "cancel") await reader.cancel();
      else if (step === "abort") abort.abort();
      else if (step === "tick") await tick();
      else if (!(await ends(reader, 1000))) return `${way.name}: the stream outlived its request`;
    }
    return null;
  }

  it(`${STREAMS} streams, left in ${WAYS.length} ways: no crash, no listener left behind`, async () => {
    const tasks = await Promise.all([submit(), submit(), submit(), submit()]);
    const problems: string[] = [];
    // Eight at a time, so subscribing, first reads and leaving interleave.
    for (let i = 0; i < STREAMS; i += 8) {
      const batch = Array.from({ length: 8 }, (_, j) => i + j);
      const results = await Promise.all(
        batch.map((n) =>
          leave(
            (tasks[n % tasks.length] as (typeof tasks)[number]).task_id,
            WAYS[n % WAYS.length] as (typeof WAYS)[number],
          ),
        ),
      );
      for (const r of results) if (r) problems.push(r);
    }
    // Let any subscription still being set up finish, and any listener or timer fire.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect({
      problems,
      crashes: crashes.map(String),
      listeners: tasks.map((t) => hubListeners(t.task_id)),
    }).toEqual({ problems: [], crashes: [], listeners: [0, 0, 0, 0] });
  }, 120_000);

  it("a stream opened afterwards still delivers pending, then approved", async () => {
    const task = await submit();
    const response = await api.fetch("GET", `/api/tasks/${task.task_id}/events`, {
      key: api.f.alpha.key,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const buffer = { text: "" };
    expect(await readStatus(reader, buffer)).toBe("pending");
    expect(hubListeners(task.task_id)).toBe(1);
    const approved = await api.call(
      "POST",
      `/api/hitl/actions/${task.approval_request_id}/approve`,
      { key: await api.reviewerKey("lead"), body: { justification: "Checked" } },
    );
    expect(approved.status, approved.text).toBe(200);
    expect(await readStatus(reader, buffer)).toBe("approved");
    expect(await readStatus(reader, buffer)).toBeNull();
    expect(hubListeners(task.task_id)).toBe(0);
    expect(crashes.map(String)).toEqual([]);
  });
});
