// The API's security contract, table-driven (SPEC §5, §10): every route × every way of
// (not) authenticating; every body route × malformed input, with nothing written; path and
// query validation; and the role × level × verb permission matrix over HTTP.
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { loadHitlConfig } from "@/lib/config/load";
import type { RuleSet } from "@/lib/hitl";
import { createApiKey, revokeApiKey } from "@/lib/services/accounts/keys";
import { submitTask } from "@/lib/services/requests/lifecycle";
import {
  type ApiHarness,
  type ApiResponse,
  type CallOptions,
  createApiHarness,
  DOCUMENTED_ROUTES,
  errorShape,
  fieldDetails,
} from "@/test-support/api";
import { ACTIONS, type Person, TEST_OPERATOR, taskBody } from "@/test-support/services";

type Method = "GET" | "POST" | "DELETE";
type Level = keyof typeof ACTIONS;
type Verb = "approve" | "reject" | "escalate" | "quarantine" | "release";
const LEVELS: Level[] = ["low", "medium", "high", "critical"];
const VERBS: Verb[] = ["approve", "reject", "escalate", "quarantine", "release"];

let api: ApiHarness;
/** Low-risk actions are approved on arrival by default; this rule set keeps them pending. */
let noAutoApprove: RuleSet;
const keys = {} as {
  agent: string;
  ops: string;
  lead: string;
  viewer: string;
  revokedAgent: string;
  revokedReviewer: string;
};

beforeAll(async () => {
  api = await createApiHarness();
  noAutoApprove = loadHitlConfig({ dir: "config/hitl", autoApproveLowRisk: false }).ruleSet;
  keys.agent = api.f.beta.key;
  keys.ops = await api.reviewerKey("ops");
  keys.lead = await api.reviewerKey("lead");
  keys.viewer = await api.reviewerKey("viewer");
  const agent = await createApiKey(api.f.t.db, TEST_OPERATOR, {
    agent: "revoked-agent",
    owner: api.f.users.owner.email,
  });
  const reviewer = await createApiKey(api.f.t.db, TEST_OPERATOR, { user: api.f.users.ops.email });
  await revokeApiKey(api.f.t.db, TEST_OPERATOR, agent.id);
  await revokeApiKey(api.f.t.db, TEST_OPERATOR, reviewer.id);
  keys.revokedAgent = agent.key;
  keys.revokedReviewer = reviewer.key;
  // Grants are bound to an active agent key: the agents GRANT names (and the longest name the
  // grant route takes) have keys that never submit anything here.
  for (const name of [GRANT.agent, "a".repeat(100)]) {
    await createApiKey(api.f.t.db, TEST_OPERATOR, {
      agent: name,
      owner: api.f.users.owner.email,
    });
  }
});

afterAll(async () => {
  await api?.f.t.destroy();
});

// ---------------------------------------------------------------------------------------
// Helpers

/** Every error: the one shape, JSON, not cached, and nothing of the server's insides. */
function expectError(r: ApiResponse, status: number): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(r.headers.get("cache-control")).toBe("no-store");
  expect(errorShape.safeParse(r.json).error?.issues, r.text).toBeUndefined();
  for (const leak of ["at /", ".ts:", "SELECT", "node_modules"]) expect(r.text).not.toContain(leak);
  expect(r.text).not.toMatch(/postgres/i);
}

/** A 400 whose `details` name each bad field; `path` must be among them when given. */
function expectInvalid(r: ApiResponse, path?: string): void {
  expectError(r, 400);
  const details = fieldDetails.parse(r.json.error.details);
  if (path !== undefined) {
    expect(
      details.map((d) => d.path),
      r.text,
    ).toContain(path);
  }
}

/** Row counts and digests of every table a request could write. */
async function snapshot(): Promise<Record<string, unknown>> {
  const [row] = await execRows(
    api.f.t.db,
    sql`SELECT
      (SELECT count(*) FROM tasks)::int AS tasks,
      (SELECT count(*) FROM approval_requests)::int AS approval_requests,
      (SELECT count(*) FROM approvals)::int AS approvals,
      (SELECT count(*) FROM audit_events)::int AS audit_events,
      (SELECT count(*) FROM outbox)::int AS outbox,
      (SELECT count(*) FROM execution_checkpoints)::int AS execution_checkpoints,
      (SELECT count(*) FROM standing_approvals)::int AS standing_approvals,
      (SELECT md5(coalesce(string_agg(id::text || status || updated_at::text, ',' ORDER BY id), ''))
         FROM approval_requests) AS requests_digest,
      (SELECT md5(coalesce(string_agg(id::text || updated_at::text || resume_count::text, ',' ORDER BY id), ''))
         FROM tasks) AS tasks_digest,
      (SELECT md5(coalesce(string_agg(id::text || status, ',' ORDER BY id), ''))
         FROM execution_checkpoints) AS checkpoints_digest,
      (SELECT md5(coalesce(string_agg(id::text || uses::text || coalesce(revoked_at::text, '-'), ',' ORDER BY id), ''))
         FROM standing_approvals) AS grants_digest`,
  );
  return row ?? {};
}

/** Call, and assert the call wrote nothing. */
async function callWritingNothing(
  method: Method,
  path: string,
  options: CallOptions,
): Promise<ApiResponse> {
  const before = await snapshot();
  const r = await api.call(method, path, options);
  expect(await snapshot(), `${method} ${path} → ${r.status} wrote rows`).toEqual(before);
  return r;
}

/** A fresh request of `level` from agent beta (or alpha), pending on arrival. */
async function pendingRequest(
  level: Level,
  agent: "alpha" | "beta" = "beta",
): Promise<{ requestId: string; taskId: string }> {
  const caller = api.f[agent];
  const { task } = await submitTask(api.f.t.db, caller, taskBody(ACTIONS[level]), {
    ruleSet: noAutoApprove,
  });
  expect(task.status).toBe("pending");
  return { requestId: task.approval_request_id, taskId: task.task_id };
}

async function quarantinedRequest(level: Level): Promise<{ requestId: string; taskId: string }> {
  const r = await pendingRequest(level);
  const q = await api.call("POST", `/api/hitl/actions/${r.requestId}/quarantine`, {
    key: await api.reviewerKey("ops2"),
    body: { reason: "Hold for review" },
  });
  expect(q.json?.status, q.text).toBe("quarantined");
  return r;
}

async function requestStatus(taskId: string): Promise<string> {
  const r = await api.call("GET", `/api/tasks/${taskId}`, { key: keys.lead });
  expect(r.status, r.text).toBe(200);
  return r.json.status;
}

