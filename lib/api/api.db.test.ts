import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, createApiHarness, DOCUMENTED_ROUTES } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

describe("the agent API, end to end", () => {
  let api: ApiHarness;
  let agent: string;
  let lead: string;
  beforeAll(async () => {
    api = await createApiHarness();
    agent = api.f.alpha.key;
    lead = await api.reviewerKey("lead");
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  it("submits, waits, is approved by a reviewer key, and resumes once", async () => {
    const submitted = await api.call("POST", "/api/tasks", {
      key: agent,
      body: taskBody(ACTIONS.high),
    });
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({
      status: "pending",
      auto_approved: false,
      risk: { level: "high" },
    });
    const { task_id, approval_request_id } = submitted.json;

    const early = await api.call("POST", `/api/tasks/${task_id}/resume`, { key: agent });
    expect(early.status).toBe(409);

    const waiting = api.call("GET", `/api/tasks/${task_id}?wait=10`, { key: agent });
    await new Promise((r) => setTimeout(r, 200));
    const decided = await api.call("POST", `/api/hitl/actions/${approval_request_id}/approve`, {
      key: lead,
      body: { justification: "Looks good" },
    });
    expect(decided.status).toBe(200);
    expect(decided.json).toMatchObject({
      id: approval_request_id,
      status: "approved",
      approvals: { have: 1, need: 1 },
    });
    const waited = await waiting;
    expect(waited.status).toBe(200);
    // The answer names the reviewer (the ids kept beside), and says the key's API decided.
    const leadPerson = { id: api.f.users.lead.id, email: api.f.users.lead.email, name: null };
    const viaApi = { channel: "api", os_user: null };
    expect(waited.json).toMatchObject({
      status: "approved",
      approvals: [{ approver_id: leadPerson.id, approver: leadPerson, via: viaApi }],
      decision: {
        status: "approved",
        justification: "Looks good",
        reviewer_id: leadPerson.id,
        reviewer: leadPerson,
        via: viaApi,
      },
    });

    const resumed = await api.call("POST", `/api/tasks/${task_id}/resume`, { key: agent });
    expect(resumed.status).toBe(200);
    expect(resumed.json).toMatchObject({
      resumed: true,
      action: { type: "deploy" },
      execution: "completed",
      result: { executed: true, status: "approved", action: { type: "deploy" } },
    });
    const again = await api.call("POST", `/api/tasks/${task_id}/resume`, { key: agent });
    expect(again.json).toEqual(resumed.json);
    const task = await api.call("GET", `/api/tasks/${task_id}`, { key: agent });
    expect(task.json).toMatchObject({
      execution: "completed",
      started_at: expect.any(String),
      resumed_at: expect.any(String),
      completed_at: expect.any(String),
      result: resumed.json.result,
    });
  });

  it("answers the resume contract from the request's state", async () => {
    const reject = (
      await api.call("POST", "/api/tasks", { key: agent, body: taskBody(ACTIONS.medium) })
    ).json;
    await api.call("POST", `/api/hitl/actions/${reject.approval_request_id}/reject`, {
      key: lead,
      body: { reason: "Not in the freeze" },
    });
    const refused = await api.call("POST", `/api/tasks/${reject.task_id}/resume`, { key: agent });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain("Not in the freeze");

    const cancel = (
      await api.call("POST", "/api/tasks", { key: agent, body: taskBody(ACTIONS.medium) })
    ).json;
    const cancelled = await api.call("POST", `/api/tasks/${cancel.task_id}/cancel`, { key: agent });
    expect(cancelled.json.status).toBe("cancelled");
    // Closed by its agent: no person decided it.
    expect(
      (await api.call("GET", `/api/tasks/${cancel.task_id}`, { key: agent })).json,
    ).toMatchObject({
      decision: { status: "cancelled", reviewer_id: null, reviewer: null, via: null },
    });
    expect(
      (await api.call("POST", `/api/tasks/${cancel.task_id}/resume`, { key: agent })).status,
    ).toBe(410);
    expect(
      (
        await api.call("POST", "/api/tasks/00000000-0000-4000-8000-000000000000/resume", {
          key: agent,
        })
      ).status,
    ).toBe(404);
  });

  it("honours allowed_decisions: an edit the agent does not accept is a 422 that changes nothing", async () => {
    const bad = await api.call("POST", "/api/tasks", {
      key: agent,
      body: taskBody(ACTIONS.high, { allowed_decisions: ["reject", "reject"] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details).toEqual([
      { path: "allowed_decisions", message: "names a decision twice" },
      { path: "allowed_decisions", message: "must allow approve or edit" },
    ]);
    const submitted = (
      await api.call("POST", "/api/tasks", {
        key: agent,
        body: taskBody(ACTIONS.high, { allowed_decisions: ["approve", "reject"] }),
      })
    ).json;
    const path = `/api/hitl/actions/${submitted.approval_request_id}/approve`;
    const edited = await api.call("POST", path, {
      key: lead,
      body: { edited_inputs: { version: "2" } },
    });
    expect(edited.status).toBe(422);
    expect(edited.json.error.message).toBe(
      "The agent does not accept edited inputs for this action (it accepts: approve, reject); approve it as it is or reject it",
    );
    const task = await api.call("GET", `/api/tasks/${submitted.task_id}`, { key: agent });
    expect(task.json).toMatchObject({
      status: "pending",
      edited_inputs: null,
      approvals: [],
      allowed_decisions: ["approve", "reject"],
    });
    const plain = await api.call("POST", path, { key: lead, body: {} });
    expect(plain.json).toMatchObject({
      status: "approved",
      allowed_decisions: ["approve", "reject"],
    });
  });

  it("keeps agents out of each other's tasks (404, not 403)", async () => {
    const mine = (
      await api.call("POST", "/api/tasks", { key: agent, body: taskBody(ACTIONS.high) })
    ).json;
    const other = api.f.beta.key;
    expect((await api.call("GET", `/api/tasks/${mine.task_id}`, { key: other })).status).toBe(404);
    expect(
      (await api.call("POST", `/api/tasks/${mine.task_id}/cancel`, { key: other })).status,
    ).toBe(404);
    expect(
      (
        await api.call("GET", `/api/hitl/actions/${mine.approval_request_id}/checkpoints`, {
          key: other,
        })
      ).status,
    ).toBe(404);
  });

  it("honours Idempotency-Key: same body → same task, other body → 422", async () => {
    const headers = { "idempotency-key": "api-retry-1" };
    const body = taskBody(ACTIONS.medium);
    const first = await api.call("POST", "/api/tasks", { key: agent, body, headers });
    const second = await api.call("POST", "/api/tasks", { key: agent, body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.json.task_id).toBe(first.json.task_id);
    const other = await api.call("POST", "/api/tasks", {
      key: agent,
      body: taskBody(ACTIONS.high),
      headers,
    });
    expect(other.status).toBe(422);
  });

  it("50 concurrent submits with one Idempotency-Key make one task, and every answer names it", async () => {
    const headers = { "idempotency-key": "api-burst-50" };
    const body = taskBody(ACTIONS.high, { workflow_id: "wf-burst" });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.call("POST", "/api/tasks", { key: agent, body, headers }),
      ),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(49);
    expect(new Set(answers.map((a) => a.json.task_id)).size).toBe(1);
    const queue = await api.call("GET", "/api/hitl/approval-queue?workflow_id=wf-burst", {
      key: lead,
    });
    expect(queue.json.items).toHaveLength(1);
  });

  it('refuses a "__proto__" key instead of silently dropping it', async () => {
    const raw = JSON.stringify(taskBody(ACTIONS.high)).replace(
      '"description":"Deploy to production"',
      '"description":"Deploy to production","inputs":{"__proto__":{"admin":true}}',
    );
    expect(raw).toContain("__proto__");
    const refused = await api.call("POST", "/api/tasks", { key: agent, raw });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details).toEqual([
      { path: "action.inputs.__proto__", message: '"__proto__" is not allowed as a key' },
    ]);
  });

  it("ignores x-middleware-subrequest: authorization lives in the handler, not in middleware", async () => {
    const headers = {
      "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware",
    };
    expect((await api.call("GET", "/api/hitl/approval-queue", { headers })).status).toBe(401);
    expect(
      (await api.call("POST", "/api/tasks", { headers, body: taskBody(ACTIONS.low) })).status,
    ).toBe(401);
    expect(
      (await api.call("GET", "/api/hitl/approval-queue", { key: agent, headers })).status,
    ).toBe(403);
  });

  it("saves, lists, reads and resumes checkpoints", async () => {
    const task = (
      await api.call("POST", "/api/tasks", { key: agent, body: taskBody(ACTIONS.high) })
    ).json;
    const base = `/api/hitl/actions/${task.approval_request_id}/checkpoints`;
    const saved = await api.call("POST", base, {
      key: agent,
      body: { name: "step", type: "state", data: { n: 1 } },
    });
    expect(saved.status).toBe(201);
    await api.call("POST", base, {
      key: agent,
      body: { name: "step", type: "state", data: { n: 2 } },
    });
    expect((await api.call("GET", base, { key: agent })).json.items).toHaveLength(2);
    expect((await api.call("GET", `${base}/step`, { key: lead })).json).toMatchObject({
      data: { n: 2 },
      sequence_number: 2,
    });
    const id = saved.json.checkpoint_id;
    expect((await api.call("POST", `${base}/${id}/resume`, { key: agent })).status).toBe(200);
    expect((await api.call("POST", `${base}/${id}/resume`, { key: agent })).status).toBe(409);
  });

  it("pages the approval queue with a keyset cursor, within the reviewer's role", async () => {
    const dev = await api.reviewerKey("dev");
    for (let i = 0; i < 5; i++)
      await api.call("POST", "/api/tasks", {
        key: api.f.beta.key,
        body: taskBody(ACTIONS.medium, { workflow_id: "wf-page" }),
      });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: { id: string }[]; next_cursor: string | null } } =
        await api.call(
          "GET",
          `/api/hitl/approval-queue?workflow_id=wf-page&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
          { key: lead },
        );
      seen.push(...page.json.items.map((i) => i.id));
      cursor = page.json.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    // A developer approves only low risk: medium requests are not theirs to act on. The
    // queue lists every open request, each saying so; ?actionable=true keeps only theirs.
    expect(
      (
        await api.call("GET", "/api/hitl/approval-queue?workflow_id=wf-page&actionable=true", {
          key: dev,
        })
      ).json.items,
    ).toEqual([]);
    const listed = (
      await api.call("GET", "/api/hitl/approval-queue?workflow_id=wf-page", { key: dev })
    ).json.items as { actionable: boolean }[];
    expect(listed).toHaveLength(5);
    expect(listed.every((i) => i.actionable === false)).toBe(true);
    expect(
      (await api.call("GET", "/api/hitl/approval-queue?cursor=garbage", { key: lead })).status,
    ).toBe(400);
  });

  it("grants standing approvals over the API, refusing critical and beyond-rights grants", async () => {
    const body = {
      agent: "beta",
      type_pattern: "deploy",
      environment: "staging",
      max_uses: 3,
      expires_in_minutes: 60,
      reason: "Release",
    };
    const created = await api.call("POST", "/api/hitl/grants", { key: lead, body });
    expect(created.status).toBe(201);
    expect(created.json.max_level).toBe("high");
    const auto = await api.call("POST", "/api/tasks", {
      key: api.f.beta.key,
      body: taskBody(ACTIONS.medium),
    });
    expect(auto.json).toMatchObject({ status: "approved", auto_approved: true });
    const viewer = await api.reviewerKey("viewer");
    expect((await api.call("POST", "/api/hitl/grants", { key: viewer, body })).status).toBe(403);
    expect(
      (await api.call("GET", "/api/hitl/grants?active=true", { key: lead })).json.items.length,
    ).toBeGreaterThan(0);
    expect(
      (await api.call("DELETE", `/api/hitl/grants/${created.json.id}`, { key: lead })).json
        .revoked_at,
    ).not.toBeNull();
  });

  it("assesses without storing, and describes the rules", async () => {
    const assessed = await api.call("POST", "/api/hitl/assess-risk", {
      key: agent,
      body: { type: "FETCH_AND_SEND_EMAIL", description: "x", inputs: { to: "a@b.example" } },
    });
    expect(assessed.json).toMatchObject({ level: "critical", requires_approval: true });
    const rules = await api.call("GET", "/api/hitl/risk-rules", { key: agent });
    expect(rules.json.levels.map((l: { level: string }) => l.level)).toEqual([
      "low",
      "medium",
      "high",
      "critical",
    ]);
  });

  it("serves a valid OpenAPI 3.1 document listing every route", async () => {
    const doc = (await api.call("GET", "/api/openapi.json")).json;
    expect(await new Validator().validate(doc)).toMatchObject({ valid: true });
    for (const r of DOCUMENTED_ROUTES)
      expect(doc.paths[r.path]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
    expect(
      doc.paths["/api/tasks"].post.requestBody.content["application/json"].schema.properties,
    ).toHaveProperty("action");
    expect(
      doc.paths["/api/tasks"].post.responses["201"].content["application/json"].schema.properties,
    ).toHaveProperty("task_id");
    // The {id} of every /api/hitl/actions route says which id it is: the approval request's.
    const actionRoutes = DOCUMENTED_ROUTES.filter((r) => r.path.startsWith("/api/hitl/actions/"));
    expect(actionRoutes.length).toBe(9);
    for (const r of actionRoutes) {
      const id = doc.paths[r.path][r.method].parameters.find(
        (p: { name: string; in: string }) => p.name === "id" && p.in === "path",
      );
      expect(id.description, `${r.method} ${r.path}`).toContain("approval_request_id");
    }
  });

  it("exposes Prometheus metrics with request counts by route", async () => {
    const text = (await api.call("GET", "/api/metrics")).text;
    expect(text).toContain("airlock_process_resident_memory_bytes");
    expect(text).toMatch(
      /airlock_http_requests_total\{route="POST \/api\/tasks",method="POST",status="201"\} \d+/,
    );
  });
});
