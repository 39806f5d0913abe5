// Every write route fuzzed (SPEC §10): thousands of generated bodies per route — anything at
// all, JSON values, objects of the route's own fields with hostile values, near-valid bodies
// with one field mutated, and raw garbage text. Then the query string of every GET route that
// takes one, and the path parameters of every route that has them. Whatever comes in: never
// a 5xx, every refusal in the one error shape, and a refusal writes nothing.
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { loadHitlConfig } from "@/lib/config/load";
import type { RuleSet } from "@/lib/hitl";
import { createApiKey } from "@/lib/services/accounts/keys";
import type { AgentPrincipal } from "@/lib/services/principal";
import { decideRequest, submitTask } from "@/lib/services/requests/lifecycle";
import {
  type ApiHarness,
  type ApiResponse,
  type CallOptions,
  createApiHarness,
  errorShape,
  fieldDetails,
  readResponse,
} from "@/test-support/api";
import { ACTIONS, TEST_OPERATOR, taskBody } from "@/test-support/services";

const RUNS = 2000;
// A fixed seed by default, so a build that passed passes again and a failure reproduces;
// FUZZ_SEED=random (or any number) explores other inputs. fast-check prints the seed and
// the shrunk counterexample of any failure.
const SEED =
  process.env.FUZZ_SEED === "random" ? Date.now() : Number(process.env.FUZZ_SEED ?? 20_261_121);
const TIMEOUT = 180_000;

let api: ApiHarness;
let ruleSet: RuleSet;
/** An agent no generated grant can name, so its requests stay pending. */
let target: AgentPrincipal & { key: string };
const keys = {} as { ops: string; lead: string };

beforeAll(async () => {
  api = await createApiHarness();
  ruleSet = loadHitlConfig({ dir: "config/hitl" }).ruleSet;
  const agent = `fuzz-${randomBytes(8).toString("hex")}`;
  const created = await createApiKey(api.f.t.db, TEST_OPERATOR, {
    agent,
    owner: api.f.users.dev.email,
  });
  target = {
    kind: "agent",
    keyId: created.id,
    agent,
    ownerId: api.f.users.dev.id,
    key: created.key,
  };
  keys.ops = await api.reviewerKey("ops");
  keys.lead = await api.reviewerKey("lead");
  await watchWrites();
});

afterAll(async () => {
  await api?.f.t.destroy();
});

// ---------------------------------------------------------------------------------------
// The property

/** The statuses SPEC §5 lists for errors (503 only when the database is down). */
const ERROR_STATUSES = [400, 401, 403, 404, 409, 410, 413, 422, 429];

function checkResponse(r: ApiResponse, input: unknown, statuses = ERROR_STATUSES): void {
  const why = `${r.status} ${r.text.slice(0, 300)} for ${safeStringify(input)}`;
  expect(r.status, why).toBeLessThan(500);
  if (r.status < 300) return;
  expect(statuses, why).toContain(r.status);
  expect(r.headers.get("content-type"), why).toMatch(/^application\/json\b/);
  expect(r.headers.get("cache-control"), why).toBe("no-store");
  expect(errorShape.safeParse(r.json).error?.issues, why).toBeUndefined();
  if (r.status === 400)
    expect(fieldDetails.safeParse(r.json.error.details).success, why).toBe(true);
  for (const leak of ["at /", ".ts:", "SELECT", "node_modules"])
    expect(r.text, why).not.toContain(leak);
  expect(r.text, why).not.toMatch(/postgres/i);
}

function safeStringify(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 300);
  } catch {
    return String(v).slice(0, 300);
  }
}

/** The tables a request could write; a row trigger counts every change to them. */
const WATCHED = [
  "tasks",
  "approval_requests",
  "approvals",
  "audit_events",
  "outbox",
  "execution_checkpoints",
  "standing_approvals",
];

/**
 * Test-only, on this suite's own database: a row trigger on each watched table bumps one
 * counter, in the writing transaction (so a rolled-back write leaves it as it was). Reading
 * one row after every call is what lets each of the thousands of refusals be checked.
 */