async function freshCheckpoint(requestId: string, name = "step"): Promise<string> {
  const r = await api.call("POST", `/api/hitl/actions/${requestId}/checkpoints`, {
    key: keys.agent,
    body: { name, type: "state", data: { n: 1 } },
  });
  expect(r.status, r.text).toBe(201);
  return r.json.checkpoint_id;
}

const GRANT = {
  agent: "grant-target",
  type_pattern: "deploy",
  environment: "staging",
  max_uses: 3,
  expires_in_minutes: 60,
  reason: "Release window",
};

/** A body each decision verb accepts. */
const BODY_OF: Record<Verb, Record<string, string>> = {
  approve: { justification: "Reviewed the diff" },
  reject: { reason: "Not during the freeze" },
  escalate: { reason: "Needs ops" },
  quarantine: { reason: "Looks odd" },
  release: { reason: "Cleared" },
};

async function freshGrant(): Promise<string> {
  const r = await api.call("POST", "/api/hitl/grants", { key: keys.lead, body: GRANT });
  expect(r.status, r.text).toBe(201);
  return r.json.id;
}

function unknownKey(): string {
  return `alk_${randomBytes(32).toString("base64url").slice(0, 43)}`;
}

function deepArrays(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

// ---------------------------------------------------------------------------------------
// 1. Authentication and scope, for every documented route

type Auth = "agent" | "reviewer" | "key" | "public";
interface Prepared {
  path: string;
  body?: unknown;
  /** The status a right-scope call must answer. */
  ok: number;
  /** Server-sent events: read the status, then hang up. */
  stream?: boolean;
}

const ROUTE_KEY = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;

/**
 * Real ids for each route. `fresh` makes new ones for calls that change state; the failing
 * calls (which must change nothing) reuse the shared ones.
 */
const shared = {} as {
  taskId: string;
  requestId: string;
  approvedTaskId: string;
  checkpointId: string;
  grantId: string;
};

async function prepare(route: string, fresh: boolean): Promise<Prepared> {
  const pending = fresh ? await pendingRequest("high") : shared;
  const rid = pending.requestId;
  const tid = pending.taskId;
  const actions = `/api/hitl/actions/${rid}`;
  switch (route) {
    case "POST /api/hitl/assess-risk":
      return { path: "/api/hitl/assess-risk", body: ACTIONS.medium, ok: 200 };
    case "GET /api/hitl/risk-rules":
      return { path: "/api/hitl/risk-rules", ok: 200 };
    case "POST /api/tasks":
      return { path: "/api/tasks", body: taskBody(ACTIONS.low), ok: 201 };
    case "GET /api/tasks/{id}":
      return { path: `/api/tasks/${tid}`, ok: 200 };
    case "GET /api/tasks/{id}/events":
      return { path: `/api/tasks/${shared.approvedTaskId}/events`, ok: 200, stream: true };
    case "POST /api/tasks/{id}/resume":
      return { path: `/api/tasks/${shared.approvedTaskId}/resume`, ok: 200 };
    case "POST /api/tasks/{id}/cancel":
      return { path: `/api/tasks/${tid}/cancel`, body: { reason: "Not needed" }, ok: 200 };
    case "GET /api/hitl/approval-queue":
      return { path: "/api/hitl/approval-queue?limit=5", ok: 200 };
    case "POST /api/hitl/actions/{id}/approve":
      return { path: `${actions}/approve`, body: { justification: "Fine" }, ok: 200 };
    case "POST /api/hitl/actions/{id}/reject":
      return { path: `${actions}/reject`, body: { reason: "No" }, ok: 200 };
    case "POST /api/hitl/actions/{id}/escalate":
      return { path: `${actions}/escalate`, body: {}, ok: 200 };
    case "POST /api/hitl/actions/{id}/quarantine":
      return { path: `${actions}/quarantine`, body: { reason: "Hold" }, ok: 200 };
    case "POST /api/hitl/actions/{id}/release": {
      const q = fresh ? await quarantinedRequest("high") : shared;
      return { path: `/api/hitl/actions/${q.requestId}/release`, body: {}, ok: 200 };
    }
    case "POST /api/hitl/actions/{id}/checkpoints":
      return {
        path: `${actions}/checkpoints`,
        body: { name: "step", type: "state", data: { n: 2 } },
        ok: 201,
      };
    case "GET /api/hitl/actions/{id}/checkpoints":
      return { path: `/api/hitl/actions/${shared.requestId}/checkpoints`, ok: 200 };
    case "GET /api/hitl/actions/{id}/checkpoints/{name}":
      return { path: `/api/hitl/actions/${shared.requestId}/checkpoints/step`, ok: 200 };
    case "POST /api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume": {
      const cp = fresh ? await freshCheckpoint(rid) : shared.checkpointId;
      return { path: `${actions}/checkpoints/${cp}/resume`, ok: 200 };
    }
    case "POST /api/hitl/grants":
      return { path: "/api/hitl/grants", body: GRANT, ok: 201 };
    case "GET /api/hitl/grants":
      return { path: "/api/hitl/grants?active=true", ok: 200 };
    case "DELETE /api/hitl/grants/{id}":
      return { path: `/api/hitl/grants/${fresh ? await freshGrant() : shared.grantId}`, ok: 200 };
    default:
      throw new Error(`no test fixture for ${route}: add one`);
  }
}

const PROTECTED = DOCUMENTED_ROUTES.filter((r) => r.auth !== "public");

describe("authentication and scope on every documented route", () => {
  beforeAll(async () => {
    const p = await pendingRequest("high");
    const approved = await api.call("POST", "/api/tasks", {
      key: keys.agent,
      body: taskBody(ACTIONS.low),
    });
    expect(approved.json?.status, approved.text).toBe("approved");
    Object.assign(shared, {
      ...p,
      approvedTaskId: approved.json.task_id,
      checkpointId: await freshCheckpoint(p.requestId),
      grantId: await freshGrant(),
    });
  });

  it("covers every route the OpenAPI document lists, and only the health routes are public", () => {
    expect(PROTECTED.length).toBeGreaterThanOrEqual(20);
    expect(
      DOCUMENTED_ROUTES.filter((r) => r.auth === "public")
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      "/api/health",
      // Slack's clicks carry no API key: each is verified by its v0 signature instead
      // (lib/services/integrations/slack.db.test.ts).
      "/api/integrations/slack/interactions",
      "/api/metrics",
      "/api/openapi.json",
    ]);
  });

  // ops may do anything a reviewer may, except escalate (devops has no one above it).
  const rightKey = (route: string, who: "agent" | "reviewer") =>
    who === "agent" ? keys.agent : route.endsWith("/escalate") ? keys.lead : keys.ops;

  const refusals: [string, (auth: Auth) => CallOptions, number][] = [
    ["no Authorization header", () => ({}), 401],
    ["Basic credentials", () => ({ headers: { authorization: "Basic eDp5" } }), 401],
    ["Bearer alone", () => ({ headers: { authorization: "Bearer" } }), 401],
    ["Bearer and spaces", () => ({ headers: { authorization: "Bearer    " } }), 401],
    [
      "a valid key under another scheme",
      () => ({ headers: { authorization: `Token ${keys.agent}` } }),
      401,
    ],
    ["two tokens", () => ({ headers: { authorization: `Bearer ${keys.agent} ${keys.ops}` } }), 401],
    ["a key without the prefix", () => ({ key: randomBytes(32).toString("base64url") }), 401],
    ["an unknown key", () => ({ key: unknownKey() }), 401],
    [
      "a revoked key of the right scope",
      (auth) => ({ key: auth === "reviewer" ? keys.revokedReviewer : keys.revokedAgent }),
      401,
    ],
  ];

  describe.each(PROTECTED.map((r) => [ROUTE_KEY(r), r.auth] as const))("%s", (route, auth) => {
    const method = route.split(" ")[0] as Method;

    it.each(refusals)("refuses %s", async (_label, options, status) => {
      const { path, body } = await prepare(route, false);
      const r = await callWritingNothing(method, path, { body, ...options(auth) });
      expectError(r, status);
      expect(r.json.error.code).toBe("unauthorized");
    });

    if (auth === "agent" || auth === "reviewer") {
      it("refuses a key of the wrong scope (403)", async () => {
        const { path, body } = await prepare(route, false);
        const wrong = auth === "agent" ? [keys.ops, keys.viewer] : [keys.agent, api.f.alpha.key];
        for (const key of wrong) {
          const r = await callWritingNothing(method, path, { key, body });
          expectError(r, 403);
          expect(r.json.error.code).toBe("forbidden");
        }
      });
    }

    const scopes: ("agent" | "reviewer")[] =
      auth === "key" ? ["agent", "reviewer"] : auth === "public" ? [] : [auth];
    it.each(scopes)("lets a key of the right scope (%s) in", async (who) => {
      const key = rightKey(route, who);
      const { path, body, ok, stream } = await prepare(route, true);
      if (stream) {
        const controller = new AbortController();
        const res = await api.fetch(method, path, { key, signal: controller.signal });
        expect(res.status).toBe(ok);
        expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
        await res.body?.cancel();
        controller.abort();
        return;
      }
      const r = await api.call(method, path, { key, body });
      expect(r.status, r.text).toBe(ok);
      if (r.status >= 400) expectError(r, ok);
      else expect(r.headers.get("cache-control")).toContain("no-store");
    });
  });
});

