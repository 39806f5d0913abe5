// Every server action, called over HTTP the way a browser would and the ways an attacker
// would: no session, the wrong role, a forged Origin, no Origin, Next's internal
// x-middleware-subrequest header. All are refused and change nothing; the same call from the
// app's own origin by someone allowed goes through, so the harness can tell the difference.
import {
  type APIRequestContext,
  expect,
  request as playwrightRequest,
  test,
} from "@playwright/test";
import { ACTIONS, type Person, stateOf, statusOf, submit } from "../fixtures";
import { BASE_URL, callServerAction } from "../server-actions";

interface Call {
  as: Person | null;
  origin?: string | null;
  headers?: Record<string, string>;
}

const contexts = new Map<string, APIRequestContext>();
async function contextFor(as: Person | null): Promise<APIRequestContext> {
  const key = as ?? "anonymous";
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = await playwrightRequest.newContext({
      baseURL: BASE_URL,
      ...(as ? { storageState: stateOf(as) } : {}),
    });
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Call a server action of actions.ts as a browser would; its result, or why it was refused. */
async function callAction(name: string, input: unknown, call: Call) {
  return callServerAction(
    await contextFor(call.as),
    { module: "actions", name, input },
    { origin: call.origin, headers: call.headers },
  );
}

test.afterAll(async () => {
  for (const ctx of contexts.values()) await ctx.dispose();
});

test("every decision action refuses no session, the wrong role, a forged or missing Origin and the middleware header", async ({
  request,
}) => {
  const workflowId = `wf-action-security-${Date.now()}`;
  const task = await submit(request, ACTIONS.high, { workflow_id: workflowId });
  const id = task.approval_request_id;
  const inputs: Record<string, unknown> = {
    approveRequest: { id, justification: "ok" },
    rejectRequest: { id, reason: "no" },
    escalateRequest: { id },
    quarantineRequest: { id, reason: "hold" },
    claimRequest: { id },
    decideBatch: { ids: [id], decision: "approve" },
  };
  const refusals: [string, Call][] = [
    ["no session", { as: null }],
    ["a viewer", { as: "viewer" }],
    ["a forged Origin", { as: "ops", origin: "http://evil.example" }],
    ["no Origin", { as: "ops", origin: null }],
    [
      "x-middleware-subrequest",
      { as: "ops", headers: { "x-middleware-subrequest": "middleware" } },
    ],
  ];
  for (const [name, input] of Object.entries(inputs)) {
    for (const [why, call] of refusals) {
      const result = await callAction(name, input, call);
      const what = `${name} with ${why}: ${result.status} ${result.text.slice(0, 300)}`;
      if (name === "decideBatch" && result.ok) {
        // A batch answers per row: each row must be refused, none decided.
        expect(result.text, what).toContain('"ok":false,"error"');
        expect(result.text, what).not.toContain('"ok":true,"status"');
      } else {
        expect(result.ok, what).toBe(false);
      }
    }
  }
  // What a page may still change outside the decisions: refused to the same callers.
  const others: Record<string, unknown> = {
    unclaimRequest: { id },
    revokeKey: { id: "00000000-0000-4000-8000-000000000000" },
  };
  for (const [name, input] of Object.entries(others)) {
    for (const [why, call] of refusals.filter(([, c]) => c.as !== "viewer")) {
      const result = await callAction(name, input, call);
      expect(result.ok, `${name} with ${why}: ${result.status} ${result.text.slice(0, 300)}`).toBe(
        false,
      );
    }
  }
  // Reads (GET /api/dashboard/{read}) are open to every signed-in role, and to nobody else.
  const reads: Record<string, unknown> = {
    queue: {},
    request: { id },
    workflow: { workflow_id: workflowId },
    "audit-events": {},
  };
  for (const [name, input] of Object.entries(reads)) {
    const path = `/api/dashboard/${name}?q=${encodeURIComponent(JSON.stringify(input))}`;
    const anonymous = await (await contextFor(null)).get(path);
    expect(anonymous.status(), `${name} with no session`).toBe(401);
    const internal = await (await contextFor("ops")).get(path, {
      headers: { "x-middleware-subrequest": "middleware" },
    });
    expect(internal.status(), `${name} with x-middleware-subrequest`).toBe(403);
    const viewer = await (await contextFor("viewer")).get(path);
    expect(viewer.status(), `${name} as a viewer: ${await viewer.text()}`).toBe(200);
  }
  // A developer may not approve a high-risk request; the request is still pending after all.
  const dev = await callAction("approveRequest", { id, justification: "x" }, { as: "dev" });
  expect(dev.ok).toBe(false);
  expect(dev.text).toContain('"code":"forbidden"');
  expect(await statusOf(request, task.task_id)).toBe("pending");

  // The same call, properly made by a tech lead, goes through.
  const lead = await callAction("approveRequest", { id, justification: "checked" }, { as: "lead" });
  expect(lead.ok, lead.text.slice(0, 300)).toBe(true);
  expect(await statusOf(request, task.task_id)).toBe("approved");
});

test("release and the key actions are refused outside the matrix too", async ({ request }) => {
  const task = await submit(request, ACTIONS.high);
  const id = task.approval_request_id;
  expect((await callAction("quarantineRequest", { id, reason: "odd" }, { as: "lead" })).ok).toBe(
    true,
  );
  for (const [why, call] of [
    ["a tech lead (may not release)", { as: "lead" }],
    ["no session", { as: null }],
    ["no Origin", { as: "ops", origin: null }],
  ] as [string, Call][]) {
    expect((await callAction("releaseRequest", { id }, call)).ok, why).toBe(false);
    expect((await callAction("createKey", { agent: "sneaky-bot" }, call)).ok, why).toBe(false);
  }
  expect(await statusOf(request, task.task_id)).toBe("quarantined");
  expect((await callAction("releaseRequest", { id }, { as: "ops" })).ok).toBe(true);
  expect(await statusOf(request, task.task_id)).toBe("pending");
});