async function watchWrites(): Promise<void> {
  const db = api.f.t.db;
  await db.execute(sql`CREATE TABLE fuzz_writes (n bigint NOT NULL)`);
  await db.execute(sql`INSERT INTO fuzz_writes VALUES (0)`);
  await db.execute(
    sql.raw(`CREATE FUNCTION fuzz_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE fuzz_writes SET n = n + 1; RETURN NULL; END $$`),
  );
  for (const table of WATCHED) {
    await db.execute(
      sql.raw(`CREATE TRIGGER fuzz_count_write AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION fuzz_count_write()`),
    );
  }
}

async function snapshot(): Promise<number> {
  const [row] = await execRows<{ n: number }>(api.f.t.db, sql`SELECT n::int AS n FROM fuzz_writes`);
  return row?.n ?? -1;
}

type Input = { body?: unknown; raw?: string; headers?: Record<string, string> };

interface FuzzRoute {
  name: string;
  key: () => string;
  /** The path to call now (a fresh target once the last one was used up). */
  path: () => Promise<string>;
  /** After a 2xx: the target may have changed state; make a fresh one for the next run. */
  used?: () => void;
  inputs: fc.Arbitrary<Input>;
}

async function fuzz(route: FuzzRoute): Promise<void> {
  await route.path();
  let before = await snapshot();
  await fc.assert(
    fc.asyncProperty(route.inputs, async (input) => {
      const options: CallOptions = { key: route.key(), ...input };
      const r = await api.call("POST", await route.path(), options);
      checkResponse(r, input);
      if (r.status >= 400) {
        expect(await snapshot(), `a ${r.status} wrote rows: ${safeStringify(input)}`).toBe(before);
      } else {
        // The call may have used the target up: make the next one before counting again.
        route.used?.();
        await route.path();
        before = await snapshot();
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
}

// ---------------------------------------------------------------------------------------
// Generators

const NASTY = [
  "",
  " ",
  "\t\n",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udc00",
  "\udbff\udfff",
  "💥",
  "\u202egnp.exe",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "null",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "prototype",
  "' OR 1=1 --",
  "'); DROP TABLE tasks; --",
  `$${"{"}jndi:ldap://x}`,
  "%00",
  "../../etc/passwd",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59-23:59",
  "2099-02-30T00:00:00Z",
  "2099-01-01T00:00:00Z",
  "https://hooks.example/\u0000",
  "https://hooks.example/\ud800",
  "javascript:alert(1)",
  "low",
  "critical",
  "state",
  "deploy",
  "00000000-0000-4000-8000-000000000000",
  "a".repeat(5001),
  "b".repeat(10_001),
];

/** Characters that break storage or parsing, mixed with harmless ones. */
const hostileChar = fc.constantFrom(
  "a",
  "Z",
  " ",
  "\u0000",
  "\ud800",
  "\udbff",
  "\udc00",
  "\udfff",
  "😀",
  "é",
  "\\",
  '"',
  "\n",
  "\u2028",
  "\ufeff",
);
const wildString = fc.oneof(
  fc.string({ unit: hostileChar, maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 10 }).map((s) => `${s}\u0000${s}`),
  fc.integer({ min: 95, max: 205 }).map((n) => "z".repeat(n)),
);
const wildNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    1.5,
    2 ** 31,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e21,
    1e308,
    5e-324,
  ),
);
const wildLeaf = fc.oneof(wildString, wildNumber, fc.boolean(), fc.constant(null));
const wild: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: wildLeaf },
  { weight: 1, arbitrary: fc.array(wildLeaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(wildString, wildLeaf, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    // Deep, but under the body limit: the route's own nesting limit and the contract's.
    arbitrary: fc.integer({ min: 20, max: 80 }).map((n) => {
      let v: unknown = "leaf";
      for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
      return v;
    }),
  },
);

/** An ISO date-time in every year PostgreSQL can and cannot store, with odd offsets. */
const isoDate = fc
  .tuple(
    fc.oneof(fc.constantFrom(0, 1, 9999), fc.integer({ min: 0, max: 9999 })),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.constantFrom("Z", "+00:00", "-23:59", "+23:59", "+14:00"),
  )
  .map(
    ([y, m, d, tz]) =>
      `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T23:30:00${tz}`,
  );

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `valid` with the dotted `path` set to `value`, or removed when `value` is REMOVE. */
const REMOVE = Symbol("remove");
function withField(valid: Record<string, unknown>, path: string, value: unknown) {
  const out = structuredClone(valid);
  const parts = path.split(".");
  let at: Record<string, unknown> = out;
  for (const p of parts.slice(0, -1)) {
    const next = at[p];
    if (!isRecord(next)) return out;
    at = next;
  }
  const last = parts.at(-1) as string;
  if (value === REMOVE) delete at[last];
  else at[last] = value;
  return out;
}

/** Corrupt JSON text: truncated, a character replaced, inserted or deleted. */
function corrupted(text: string): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat({ max: Math.max(0, text.length - 1) }),
      fc.constantFrom("truncate", "replace", "insert", "delete"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 3 }),
    )
    .map(([i, how, s]) => {
      switch (how) {
        case "truncate":
          return text.slice(0, i);
        case "replace":
          return text.slice(0, i) + s + text.slice(i + 1);
        case "insert":
          return text.slice(0, i) + s + text.slice(i);
        default:
          return text.slice(0, i) + text.slice(i + 1);
      }
    });
}

