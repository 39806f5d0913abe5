import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { REQUESTS_CHANNEL } from "@/db/queries/requests";
import { waitForStatusChange } from "@/lib/services/requests/changes";
import { decideRequest } from "@/lib/services/requests/lifecycle";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

/** Reads `event: status` messages off an SSE response until the stream ends. */
async function* statusEvents(response: Response): AsyncGenerator<{ status: string }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.split("\n").find((l) => l.startsWith("data: "));
      if (message.startsWith("event: status") && data) yield JSON.parse(data.slice(6));
      end = buffer.indexOf("\n\n");
    }
  }
}

describe("live task updates", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  const submit = async () =>
    (await api.call("POST", "/api/tasks", { key: api.f.alpha.key, body: taskBody(ACTIONS.high) }))
      .json as {
      task_id: string;
      approval_request_id: string;
    };

  it("streams the status over server-sent events and ends once the request closes", async () => {
    const task = await submit();
    const response = await api.fetch("GET", `/api/tasks/${task.task_id}/events`, {
      key: api.f.alpha.key,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of statusEvents(response)) seen.push(e.status);
    })();
    await new Promise((r) => setTimeout(r, 200));
    await decideRequest(api.f.t.db, api.f.as.lead, task.approval_request_id, { type: "approve" });
    await reading;
    expect(seen).toEqual(["pending", "approved"]);
  });

  it("answers ?wait= at once for a closed request and after the timeout for an unchanged one", async () => {
    const task = await submit();
    const started = Date.now();
    const unchanged = await api.call("GET", `/api/tasks/${task.task_id}?wait=1`, {
      key: api.f.alpha.key,
    });
    expect(unchanged.json.status).toBe("pending");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await decideRequest(api.f.t.db, api.f.as.lead, task.approval_request_id, {
      type: "reject",
      reason: "no",
    });
    const closedAt = Date.now();
    const closed = await api.call("GET", `/api/tasks/${task.task_id}?wait=30`, {
      key: api.f.alpha.key,
    });
    expect(closed.json).toMatchObject({ status: "rejected", decision: { reason: "no" } });
    expect(Date.now() - closedAt).toBeLessThan(1000);
  });

  it("?wait= takes a notification that the request closed at its word, and re-reads any other", async () => {
    const task = await submit();
    const notify = (status: string) =>
      execRows(
        api.f.t.db,
        sql`SELECT pg_notify(${REQUESTS_CHANNEL}, ${JSON.stringify({
          request_id: task.approval_request_id,
          task_id: task.task_id,
          status,
        })})`,
      );
    // An open status may be a late notification of an older change: the database still says
    // pending, so the wait goes on to its end.
    let started = Date.now();
    const reread = waitForStatusChange(task.task_id, "pending", 1000);
    await new Promise((r) => setTimeout(r, 200));
    await notify("escalated");
    expect(await reread).toBe("pending");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    // A closed request stays closed: its notification ends the wait (the route then reads the
    // task itself). Here only the notification says so, which shows it was not re-read.
    started = Date.now();
    const closed = waitForStatusChange(task.task_id, "pending", 5000);
    await new Promise((r) => setTimeout(r, 200));
    await notify("approved");
    expect(await closed).toBe("approved");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses the stream for another agent's task before it starts", async () => {
    const task = await submit();
    expect(
      (await api.call("GET", `/api/tasks/${task.task_id}/events`, { key: api.f.beta.key })).status,
    ).toBe(404);
  });
});
