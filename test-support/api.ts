// Calls the real route handlers in-process, as Next.js would, against a fixture database:
// the API suites run on PGlite and PostgreSQL without a server.
import { z } from "zod";
import { setDbForTesting } from "@/db/client";
import { createFixture, type Fixture, TEST_OPERATOR } from "./services";

/** Exactly the one error shape, nothing more (stricter than the contract's schema). */
export const errorShape = z.strictObject({
  error: z.strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    details: z.unknown().optional(),
  }),
});

/** `details` of a 400: each bad field and what is wrong with it. */
export const fieldDetails = z
  .array(z.strictObject({ path: z.string(), message: z.string() }))
  .min(1);

type Handler = (
  req: Request,
  ctx: { params: Promise<Record<string, string>> },
) => Promise<Response>;
type RouteModule = Partial<Record<"GET" | "POST" | "DELETE", Handler>>;

// Path patterns in the order Next.js would match them (static segments before dynamic).
const ROUTES: [RegExp, string[], () => Promise<RouteModule>][] = [
  [/^\/api\/health$/, [], () => import("@/app/api/health/route")],
  [/^\/api\/metrics$/, [], () => import("@/app/api/metrics/route")],
  [/^\/api\/openapi\.json$/, [], () => import("@/app/api/openapi.json/route")],
  [/^\/api\/tasks$/, [], () => import("@/app/api/tasks/route")],
  [/^\/api\/tasks\/([^/]+)$/, ["id"], () => import("@/app/api/tasks/[id]/route")],
  [/^\/api\/tasks\/([^/]+)\/events$/, ["id"], () => import("@/app/api/tasks/[id]/events/route")],
  [/^\/api\/tasks\/([^/]+)\/cancel$/, ["id"], () => import("@/app/api/tasks/[id]/cancel/route")],
  [/^\/api\/tasks\/([^/]+)\/resume$/, ["id"], () => import("@/app/api/tasks/[id]/resume/route")],
  [/^\/api\/dashboard\/events$/, [], () => import("@/app/api/dashboard/events/route")],
  [/^\/api\/dashboard\/([^/]+)$/, ["read"], () => import("@/app/api/dashboard/[read]/route")],
  [/^\/api\/hitl\/assess-risk$/, [], () => import("@/app/api/hitl/assess-risk/route")],
  [/^\/api\/hitl\/risk-rules$/, [], () => import("@/app/api/hitl/risk-rules/route")],
  [/^\/api\/hitl\/approval-queue$/, [], () => import("@/app/api/hitl/approval-queue/route")],
  [/^\/api\/hitl\/grants$/, [], () => import("@/app/api/hitl/grants/route")],
  [/^\/api\/hitl\/grants\/([^/]+)$/, ["id"], () => import("@/app/api/hitl/grants/[id]/route")],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/approve$/,
    ["id"],
    () => import("@/app/api/hitl/actions/[id]/approve/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/reject$/,
    ["id"],
    () => import("@/app/api/hitl/actions/[id]/reject/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/escalate$/,
    ["id"],
    () => import("@/app/api/hitl/actions/[id]/escalate/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/quarantine$/,
    ["id"],
    () => import("@/app/api/hitl/actions/[id]/quarantine/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/release$/,
    ["id"],
    () => import("@/app/api/hitl/actions/[id]/release/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/checkpoints$/,
    ["id"],
    () => import("@/app/api/hitl/actions/[id]/checkpoints/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/checkpoints\/([^/]+)$/,
    ["id", "checkpoint"],
    () => import("@/app/api/hitl/actions/[id]/checkpoints/[checkpoint]/route"),
  ],
  [
    /^\/api\/hitl\/actions\/([^/]+)\/checkpoints\/([^/]+)\/resume$/,
    ["id", "checkpoint"],
    () => import("@/app/api/hitl/actions/[id]/checkpoints/[checkpoint]/resume/route"),
  ],
  // Last, as in Next.js: a catch-all matches only what no other route does.
  [/^\/api\/./, [], () => import("@/app/api/[...path]/route")],
];

/** The path of a dashboard read (GET /api/dashboard/{read}?q=), as the pages' caller makes it. */
export function readPath(name: string, input: unknown = {}): string {
  return `/api/dashboard/${name}?q=${encodeURIComponent(JSON.stringify(input))}`;
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  /** Sent as is instead of JSON-encoding `body`. */
  raw?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface ApiHarness {
  f: Fixture;
  /** Reviewer keys per person, created on demand. */
  reviewerKey(person: keyof Fixture["users"]): Promise<string>;
  call(
    method: "GET" | "POST" | "DELETE",
    path: string,
    options?: CallOptions,
  ): Promise<ApiResponse>;
  /** The raw Response (for streams). */
  fetch(method: "GET" | "POST" | "DELETE", path: string, options?: CallOptions): Promise<Response>;
}

/** A response's status, headers, text and (when it is JSON) parsed body. */
export async function readResponse(response: Response): Promise<ApiResponse> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function createApiHarness(): Promise<ApiHarness> {
  const f = await createFixture();
  setDbForTesting(f.t);
  const keys = new Map<string, string>();
  const { createApiKey } = await import("@/lib/services/accounts/keys");

  async function fetchRoute(method: string, path: string, o: CallOptions = {}): Promise<Response> {
    const url = new URL(path, "http://airlock.test");
    for (const [pattern, names, load] of ROUTES) {
      const m = url.pathname.match(pattern);
      if (!m) continue;
      const handler = (await load())[method as "GET"];
      if (!handler) return new Response(null, { status: 405 });
      const params = Object.fromEntries(
        names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]),
      );
      const headers = new Headers(o.headers);
      if (o.key) headers.set("authorization", `Bearer ${o.key}`);
      const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      if (body !== undefined) {
        if (!headers.has("content-type")) headers.set("content-type", "application/json");
        if (!headers.has("content-length"))
          headers.set("content-length", String(Buffer.byteLength(body)));
      }
      const req = new Request(url, { method, headers, body, signal: o.signal });
      return handler(req, { params: Promise.resolve(params) });
    }
    return new Response(null, { status: 404 });
  }

  return {
    f,
    async reviewerKey(person) {
      let key = keys.get(person);
      if (!key) {
        key = (await createApiKey(f.t.db, TEST_OPERATOR, { user: f.users[person].email })).key;
        keys.set(person, key);
      }
      return key;
    },
    fetch: fetchRoute,
    async call(method, path, o) {
      return readResponse(await fetchRoute(method, path, o));
    },
  };
}