interface BodyModel {
  /** A body the route accepts. */
  valid: Record<string, unknown>;
  /** Dotted paths of every field, nested ones included. */
  fields: string[];
  /** Values that are nearly right for some fields (dates, URLs, enums). */
  near?: Record<string, fc.Arbitrary<unknown>>;
}

function inputsFor(model: BodyModel, headers?: fc.Arbitrary<Record<string, string>>) {
  const { valid, fields } = model;
  const valueFor = (field: string) =>
    model.near?.[field] ? fc.oneof(model.near[field] as fc.Arbitrary<unknown>, wild) : wild;
  const topLevel = [...new Set(fields.map((f) => f.split(".")[0] as string))];
  const nested = (prefix: string) =>
    fields.filter((f) => f.startsWith(`${prefix}.`)).map((f) => f.slice(prefix.length + 1));

  // Objects of the route's own field names, any subset, hostile values.
  const fieldObject: fc.Arbitrary<unknown> = fc.record(
    Object.fromEntries(
      topLevel.map((f) => {
        const inner = nested(f);
        const value =
          inner.length > 0
            ? fc.oneof(
                wild,
                fc.record(Object.fromEntries(inner.map((g) => [g, valueFor(`${f}.${g}`)])), {
                  requiredKeys: [],
                }),
              )
            : valueFor(f);
        return [f, value];
      }),
    ),
    { requiredKeys: [] },
  );

  // The valid body with one field set to something else, removed, or a stranger added.
  const nearValid: fc.Arbitrary<unknown> = fc.oneof(
    fc.constantFrom(...fields).chain((f) => valueFor(f).map((v) => withField(valid, f, v))),
    fc.constantFrom(...fields).map((f) => withField(valid, f, REMOVE)),
    fc
      .tuple(fc.constantFrom("", ...topLevel.filter((f) => nested(f).length > 0)), wildString, wild)
      .map(([at, k, v]) => (at === "" ? { ...valid, [k]: v } : withField(valid, `${at}.${k}`, v))),
    fc.constant(valid),
  );

  const json: fc.Arbitrary<Input> = fc
    .oneof(
      { weight: 1, arbitrary: fc.anything() },
      { weight: 1, arbitrary: fc.jsonValue() },
      { weight: 3, arbitrary: fieldObject },
      { weight: 4, arbitrary: nearValid },
    )
    .map((body) => ({ body }));
  const raw: fc.Arbitrary<Input> = fc
    .oneof(
      fc.string({ unit: "binary", maxLength: 60 }),
      corrupted(JSON.stringify(valid)),
      fc.constantFrom("", "{", "nul", "[1,]", "{}}", '{"a":1e400}', "\ufeff{}", "[[[[[[[[[["),
    )
    .map((raw) => ({ raw }));
  const body = fc.oneof({ weight: 4, arbitrary: json }, { weight: 1, arbitrary: raw });
  return headers
    ? fc.tuple(body, fc.option(headers)).map(([b, h]) => (h ? { ...b, headers: h } : b))
    : body;
}

