// The dashboard's reads (GET /api/dashboard/{read}, app/(dashboard)/reads.ts): each answers a
// signed-in person exactly what its service answers, nobody without a session, and bad input
// with the field and what is wrong, like every route.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { READS } from "@/app/(dashboard)/reads";
import { getQueue, getRequestDetail } from "@/lib/services/requests/queue";
import { type ApiHarness, createApiHarness, readPath } from "@/test-support/api";
import { browser } from "@/test-support/browser";
import { ACTIONS, taskBody } from "@/test-support/services";

// The browser's session as next-auth decodes it from the cookie.
vi.mock("next-auth", async (original) =>
  (await import("@/test-support/browser")).nextAuth(original),
);

describe("the dashboard's reads", () => {
  let api: ApiHarness;
  let requestId: string;
  /** Every read with an input it accepts. */
  let inputs: Record<keyof typeof READS, unknown>;
  const read = (name: string, input?: unknown, headers?: Record<string, string>) =>
    api.call("GET", readPath(name, input), { headers });
  const readRaw = (name: string, q: string) =>
    api.call("GET", `/api/dashboard/${name}?q=${encodeURIComponent(q)}`);

  beforeAll(async () => {
    api = await createApiHarness();
    const submitted = await api.call("POST", "/api/tasks", {
      key: api.f.alpha.key,
      body: taskBody(ACTIONS.high, { workflow_id: "wf-reads" }),
    });
    requestId = submitted.json.approval_request_id;
    inputs = {
      queue: {},
      recent: {},
      request: { id: requestId },
      workflow: { workflow_id: "wf-reads" },
      "workflow-page": { workflow_id: "wf-reads", list: "requests", cursor: "" },
      assessment: { action: taskBody(ACTIONS.high).action },
      "audit-report": {},
      "audit-events": { limit: 5 },
      keys: {},
      grants: {},
      "grant-offer": { id: requestId },
    };
  });
  afterAll(async () => {
    browser.session = null;
    await api?.f.t.destroy();
  });

  it("refuses every read without a session, and a session through Next's internal header", async () => {
    browser.session = null;
    for (const [name, input] of Object.entries(inputs)) {
      const r = await read(name, input);
      expect(r.status, name).toBe(401);
      expect(r.json.error).toEqual({ code: "unauthorized", message: "Sign in first" });
    }
    browser.session = { user: { id: api.f.users.ops.id } };
    const internal = await read("queue", {}, { "x-middleware-subrequest": "middleware" });
    expect(internal.status).toBe(403);
  });

  it("answers a signed-in person what the service answers them", async () => {
    const lead = api.f.users.lead;
    browser.session = { user: { id: lead.id } };
    const principal = api.f.as.lead;
    const queue = await read("queue", {});
    expect(queue.status).toBe(200);
    expect(queue.headers.get("cache-control")).toContain("no-store");
    expect(queue.json).toEqual(
      JSON.parse(JSON.stringify(await getQueue(api.f.t.db, principal, {}))),
    );
    const detail = await read("request", { id: requestId });
    expect(detail.json).toEqual(
      JSON.parse(JSON.stringify(await getRequestDetail(api.f.t.db, principal, requestId))),
    );
    const workflow = await read("workflow", { workflow_id: "wf-reads" });
    expect(workflow.status).toBe(200);
    for (const [name, input] of Object.entries(inputs)) {
      // A page of a workflow is read from a cursor an earlier answer gave
      // (lib/services/requests/workflow-pages.db.test.ts reads them through this route).
      if (name === "workflow-page") continue;
      const r = await read(name, input);
      // A tech lead may read everything but the keys (devops engineers manage keys).
      expect(r.status, `${name}: ${r.text.slice(0, 200)}`).toBe(name === "keys" ? 403 : 200);
    }
  });

  it("says which field of the input is wrong, and what", async () => {
    browser.session = { user: { id: api.f.users.viewer.id } };
    const badId = await read("request", { id: "nope" });
    expect(badId.status).toBe(400);
    expect(badId.json.error.details).toEqual([{ path: "id", message: "expected a request id" }]);
    const extra = await read("queue", { sneaky: 1 });
    expect(extra.status).toBe(400);
    expect(extra.json.error.details).toEqual([
      { path: "(root)", message: expect.stringContaining('"sneaky"') },
    ]);
    const notJson = await readRaw("queue", "{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatchObject({
      code: "invalid_json",
      details: [{ path: "query.q", message: "The query's q is not valid JSON" }],
    });
    const proto = await readRaw("queue", '{"__proto__":{"x":1}}');
    expect(proto.status).toBe(400);
    expect(proto.json.error.details).toEqual([
      { path: "__proto__", message: '"__proto__" is not allowed as a key' },
    ]);
    const deep = await readRaw("queue", `${"[".repeat(65)}${"]".repeat(65)}`);
    expect(deep.json.error.details[0]).toMatchObject({ path: "query.q" });
    const long = await api.call("GET", `/api/dashboard/queue?q=${"x".repeat(16_001)}`);
    expect(long.status).toBe(400);
    expect(long.json.error.details[0]).toMatchObject({ path: "query.q" });
  });

  it("answers 404 naming the reads for a read that does not exist, and 405 to anything but GET", async () => {
    browser.session = { user: { id: api.f.users.viewer.id } };
    const unknown = await read("everything", {});
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toContain("queue, recent, request");
    const posted = await api.call("POST", "/api/dashboard/queue", { body: {} });
    expect(posted.status).toBe(405);
  });
});