// ---------------------------------------------------------------------------------------
// 2. Malformed bodies: 4xx of the one shape, and nothing written

interface BodyCase {
  label: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  /** A path `details` must list (400 only). */
  path?: string;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** `obj` with the dotted `path` set to `value`, or removed when `value` is REMOVE. */
const REMOVE = Symbol("remove");
function withField(obj: Record<string, unknown>, path: string, value: unknown) {
  const out = clone(obj);
  const parts = path.split(".");
  let at: Record<string, unknown> = out;
  for (const p of parts.slice(0, -1)) at = at[p] as Record<string, unknown>;
  const last = parts.at(-1) as string;
  if (value === REMOVE) delete at[last];
  else at[last] = value;
  return out;
}

type FieldKind = "text" | "required" | "json" | "int" | "url" | "enum";
interface FieldSpec {
  path: string;
  kind: FieldKind;
  max?: number;
  /** null is accepted (as "none"). */
  nullable?: boolean;
  /** May be left out (a "required" text that is only required to be non-empty when given). */
  optional?: boolean;
}

/** Wrong types, empty, too long, unstorable: each must be a 400 naming the field. */
function fieldCases(valid: Record<string, unknown>, fields: FieldSpec[]): BodyCase[] {
  const cases: BodyCase[] = [];
  const add = (label: string, path: string, value: unknown, expectPath = path) =>
    cases.push({ label, body: withField(valid, path, value), status: 400, path: expectPath });
  for (const f of fields) {
    const wrong: unknown[] =
      f.kind === "json"
        ? ["text", 5, true, [1, 2], null]
        : f.kind === "int"
          ? ["3", 1.5, true, null, [], {}]
          : [5, true, null, [], {}];
    for (const v of wrong.filter((w) => !(f.nullable && w === null)))
      add(`${f.path} = ${JSON.stringify(v)}`, f.path, v);
    if (f.kind === "required") {
      if (!f.optional) add(`${f.path} missing`, f.path, REMOVE);
      add(`${f.path} empty`, f.path, "");
      add(`${f.path} blank`, f.path, "   ");
    }
    if (f.kind === "text" || f.kind === "required") {
      add(`${f.path} with NUL`, f.path, "a\u0000b");
      add(`${f.path} with a lone surrogate`, f.path, "a\ud800b");
    }
    if (f.kind === "url") {
      add(`${f.path} not a URL`, f.path, "not a url");
      add(`${f.path} ftp`, f.path, "ftp://files.example/x");
      add(`${f.path} with NUL`, f.path, "https://hooks.example/\u0000");
      add(`${f.path} with a lone surrogate`, f.path, "https://hooks.example/\udc00");
    }
    if (f.kind === "enum") add(`${f.path} unknown value`, f.path, "severe");
    if (f.kind === "json") {
      add(`${f.path} with a NUL value`, f.path, { a: "x\u0000" }, `${f.path}.a`);
      add(`${f.path} with a NUL key`, f.path, { "a\u0000": 1 }, `${f.path}.a\u0000`);
      add(`${f.path} with a lone surrogate`, f.path, { a: "\udc00" }, `${f.path}.a`);
      add(`${f.path} with a lone surrogate key`, f.path, { "\ud800": 1 }, `${f.path}.\ud800`);
      let deep: unknown = 1;
      for (let i = 0; i < 40; i++) deep = [deep];
      cases.push({
        label: `${f.path} nested 40 deep`,
        body: withField(valid, f.path, { a: deep }),
        status: 400,
      });
      cases.push({
        label: `${f.path} with a number beyond double range`,
        raw: JSON.stringify(withField(valid, f.path, { n: "__BIG__" })).replace(
          '"__BIG__"',
          "1e400",
        ),
        status: 400,
        path: `${f.path}.n`,
      });
    }
    if (f.max !== undefined) {
      const over =
        f.kind === "url" ? `https://hooks.example/${"a".repeat(f.max)}` : "a".repeat(f.max + 1);
      add(`${f.path} over ${f.max} characters`, f.path, over);
    }
  }
  return cases;
}

/** The limits, just under: valid, so not a 400 (these may write; they are not counted). */
function underLimits(valid: Record<string, unknown>, fields: FieldSpec[]) {
  return fields
    .filter((f) => f.max !== undefined)
    .map((f) => {
      const max = f.max as number;
      const value =
        f.kind === "url"
          ? `https://hooks.example/${"a".repeat(max - "https://hooks.example/".length)}`
          : "a".repeat(max);
      return { label: `${f.path} at ${max} characters`, body: withField(valid, f.path, value) };
    });
}

function genericCases(
  valid: Record<string, unknown>,
  optionalBody: boolean,
  deepAt: string | null,
): BodyCase[] {
  const big = JSON.stringify(withField(valid, "padding", "x".repeat(300 * 1024)));
  const cases: BodyCase[] = [
    ...["{", "nul", "[1,]", "{'a': 1}", '{"a":1}}', "\u00ff\u00fe", "NaN", '{"a": undefined}'].map(
      (raw) => ({ label: `invalid JSON ${JSON.stringify(raw)}`, raw, status: 400, path: "(root)" }),
    ),
    ...[[], [valid], "a string", 42, true, null].map((body) => ({
      label: `the JSON ${JSON.stringify(body).slice(0, 24)}`,
      raw: JSON.stringify(body),
      status: 400,
      path: "(root)",
    })),
    {
      label: "unknown top-level field",
      body: { ...valid, surprise: 1 },
      status: 400,
      path: "(root)",
    },
    { label: "a body over 256 KiB", raw: big, status: 413 },
    {
      label: "a body over 256 KiB whose Content-Length lies small",
      raw: big,
      headers: { "content-length": "20" },
      status: 413,
    },
    {
      label: "a body over 256 KiB with no padding field (413 before any parsing)",
      raw: `"${"y".repeat(300 * 1024)}"`,
      status: 413,
    },
    {
      label: "10,000 nested arrays at the root",
      raw: deepArrays(10_000),
      status: 400,
      path: "(root)",
    },
  ];
  if (deepAt !== null) {
    cases.push({
      label: `10,000 nested arrays inside ${deepAt}`,
      raw: JSON.stringify(withField(valid, deepAt, { a: "__DEEP__" })).replace(
        '"__DEEP__"',
        deepArrays(10_000),
      ),
      status: 400,
      path: "(root)",
    });
  }
  if (!optionalBody) {
    cases.push({ label: "an empty body", raw: "", status: 400, path: "(root)" });
    cases.push({ label: "an empty object", body: {}, status: 400 });
  }
  return cases;
}

interface BodyRoute {
  name: string;
  key: () => string;
  /** A target path; `fresh` for calls that may change state. */
  path: (fresh: boolean) => Promise<string>;
  valid: Record<string, unknown>;
  optionalBody: boolean;
  deepAt: string | null;
  fields: FieldSpec[];
  extra: BodyCase[];
  /** The status a valid body gets on a fresh target. */
  ok: number;
}

const ACTION_FIELDS = (prefix: string): FieldSpec[] => [
  { path: `${prefix}type`, kind: "required", max: 200 },
  { path: `${prefix}operation`, kind: "text", max: 100 },
  { path: `${prefix}environment`, kind: "text", max: 100 },
  { path: `${prefix}resource_type`, kind: "text", max: 100 },
  { path: `${prefix}description`, kind: "text", max: 10_000 },
  { path: `${prefix}inputs`, kind: "json" },
  { path: `${prefix}context`, kind: "json" },
];

const VALID_ACTION = { ...ACTIONS.medium, inputs: { replicas: 3 }, context: { ticket: "OPS-1" } };
const VALID_TASK = taskBody(VALID_ACTION, {
  thread_id: "thread-1",
  priority: "high",
  callback_url: "https://hooks.example/airlock",
});

let bodyTarget: { requestId: string; taskId: string };
let quarantined: { requestId: string; taskId: string };

const decision = (
  verb: Verb,
  key: () => string,
  valid: Record<string, unknown>,
  fields: FieldSpec[],
  optionalBody: boolean,
  extra: BodyCase[] = [],
): BodyRoute => ({
  name: `POST /api/hitl/actions/{id}/${verb}`,
  key,
  async path(fresh) {
    const target =
      verb === "release"
        ? fresh
          ? await quarantinedRequest("high")
          : quarantined
        : fresh
          ? await pendingRequest("high")
          : bodyTarget;
    return `/api/hitl/actions/${target.requestId}/${verb}`;
  },
  valid,
  optionalBody,
  deepAt: verb === "approve" ? "edited_inputs" : null,
  fields,
  extra,
  ok: 200,
});

const BODY_ROUTES: BodyRoute[] = [
  {
    name: "POST /api/tasks",
    key: () => keys.agent,
    path: async () => "/api/tasks",
    valid: VALID_TASK,
    optionalBody: false,
    deepAt: "action.inputs",
    fields: [
      { path: "workflow_id", kind: "required", max: 200 },
      { path: "agent_name", kind: "required", max: 100 },
      { path: "thread_id", kind: "required", max: 200, optional: true },
      { path: "priority", kind: "enum" },
      { path: "callback_url", kind: "url", max: 2000 },
      ...ACTION_FIELDS("action."),
    ],
    extra: [
      ...["workflow_id", "agent_name", "action", "action.type", "action.description"].map(
        (path) => ({
          label: `${path} missing`,
          body: withField(VALID_TASK, path, REMOVE),
          status: 400,
          path,
        }),
      ),
      ...["a string", [], null, 7].map((v) => ({
        label: `action = ${JSON.stringify(v)}`,
        body: withField(VALID_TASK, "action", v),
        status: 400,
        path: "action",
      })),
      ...["URGENT", "", "critical"].map((v) => ({
        label: `priority = ${JSON.stringify(v)}`,
        body: withField(VALID_TASK, "priority", v),
        status: 400,
        path: "priority",
      })),
      {
        label: "a risk level smuggled in",
        body: { ...VALID_TASK, risk_level: "low" },
        status: 400,
        path: "(root)",
      },
      {
        label: "a risk object smuggled in",
        body: { ...VALID_TASK, risk: { level: "low", score: 0 } },
        status: 400,
        path: "(root)",
      },
      {
        label: "a status smuggled in",
        body: { ...VALID_TASK, status: "approved", auto_approved: true },
        status: 400,
        path: "(root)",
      },
      {
        label: "unknown field inside the action",
        body: withField(VALID_TASK, "action.risk_level", "low"),
        status: 400,
        path: "action",
      },
      {
        label: "an Idempotency-Key that is not visible ASCII",
        body: VALID_TASK,
        headers: { "idempotency-key": "a b" },
        status: 400,
      },
      {
        label: "an Idempotency-Key over 200 characters",
        body: VALID_TASK,
        headers: { "idempotency-key": "k".repeat(201) },
        status: 400,
      },
    ],
    ok: 201,
  },
  {
    name: "POST /api/hitl/assess-risk",
    key: () => keys.agent,
    path: async () => "/api/hitl/assess-risk",
    valid: VALID_ACTION,
    optionalBody: false,
    deepAt: "inputs",
    fields: ACTION_FIELDS(""),
    extra: [
      ...["type", "description"].map((path) => ({
        label: `${path} missing`,
        body: withField(VALID_ACTION, path, REMOVE),
        status: 400,
        path,
      })),
      {
        label: "a risk level smuggled in",
        body: { ...VALID_ACTION, level: "severe" },
        status: 400,
        path: "(root)",
      },
    ],
    ok: 200,
  },
  decision(
    "approve",
    () => keys.ops,
    { justification: "Checked", edited_inputs: { replicas: 2 } },
    [
      { path: "justification", kind: "text", max: 5000 },
      { path: "edited_inputs", kind: "json" },
    ],
    true,
    [
      ...["abc", "A".repeat(64), "0".repeat(63)].map((v) => ({
        label: `seen_hash = ${v.slice(0, 8)}…`,
        body: { seen_hash: v },
        status: 400,
        path: "seen_hash",
      })),
      { label: "a reason on approve", body: { reason: "x" }, status: 400, path: "(root)" },
    ],
  ),
  decision(
    "reject",
    () => keys.ops,
    { reason: "Not now" },
    [{ path: "reason", kind: "required", max: 5000 }],
    false,
    [
      {
        label: "a justification on reject",
        body: { reason: "x", justification: "y" },
        status: 400,
      },
    ],
  ),
  decision(
    "escalate",
    () => keys.lead,
    { reason: "Needs ops" },
    [{ path: "reason", kind: "text", max: 5000 }],
    true,
    [{ label: "a target role on escalate", body: { to: "viewer" }, status: 400, path: "(root)" }],
  ),
  decision(
    "quarantine",
    () => keys.ops,
    { reason: "Suspicious" },
    [{ path: "reason", kind: "required", max: 5000 }],
    false,
  ),
  decision(
    "release",
    () => keys.ops,
    { reason: "Cleared" },
    [{ path: "reason", kind: "text", max: 5000 }],
    true,
  ),
  {
    name: "POST /api/hitl/actions/{id}/checkpoints",
    key: () => keys.agent,
    path: async () => `/api/hitl/actions/${bodyTarget.requestId}/checkpoints`,
    valid: {
      name: "step-1",
      type: "external_call",
      data: { cursor: 10 },
      expires_at: "2099-01-01T00:00:00Z",
      correlation_id: "corr-1",
      run_id: randomUUID(),
    },
    optionalBody: false,
    deepAt: "data",
    fields: [
      { path: "name", kind: "required", max: 200 },
      { path: "type", kind: "enum" },
      { path: "data", kind: "json" },
      { path: "correlation_id", kind: "text", max: 200 },
    ],
    extra: [
      ...["name", "type", "data"].map((path) => ({
        label: `${path} missing`,
        body: withField({ name: "n", type: "state", data: {} }, path, REMOVE),
        status: 400,
        path,
      })),
      ...["snapshot", "STATE", ""].map((v) => ({
        label: `type = ${JSON.stringify(v)}`,
        body: { name: "n", type: v, data: {} },
        status: 400,
        path: "type",
      })),
      ...[
        "tomorrow",
        "2099-13-01T00:00:00Z",
        "2099-02-30T00:00:00Z",
        "2099-01-01",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "0013-01-01T23:30:00Z",
        "1969-12-31T23:59:59Z",
        "9999-12-31T23:59:59-23:59",
        "+010000-01-01T00:00:00Z",
      ].map((v) => ({
        label: `expires_at = ${v}`,
        body: { name: "n", type: "state", data: {}, expires_at: v },
        status: 400,
        path: "expires_at",
      })),
      ...["not-a-uuid", 5].map((v) => ({
        label: `run_id = ${JSON.stringify(v)}`,
        body: { name: "n", type: "state", data: {}, run_id: v },
        status: 400,
        path: "run_id",
      })),
      {
        label: "a sequence number smuggled in",
        body: { name: "n", type: "state", data: {}, sequence_number: 1 },
        status: 400,
        path: "(root)",
      },
    ],
    ok: 201,
  },
  {
    name: "POST /api/hitl/grants",
    key: () => keys.lead,
    path: async () => "/api/hitl/grants",
    valid: { ...GRANT, agent_name: "feature-dev" },
    optionalBody: false,
    deepAt: null,
    fields: [
      { path: "agent", kind: "required", max: 100 },
      { path: "agent_name", kind: "text", max: 100, nullable: true },
      { path: "type_pattern", kind: "required", max: 200 },
      { path: "environment", kind: "text", max: 100, nullable: true },
      { path: "max_uses", kind: "int" },
      { path: "expires_in_minutes", kind: "int" },
      { path: "reason", kind: "required", max: 2000 },
    ],
    extra: [
      ...["agent", "type_pattern", "max_uses", "expires_in_minutes", "reason"].map((path) => ({
        label: `${path} missing`,
        body: withField(GRANT, path, REMOVE),
        status: 400,
        path,
      })),
      ...(
        [
          ["max_uses", 0],
          ["max_uses", -1],
          ["max_uses", 10_001],
          ["max_uses", 2 ** 53],
          ["expires_in_minutes", 0],
          ["expires_in_minutes", 7 * 24 * 60 + 1],
          ["expires_in_minutes", 1e20],
        ] as const
      ).map(([path, v]) => ({
        label: `${path} = ${v}`,
        body: withField(GRANT, path, v),
        status: 400,
        path,
      })),
      {
        // A grant may be narrowed to a level, never past high.
        label: "a critical max level",
        body: { ...GRANT, max_level: "critical" },
        status: 400,
        path: "max_level",
      },
    ],
    ok: 201,
  },
  {
    name: "POST /api/tasks/{id}/cancel",
    key: () => keys.agent,
    async path(fresh) {
      return `/api/tasks/${(fresh ? await pendingRequest("high") : bodyTarget).taskId}/cancel`;
    },
    valid: { reason: "Plan changed" },
    optionalBody: true,
    deepAt: null,
    fields: [{ path: "reason", kind: "text", max: 2000 }],
    extra: [
      { label: "a status smuggled in", body: { status: "approved" }, status: 400, path: "(root)" },
    ],
    ok: 200,
  },
];

describe("malformed bodies are refused with the one error shape and write nothing", () => {
  beforeAll(async () => {
    bodyTarget = await pendingRequest("high");
    quarantined = await quarantinedRequest("high");
  });

  it("has a case table for every documented route that takes a body", () => {
    // Slack's form-encoded, signed bodies have cases of their own (lib/services/integrations/slack.db.test.ts).
    const documented = DOCUMENTED_ROUTES.filter(
      (r) =>
        r.method === "post" && !r.path.endsWith("/resume") && !r.path.includes("/integrations/"),
    ).map(ROUTE_KEY);
    expect(BODY_ROUTES.map((r) => r.name).sort()).toEqual(documented.sort());
  });

  describe.each(BODY_ROUTES.map((r) => [r.name, r] as const))("%s", (_name, route) => {
    const cases = [
      ...genericCases(route.valid, route.optionalBody, route.deepAt),
      ...fieldCases(route.valid, route.fields),
      ...route.extra,
    ];

    it.each(cases.map((c) => [c.label, c] as const))("refuses %s", async (_label, c) => {
      const path = await route.path(false);
      const r = await callWritingNothing("POST", path, {
        key: route.key(),
        body: c.body,
        raw: c.raw,
        headers: c.headers,
      });
      if (c.status === 400) expectInvalid(r, c.path);
      else expectError(r, c.status);
    });

    it("accepts the valid body and each field at its limit", async () => {
      for (const { label, body } of [
        { label: "the valid body", body: route.valid },
        ...underLimits(route.valid, route.fields),
      ]) {
        const r = await api.call("POST", await route.path(true), { key: route.key(), body });
        expect(r.status, `${label}: ${r.text.slice(0, 300)}`).toBe(route.ok);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------
// 3. Path parameters

describe("path parameters", () => {
  let ids: { requestId: string; taskId: string; checkpointId: string };
  beforeAll(async () => {
    const p = await pendingRequest("high");
    ids = { ...p, checkpointId: await freshCheckpoint(p.requestId) };
  });

  const BAD_IDS = [
    "not-a-uuid",
    "%00",
    "a".repeat(5000),
    "00000000-0000-4000-8000-00000000000g",
    "%27%20OR%201%3D1--",
    `${randomUUID()}%00`,
  ];

  type Shape = [label: string, Method, (id: string) => string, () => string, unknown];
  const SHAPES: Shape[] = [
    ["GET /api/tasks/{id}", "GET", (id) => `/api/tasks/${id}`, () => keys.agent, undefined],
    [
      "GET /api/tasks/{id}/events",
      "GET",
      (id) => `/api/tasks/${id}/events`,
      () => keys.agent,
      undefined,
    ],
    [
      "POST /api/tasks/{id}/resume",
      "POST",
      (id) => `/api/tasks/${id}/resume`,
      () => keys.agent,
      undefined,
    ],
    [
      "POST /api/tasks/{id}/cancel",
      "POST",
      (id) => `/api/tasks/${id}/cancel`,
      () => keys.agent,
      {},
    ],
    ...VERBS.map(
      (verb): Shape => [
        `POST /api/hitl/actions/{id}/${verb}`,
        "POST",
        (id) => `/api/hitl/actions/${id}/${verb}`,
        () => (verb === "escalate" ? keys.lead : keys.ops),
        BODY_OF[verb],
      ],
    ),
    [
      "POST /api/hitl/actions/{id}/checkpoints",
      "POST",
      (id) => `/api/hitl/actions/${id}/checkpoints`,
      () => keys.agent,
      { name: "n", type: "state", data: {} },
    ],
    [
      "GET /api/hitl/actions/{id}/checkpoints",
      "GET",
      (id) => `/api/hitl/actions/${id}/checkpoints`,
      () => keys.agent,
      undefined,
    ],
    [
      "GET /api/hitl/actions/{id}/checkpoints/{name}",
      "GET",
      (id) => `/api/hitl/actions/${id}/checkpoints/step`,
      () => keys.agent,
      undefined,
    ],
    [
      "POST /api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume",
      "POST",
      (id) => `/api/hitl/actions/${id}/checkpoints/${ids.checkpointId}/resume`,
      () => keys.agent,
      undefined,
    ],
    [
      "DELETE /api/hitl/grants/{id}",
      "DELETE",
      (id) => `/api/hitl/grants/${id}`,
      () => keys.lead,
      undefined,
    ],
  ];

  it.each(SHAPES)(
    "%s: a bad id is a 400 naming params.id, an unknown one a 404",
    async (_label, method, path, key, body) => {
      for (const bad of BAD_IDS) {
        const r = await callWritingNothing(method, path(bad), { key: key(), body });
        expectInvalid(r, "params.id");
      }
      const r = await callWritingNothing(method, path(randomUUID()), { key: key(), body });
      expectError(r, 404);
      expect(r.json.error.code).toBe("not_found");
    },
  );

  it("checks the checkpoint id and name too", async () => {
    const base = `/api/hitl/actions/${ids.requestId}/checkpoints`;
    for (const bad of BAD_IDS) {
      const r = await callWritingNothing("POST", `${base}/${bad}/resume`, { key: keys.agent });
      expectInvalid(r, "params.checkpoint_id");
    }
    expectError(
      await callWritingNothing("POST", `${base}/${randomUUID()}/resume`, { key: keys.agent }),
      404,
    );
    for (const bad of ["%00", "a".repeat(201), "%20%20"]) {
      const r = await callWritingNothing("GET", `${base}/${bad}`, { key: keys.agent });
      expectInvalid(r, "params.name");
    }
    expectError(await callWritingNothing("GET", `${base}/never-saved`, { key: keys.agent }), 404);
  });

  it("answers 404, not 403, for another agent's task, request or checkpoint", async () => {
    const other = api.f.alpha.key;
    const paths: [Method, string, unknown][] = [
      ["GET", `/api/tasks/${ids.taskId}`, undefined],
      ["POST", `/api/tasks/${ids.taskId}/cancel`, {}],
      ["POST", `/api/tasks/${ids.taskId}/resume`, undefined],
      ["GET", `/api/hitl/actions/${ids.requestId}/checkpoints`, undefined],
      [
        "POST",
        `/api/hitl/actions/${ids.requestId}/checkpoints`,
        { name: "n", type: "state", data: {} },
      ],
      [
        "POST",
        `/api/hitl/actions/${ids.requestId}/checkpoints/${ids.checkpointId}/resume`,
        undefined,
      ],
    ];
    for (const [method, path, body] of paths) {
      expectError(await callWritingNothing(method, path, { key: other, body }), 404);
    }
  });
});

// ---------------------------------------------------------------------------------------
// 4. Query parameters

describe("query parameters", () => {
  let taskId: string;
  beforeAll(async () => {
    taskId = (await pendingRequest("medium")).taskId;
  });

  it.each(["61", "-1", "abc", "1.5", "1e9", "Infinity"])(
    "GET /api/tasks/{id}?wait=%s is a 400",
    async (wait) => {
      const r = await callWritingNothing("GET", `/api/tasks/${taskId}?wait=${wait}`, {
        key: keys.agent,
      });
      expectInvalid(r, "query.wait");
    },
  );

  it("accepts ?wait=0 and refuses unknown query parameters on the task", async () => {
    expect((await api.call("GET", `/api/tasks/${taskId}?wait=0`, { key: keys.agent })).status).toBe(
      200,
    );
    expectInvalid(
      await api.call("GET", `/api/tasks/${taskId}?debug=1`, { key: keys.agent }),
      "query.(root)",
    );
  });

  it.each([
    ["limit=0", "query.limit"],
    ["limit=201", "query.limit"],
    ["limit=abc", "query.limit"],
    ["limit=-5", "query.limit"],
    ["limit=2.5", "query.limit"],
    ["risk_level=severe", "query.risk_level"],
    ["risk_level=LOW", "query.risk_level"],
    ["status=approved", "query.status"],
    ["status=cancelled", "query.status"],
    ["agent=a%00b", "query.agent"],
    [`workflow_id=${"w".repeat(201)}`, "query.workflow_id"],
    ["cursor=garbage", "query.cursor"],
    ["order=desc", "query.(root)"],
  ])("GET /api/hitl/approval-queue?%s is a 400", async (query, path) => {
    const r = await callWritingNothing("GET", `/api/hitl/approval-queue?${query}`, {
      key: keys.lead,
    });
    expectInvalid(r, path);
  });

  it("accepts the queue's documented filters at their limits", async () => {
    for (const q of ["limit=1", "limit=200", "risk_level=critical", "status=quarantined"]) {
      const r = await api.call("GET", `/api/hitl/approval-queue?${q}`, { key: keys.lead });
      expect(r.status, `${q}: ${r.text}`).toBe(200);
    }
  });

  it.each(["maybe", "1", ""])("GET /api/hitl/grants?active=%s is a 400", async (active) => {
    expectInvalid(
      await api.call("GET", `/api/hitl/grants?active=${active}`, { key: keys.lead }),
      "query.active",
    );
  });
});

// ---------------------------------------------------------------------------------------
// 5. The permission matrix over HTTP

const ROLE_OF: Record<"dev" | "lead" | "ops" | "viewer", string> = {
  dev: "developer",
  lead: "tech_lead",
  ops: "devops_engineer",
  viewer: "viewer",
};

/** SPEC §3.3, written out independently of the YAML. */
const APPROVES: Record<string, Level[]> = {
  viewer: [],
  developer: ["low"],
  tech_lead: ["low", "medium", "high"],
  devops_engineer: ["low", "medium", "high", "critical"],
};

function expected(role: string, level: Level, verb: Verb): number {
  switch (verb) {
    case "approve":
    case "reject":
      return APPROVES[role]?.includes(level) ? 200 : 403;
    case "escalate":
      // Only a tech lead escalates (to devops); a critical request already waits for devops.
      return role !== "tech_lead" ? 403 : level === "critical" ? 409 : 200;
    case "quarantine":
      return role === "tech_lead" || role === "devops_engineer" ? 200 : 403;
    case "release":
      return role === "devops_engineer" ? 200 : 403;
  }
}

const AFTER: Record<Verb, (level: Level) => string> = {
  approve: (level) => (level === "critical" ? "pending" : "approved"),
  reject: () => "rejected",
  escalate: () => "escalated",
  quarantine: () => "quarantined",
  release: () => "pending",
};

describe("the role × level × verb matrix over HTTP", () => {
  const MATRIX = (Object.keys(ROLE_OF) as (keyof typeof ROLE_OF)[]).flatMap((person) =>
    LEVELS.flatMap((level) =>
      VERBS.map((verb) => [person, level, verb, expected(ROLE_OF[person], level, verb)] as const),
    ),
  );

  it.each(MATRIX)("%s × %s × %s → %i", async (person, level, verb, status) => {
    const { requestId, taskId } =
      verb === "release" ? await quarantinedRequest(level) : await pendingRequest(level);
    const before = await requestStatus(taskId);
    const key = await api.reviewerKey(person as Person);
    const r =
      status === 200
        ? await api.call("POST", `/api/hitl/actions/${requestId}/${verb}`, {
            key,
            body: BODY_OF[verb],
          })
        : await callWritingNothing("POST", `/api/hitl/actions/${requestId}/${verb}`, {
            key,
            body: BODY_OF[verb],
          });
    if (status === 200) {
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ id: requestId, status: AFTER[verb](level) });
      if (verb === "escalate") expect(r.json.escalated_to).toBe("devops_engineer");
      expect(await requestStatus(taskId)).toBe(AFTER[verb](level));
    } else {
      expectError(r, status);
      expect(await requestStatus(taskId)).toBe(before);
    }
  });

  it("four-eyes: the owner of agent alpha's key may not approve what it submitted", async () => {
    const owner = await api.reviewerKey("owner");
    const mine = await pendingRequest("high", "alpha");
    const refused = await callWritingNothing(
      "POST",
      `/api/hitl/actions/${mine.requestId}/approve`,
      {
        key: owner,
        body: { justification: "My own agent" },
      },
    );
    expectError(refused, 403);
    expect(refused.json.error.message).toMatch(/own/i);
    expect(await requestStatus(mine.taskId)).toBe("pending");
    // The same person approves other agents' requests, and others approve alpha's.
    const other = await pendingRequest("high", "beta");
    expect(
      (
        await api.call("POST", `/api/hitl/actions/${other.requestId}/approve`, {
          key: owner,
          body: {},
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api.call("POST", `/api/hitl/actions/${mine.requestId}/approve`, {
          key: keys.ops,
          body: {},
        })
      ).json.status,
    ).toBe("approved");
  });

  it("four-eyes holds for critical requests and after an escalation too", async () => {
    const owner = await api.reviewerKey("owner");
    const critical = await pendingRequest("critical", "alpha");
    expectError(
      await callWritingNothing("POST", `/api/hitl/actions/${critical.requestId}/approve`, {
        key: owner,
        body: { justification: "Mine" },
      }),
      403,
    );
    const escalated = await pendingRequest("high", "alpha");
    await api.call("POST", `/api/hitl/actions/${escalated.requestId}/escalate`, {
      key: keys.lead,
      body: {},
    });
    expect(await requestStatus(escalated.taskId)).toBe("escalated");
    expectError(
      await callWritingNothing("POST", `/api/hitl/actions/${escalated.requestId}/approve`, {
        key: owner,
        body: {},
      }),
      403,
    );
  });

  it("an escalated request is decided only by the role it went to", async () => {
    const r = await pendingRequest("high");
    await api.call("POST", `/api/hitl/actions/${r.requestId}/escalate`, {
      key: keys.lead,
      body: {},
    });
    const lead2 = await api.reviewerKey("lead2");
    expectError(
      await callWritingNothing("POST", `/api/hitl/actions/${r.requestId}/approve`, {
        key: lead2,
        body: {},
      }),
      403,
    );
    expect(
      (
        await api.call("POST", `/api/hitl/actions/${r.requestId}/approve`, {
          key: keys.ops,
          body: {},
        })
      ).json.status,
    ).toBe("approved");
  });

  async function withRole<T>(person: Person, role: string, fn: () => Promise<T>): Promise<T> {
    const id = api.f.users[person].id;
    const original = api.f.users[person].role;
    await api.f.t.db.execute(sql`UPDATE users SET role = ${role} WHERE id = ${id}`);
    try {
      return await fn();
    } finally {
      await api.f.t.db.execute(sql`UPDATE users SET role = ${original} WHERE id = ${id}`);
    }
  }

  it("judges a reviewer by the role they have now: promoted mid-request", async () => {
    const dev = await api.reviewerKey("dev");
    const r = await pendingRequest("high");
    const path = `/api/hitl/actions/${r.requestId}/approve`;
    expectError(await callWritingNothing("POST", path, { key: dev, body: {} }), 403);
    const approved = await withRole("dev", "tech_lead", () =>
      api.call("POST", path, { key: dev, body: {} }),
    );
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json.status).toBe("approved");
  });

  it("judges a reviewer by the role they have now: demoted mid-request", async () => {
    const r = await pendingRequest("medium");
    const path = `/api/hitl/actions/${r.requestId}/approve`;
    // The queue showed it to the lead; the demotion lands before they click.
    const queue = await api.call("GET", "/api/hitl/approval-queue?risk_level=medium&limit=200", {
      key: keys.lead,
    });
    expect(queue.json.items.map((i: { id: string }) => i.id)).toContain(r.requestId);
    await withRole("lead", "developer", async () => {
      expectError(await callWritingNothing("POST", path, { key: keys.lead, body: {} }), 403);
      expectError(
        await callWritingNothing("POST", `/api/hitl/actions/${r.requestId}/quarantine`, {
          key: keys.lead,
          body: { reason: "Hold" },
        }),
        403,
      );
    });
    await withRole("lead", "viewer", async () => {
      expectError(
        await callWritingNothing("POST", `/api/hitl/actions/${r.requestId}/reject`, {
          key: keys.lead,
          body: { reason: "No" },
        }),
        403,
      );
    });
    expect((await api.call("POST", path, { key: keys.lead, body: {} })).json.status).toBe(
      "approved",
    );
  });

  it("a decision on a closed request is a 409 and changes nothing", async () => {
    const r = await pendingRequest("high");
    const base = `/api/hitl/actions/${r.requestId}`;
    expect((await api.call("POST", `${base}/approve`, { key: keys.lead, body: {} })).status).toBe(
      200,
    );
    const ops2 = await api.reviewerKey("ops2");
    for (const [verb, body] of Object.entries(BODY_OF)) {
      const again = await callWritingNothing("POST", `${base}/${verb}`, { key: ops2, body });
      expectError(again, 409);
      expect(again.json.error.code).toBe("conflict");
    }
    const cancelled = await pendingRequest("high");
    await api.call("POST", `/api/tasks/${cancelled.taskId}/cancel`, { key: keys.agent });
    expectError(
      await callWritingNothing("POST", `/api/hitl/actions/${cancelled.requestId}/approve`, {
        key: keys.ops,
        body: {},
      }),
      409,
    );
    expectError(
      await callWritingNothing("POST", `/api/tasks/${cancelled.taskId}/cancel`, {
        key: keys.agent,
      }),
      409,
    );
  });

  it("one person counts once toward a critical quorum", async () => {
    const r = await pendingRequest("critical");
    const path = `/api/hitl/actions/${r.requestId}/approve`;
    const body = { justification: "Customer asked" };
    const first = await api.call("POST", path, { key: keys.ops, body });
    expect(first.json).toMatchObject({ status: "pending", approvals: { have: 1, need: 2 } });
    expectError(await callWritingNothing("POST", path, { key: keys.ops, body }), 409);
    const second = await api.call("POST", path, { key: await api.reviewerKey("ops2"), body });
    expect(second.json).toMatchObject({ status: "approved", approvals: { have: 2, need: 2 } });
  });

  it.each([
    ["no body", undefined],
    ["an empty object", {}],
    ["an empty reason", { reason: "" }],
    ["a blank reason", { reason: "  \n\t " }],
    ["a null reason", { reason: null }],
  ])("reject with %s is a 400 naming reason", async (_label, body) => {
    const r = await pendingRequest("high");
    const res = await callWritingNothing("POST", `/api/hitl/actions/${r.requestId}/reject`, {
      key: keys.ops,
      body,
    });
    expectInvalid(res, body === undefined ? "(root)" : "reason");
    expect(await requestStatus(r.taskId)).toBe("pending");
  });

  it.each([
    ["no body", undefined],
    ["an empty object", {}],
    ["an empty justification", { justification: "" }],
    ["a blank justification", { justification: "   " }],
  ])("approving a critical request with %s is a 422", async (_label, body) => {
    const r = await pendingRequest("critical");
    const res = await callWritingNothing("POST", `/api/hitl/actions/${r.requestId}/approve`, {
      key: keys.ops,
      body,
    });
    expectError(res, 422);
    expect(res.json.error.message).toMatch(/justification/i);
    expect(await requestStatus(r.taskId)).toBe("pending");
  });
});