// ---------------------------------------------------------------------------------------
// Targets that a successful call uses up

async function pending(level: keyof typeof ACTIONS = "high") {
  const { task } = await submitTask(api.f.t.db, target, taskBody(ACTIONS[level]), {
    ruleSet,
    maxOpenPerAgent: Number.MAX_SAFE_INTEGER,
  });
  expect(task.status).toBe("pending");
  return { requestId: task.approval_request_id, taskId: task.task_id };
}

async function quarantined() {
  const r = await pending();
  await decideRequest(api.f.t.db, api.f.as.ops2, r.requestId, {
    type: "quarantine",
    reason: "Hold",
  });
  return r;
}

/**
 * A target made on first use and again after each success, up to `budget` times; after that
 * a valid body meets a closed request (409), which is as good a test of the refusal path and
 * keeps the run short.
 */
function reusable(make: () => Promise<string>, budget = 250) {
  let current: string | null = null;
  let left = budget;
  return {
    async path() {
      current ??= await make();
      return current;
    },
    used() {
      if (left-- > 0) current = null;
    },
  };
}

// ---------------------------------------------------------------------------------------
// The routes

const ACTION_FIELDS = [
  "type",
  "operation",
  "environment",
  "resource_type",
  "description",
  "inputs",
  "context",
];
const VALID_ACTION = {
  ...ACTIONS.medium,
  inputs: { replicas: 3, notify: ["a@company.example"] },
  context: { ticket: "OPS-1" },
};

describe("every write route, fuzzed: no 5xx, the one error shape, nothing written on refusal", () => {
  it("the write counter sees a write, and does not see a refusal", async () => {
    const before = await snapshot();
    const refused = await api.call("POST", "/api/tasks", { key: target.key, body: { x: 1 } });
    expect(refused.status).toBe(400);
    expect(await snapshot()).toBe(before);
    const made = await api.call("POST", "/api/tasks", {
      key: target.key,
      body: taskBody(ACTIONS.medium),
    });
    expect(made.status, made.text).toBe(201);
    // A task, its request, audit events and outbox rows: each a row the trigger counted.
    expect(await snapshot()).toBeGreaterThanOrEqual(before + 4);
  });

  it(
    "POST /api/tasks",
    async () => {
      await fuzz({
        name: "POST /api/tasks",
        key: () => api.f.beta.key,
        path: async () => "/api/tasks",
        inputs: inputsFor(
          {
            valid: taskBody(ACTIONS.low, {
              thread_id: "t-1",
              priority: "low",
              callback_url: "https://hooks.example/x",
            }),
            fields: [
              "workflow_id",
              "agent_name",
              "thread_id",
              "priority",
              "callback_url",
              "action",
              ...ACTION_FIELDS.map((f) => `action.${f}`),
            ],
            near: {
              priority: fc.constantFrom("low", "normal", "high", "urgent", "URGENT", "severe"),
              callback_url: fc.oneof(
                fc.webUrl(),
                wildString.map((s) => `https://hooks.example/${s}`),
              ),
            },
          },
          fc
            .stringMatching(/^[\x21-\x7e]{0,3}$|^[\x20-\x7e]{190,210}$/)
            .map((k) => ({ "idempotency-key": k })),
        ),
      });
    },
    TIMEOUT,
  );

  it(
    "POST /api/hitl/assess-risk",
    async () => {
      await fuzz({
        name: "POST /api/hitl/assess-risk",
        key: () => api.f.beta.key,
        path: async () => "/api/hitl/assess-risk",
        inputs: inputsFor({ valid: VALID_ACTION, fields: ACTION_FIELDS }),
      });
    },
    TIMEOUT,
  );

  const DECISIONS = [
    [
      "approve",
      () => keys.ops,
      { justification: "Checked", edited_inputs: { replicas: 2 } },
      ["justification", "edited_inputs", "seen_hash"],
    ],
    ["reject", () => keys.ops, { reason: "Not now" }, ["reason"]],
    ["escalate", () => keys.lead, { reason: "Needs ops" }, ["reason"]],
    ["quarantine", () => keys.ops, { reason: "Suspicious" }, ["reason"]],
    ["release", () => keys.ops, { reason: "Cleared" }, ["reason"]],
  ] as const;

  it.each(DECISIONS)(
    "POST /api/hitl/actions/{id}/%s on a real open request",
    async (verb, key, valid, fields) => {
      const t = reusable(async () => {
        const r = verb === "release" ? await quarantined() : await pending();
        return `/api/hitl/actions/${r.requestId}/${verb}`;
      });
      await fuzz({
        name: verb,
        key,
        path: t.path,
        used: t.used,
        inputs: inputsFor({
          valid,
          fields: [...fields],
          near: { seen_hash: fc.stringMatching(/^[0-9a-fA-F]{63,65}$/) },
        }),
      });
    },
    TIMEOUT,
  );

  it(
    "POST /api/hitl/actions/{id}/checkpoints on a real action",
    async () => {
      const { requestId } = await pending();
      await fuzz({
        name: "checkpoints",
        key: () => target.key,
        path: async () => `/api/hitl/actions/${requestId}/checkpoints`,
        inputs: inputsFor({
          valid: {
            name: "step",
            type: "state",
            data: { cursor: 1 },
            expires_at: "2099-01-01T00:00:00Z",
            correlation_id: "c-1",
            run_id: "9b2f7c1e-3d4a-4b5c-8d6e-7f8091a2b3c4",
          },
          fields: ["name", "type", "data", "expires_at", "correlation_id", "run_id"],
          near: {
            expires_at: isoDate,
            type: fc.constantFrom(
              "state",
              "approval_gate",
              "external_call",
              "timer",
              "error_recovery",
              "snapshot",
            ),
            run_id: fc.uuid(),
          },
        }),
      });
    },
    TIMEOUT,
  );

  it(
    "POST /api/hitl/grants",
    async () => {
      await fuzz({
        name: "grants",
        key: () => keys.lead,
        path: async () => "/api/hitl/grants",
        inputs: inputsFor({
          valid: {
            agent: "nobody",
            agent_name: "feature-dev",
            type_pattern: "deploy*",
            environment: "staging",
            max_uses: 3,
            expires_in_minutes: 60,
            reason: "Release window",
          },
          fields: [
            "agent",
            "agent_name",
            "type_pattern",
            "environment",
            "max_uses",
            "expires_in_minutes",
            "reason",
          ],
          near: {
            type_pattern: fc.stringMatching(/^[a-zA-Z0-9_.:/*?\-[\]{}\\ ]{0,12}$/),
            max_uses: fc.integer({ min: -2, max: 10_002 }),
            expires_in_minutes: fc.integer({ min: -2, max: 10_082 }),
          },
        }),
      });
    },
    TIMEOUT,
  );

  it(
    "POST /api/tasks/{id}/cancel on a real open task",
    async () => {
      const t = reusable(async () => `/api/tasks/${(await pending()).taskId}/cancel`);
      await fuzz({
        name: "cancel",
        key: () => target.key,
        path: t.path,
        used: t.used,
        inputs: inputsFor({ valid: { reason: "Plan changed" }, fields: ["reason"] }),
      });
    },
    TIMEOUT,
  );
});

// ---------------------------------------------------------------------------------------
// Query strings and path parameters

const QUERY_RUNS = 400;
const PATH_RUNS = 1500;

/** A GET writes nothing, whatever its query says. */
async function fuzzQuery(
  path: string,
  key: () => string,
  queries: fc.Arbitrary<string>,
  runs = QUERY_RUNS,
  check: (r: ApiResponse, query: string) => void = () => {},
): Promise<void> {
  const before = await snapshot();
  await fc.assert(
    fc.asyncProperty(queries, async (query) => {
      const r = await api.call("GET", `${path}?${query}`, { key: key() });
      checkResponse(r, query);
      check(r, query);
      expect(await snapshot(), `GET ${path}?${query} wrote rows`).toBe(before);
    }),
    { numRuns: runs, seed: SEED },
  );
}

/** Raw pieces of a query string: bad escapes, empty pairs, an escaped lone surrogate. */
const RAW_QUERY = [
  "",
  "&",
  "&&",
  "=",
  "==",
  "=x",
  "a=b=c",
  "%",
  "%zz",
  "%00",
  "%FF",
  "%C0%80",
  "%ED%A0%80",
  "+",
  "%2B",
  "%26=%3D",
  "__proto__=1",
  "constructor=x",
];
/** Numbers as a query carries them: text, so every spelling a coercion may meet. */
const NUMBER_TEXT = [
  "0",
  "-0",
  "1",
  "-1",
  "1.5",
  "60",
  "61",
  "200",
  "201",
  " 5",
  "5 ",
  "0x10",
  "1e1",
  "1e400",
  "-1e400",
  "9".repeat(400),
  "NaN",
  "Infinity",
  "-Infinity",
  "9007199254740993",
  "",
];
const queryValue = fc.oneof(
  wildString,
  fc.constantFrom(...NUMBER_TEXT),
  fc.integer().map(String),
  fc.double().map(String),
);

/**
 * A query string of the route's own keys (often repeated: the last one wins), strangers,
 * hostile keys and values, and raw fragments; URLSearchParams escapes what it can (a lone
 * surrogate becomes U+FFFD, as a real client's would).
 */
function queryOf(own: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(own);
  const pair = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...names)
        .chain((k) =>
          fc.tuple(fc.constant(k), fc.oneof(own[k] as fc.Arbitrary<string>, queryValue)),
        ),
    },
    { weight: 1, arbitrary: fc.tuple(wildString, queryValue) },
  );
  const part = fc.oneof(
    { weight: 5, arbitrary: pair.map((p) => new URLSearchParams([p]).toString()) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY) },
  );
  return fc.array(part, { maxLength: 6 }).map((parts) => parts.join("&"));
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v) ?? "null").toString("base64url");

/** Cursors this server never issued: JSON of every shape, and near-valid keyset tuples. */
const forgedCursor = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map(b64url),
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(0, 1, 3, -1, 1e20, -1e20, 2 ** 31, 2 ** 53, 1.5, "3", null),
        fc.integer(),
      ),
      fc.oneof(isoDate, fc.constantFrom("2024", "2024-01-01T00:00:00Z", "x", ""), wildString),
      fc.oneof(fc.uuid(), fc.constantFrom("x", "00000000-0000-0000-0000-000000000000")),
    )
    .map(b64url),
  fc.constantFrom(
    b64url([1e20, "2024", "x"]),
    b64url([1e20, "2024-01-01T00:00:00Z", "00000000-0000-4000-8000-000000000000"]),
    b64url([3, "2024-01-01T00:00:00Z", "00000000-0000-4000-8000-000000000000"]),
    b64url([3, "0000-01-01T00:00:00Z", "00000000-0000-4000-8000-000000000000"]),
    b64url({ rank: 3 }),
  ),
  fc.uint8Array({ maxLength: 48 }).map((b) => Buffer.from(b).toString("base64url")),
);

/** Keeps only the characters encodeURIComponent can encode (no lone surrogates). */
const encodeSegment = (s: string) => encodeURIComponent(s.toWellFormed());

/** Like api.call, but an event stream that opened is closed rather than read to its end. */
async function callStreamSafe(
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: CallOptions,
): Promise<ApiResponse> {
  const response = await api.fetch(method, path, options);
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    await response.body?.cancel();
    return { status: response.status, headers: response.headers, text: "", json: undefined };
  }
  return readResponse(response);
}

describe("every query string and path parameter, fuzzed: no 5xx, the one shape, no writes", () => {
  it(
    "GET /api/tasks/{id}?wait= on a closed task",
    async () => {
      const { taskId } = await pending();
      const cancelled = await api.call("POST", `/api/tasks/${taskId}/cancel`, {
        key: target.key,
        body: { reason: "Closed for the fuzz" },
      });
      expect(cancelled.status, cancelled.text).toBe(200);
      // Closed, so any wait the route accepts answers at once.
      await fuzzQuery(
        `/api/tasks/${taskId}`,
        () => target.key,
        queryOf({ wait: fc.integer({ min: -2, max: 62 }).map(String) }),
      );
    },
    TIMEOUT,
  );

  it(
    "GET /api/hitl/grants?active=",
    async () => {
      await fuzzQuery(
        "/api/hitl/grants",
        () => keys.lead,
        queryOf({ active: fc.constantFrom("true", "false", "TRUE", "1", "yes", "") }),
      );
    },
    TIMEOUT,
  );

  it(
    "GET /api/hitl/approval-queue?status=&risk_level=&agent=&workflow_id=&limit=&actionable=",
    async () => {
      // Two open requests at least, so a page of one has a next cursor to mutate.
      await pending();
      await pending();
      const page = await api.call("GET", "/api/hitl/approval-queue?limit=1", { key: keys.ops });
      expect(page.status, page.text).toBe(200);
      const issued = page.json.next_cursor as string;
      expect(typeof issued).toBe("string");
      await fuzzQuery(
        "/api/hitl/approval-queue",
        () => keys.ops,
        queryOf({
          status: fc.constantFrom("pending", "escalated", "quarantined", "approved", "PENDING"),
          risk_level: fc.constantFrom("low", "medium", "high", "critical", "severe"),
          agent: fc.constantFrom(target.agent, "alpha", "beta", "%"),
          workflow_id: fc.constantFrom("wf-1", "%", "_", "*"),
          limit: fc.constantFrom(...NUMBER_TEXT),
          actionable: fc.constantFrom("true", "false", "1"),
          cursor: fc.oneof(fc.constant(issued), corrupted(issued)),
        }),
        1000,
      );
    },
    TIMEOUT,
  );

  it(
    "GET /api/hitl/approval-queue?cursor= forged: a 400 at query.cursor",
    async () => {
      // Expected to fail until the queue cursor is signed: today a forged cursor that decodes
      // is taken at its word (a 200, or a 500 for a rank like 1e20).
      await fuzzQuery(
        "/api/hitl/approval-queue",
        () => keys.ops,
        fc
          .tuple(forgedCursor, fc.option(fc.constantFrom("limit=1", "status=pending")))
          .map(([c, extra]) => [`cursor=${c}`, ...(extra ? [extra] : [])].join("&")),
        500,
        (r, query) => {
          expect(r.status, `${query}: ${r.text.slice(0, 300)}`).toBe(400);
          expect(
            (r.json.error.details as { path: string }[]).map((d) => d.path),
            query,
          ).toContain("query.cursor");
        },
      );
    },
    TIMEOUT,
  );

  it(
    "every {id} and {checkpoint} in every path",
    async () => {
      const { requestId, taskId } = await pending();
      const saved = await api.call("POST", `/api/hitl/actions/${requestId}/checkpoints`, {
        key: target.key,
        body: { name: "step", type: "state", data: { cursor: 1 } },
      });
      expect(saved.status, saved.text).toBe(201);
      const checkpointId = saved.json.checkpoint_id as string;
      const real = [requestId, taskId, checkpointId];

      type Route = {
        method: "GET" | "POST" | "DELETE";
        path: (id: string, checkpoint: string) => string;
        key: () => string;
        body?: unknown;
      };
      const decision = (verb: string, key: () => string, body: unknown): Route => ({
        method: "POST",
        path: (id) => `/api/hitl/actions/${id}/${verb}`,
        key,
        body,
      });
      const ROUTES: Route[] = [
        { method: "GET", path: (id) => `/api/tasks/${id}`, key: () => target.key },
        { method: "GET", path: (id) => `/api/tasks/${id}/events`, key: () => target.key },
        {
          method: "POST",
          path: (id) => `/api/tasks/${id}/cancel`,
          key: () => target.key,
          body: { reason: "Plan changed" },
        },
        { method: "POST", path: (id) => `/api/tasks/${id}/resume`, key: () => target.key },
        decision("approve", () => keys.ops, { justification: "Checked" }),
        decision("reject", () => keys.ops, { reason: "Not now" }),
        decision("escalate", () => keys.lead, { reason: "Needs ops" }),
        decision("quarantine", () => keys.ops, { reason: "Suspicious" }),
        decision("release", () => keys.ops, { reason: "Cleared" }),
        {
          method: "GET",
          path: (id) => `/api/hitl/actions/${id}/checkpoints`,
          key: () => target.key,
        },
        {
          method: "POST",
          path: (id) => `/api/hitl/actions/${id}/checkpoints`,
          key: () => target.key,
          body: { name: "step", type: "state", data: {} },
        },
        {
          method: "GET",
          path: (id, c) => `/api/hitl/actions/${id}/checkpoints/${c}`,
          key: () => target.key,
        },
        {
          method: "POST",
          path: (id, c) => `/api/hitl/actions/${id}/checkpoints/${c}/resume`,
          key: () => target.key,
        },
        { method: "DELETE", path: (id) => `/api/hitl/grants/${id}`, key: () => keys.lead },
      ];

      // Real ids, and near misses of them: another case, braces, a prefix, a space, no dashes.
      const nearReal = fc
        .tuple(
          fc.constantFrom(...real),
          fc.constantFrom(
            (s: string) => s,
            (s: string) => s.toUpperCase(),
            (s: string) => `{${s}}`,
            (s: string) => `urn:uuid:${s}`,
            (s: string) => ` ${s}`,
            (s: string) => `${s}\u0000`,
            (s: string) => s.replaceAll("-", ""),
            (s: string) => s.slice(0, -1),
            (s: string) => `${s}/..`,
          ),
        )
        .map(([s, f]) => f(s));
      const segment = fc.oneof(
        { weight: 4, arbitrary: wildString },
        { weight: 2, arbitrary: nearReal },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.constantFrom(".", "..", "%", "%2F", "a/b", "?x=1", "#", "\\") },
        { weight: 1, arbitrary: fc.constantFrom("step", "STEP", " step", "step\u0000") },
      );

      let before = await snapshot();
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: ROUTES.length - 1 }),
          segment,
          segment,
          async (which, id, checkpoint) => {
            const route = ROUTES[which] as Route;
            const path = route.path(encodeSegment(id), encodeSegment(checkpoint));
            const input = { path, body: route.body };
            const r = await callStreamSafe(route.method, path, {
              key: route.key(),
              ...(route.body === undefined ? {} : { body: route.body }),
            });
            // "." and ".." segments resolve to another path, which may not take this method.
            checkResponse(r, input, [...ERROR_STATUSES, 405]);
            if (r.status >= 400) {
              expect(await snapshot(), `a ${r.status} wrote rows: ${path}`).toBe(before);
            } else {
              before = await snapshot();
            }
          },
        ),
        { numRuns: PATH_RUNS, seed: SEED },
      );
    },
    TIMEOUT,
  );
});
