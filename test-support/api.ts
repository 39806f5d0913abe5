// Calls the real route handlers in-process, as Next.js would, against a fixture database:
// the API suites run on PGlite and PostgreSQL without a server.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isDynamicRoute } from "next/dist/shared/lib/router/utils/is-dynamic";
import { getRouteRegex } from "next/dist/shared/lib/router/utils/route-regex";
import { getSortedRoutes } from "next/dist/shared/lib/router/utils/sorted-routes";
import { z } from "zod";
import { API_ROUTES } from "@/app/api/routes";
import { setDbForTesting } from "@/db/client";
import { documentedRoutes } from "@/lib/api/openapi";
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
  ctx: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;
type RouteModule = Partial<Record<"GET" | "POST" | "DELETE", Handler>>;

/** Each app/api route file as its Next.js page: app/api/tasks/[id]/route.ts → /api/tasks/[id]. */
export const ROUTE_FILES = (readdirSync("app/api", { recursive: true }) as string[])
  .filter((f) => /(^|\/)route\.ts$/.test(f))
  .map((f) => ({ file: join("app/api", f), page: `/api/${f}`.replace(/\/?route\.ts$/, "") }))
  .sort((a, b) => a.page.localeCompare(b.page));

/** The route files in the order Next.js matches them: static pages, then dynamic ones by
 * specificity (the catch-all last), each with its pattern. */
const MATCHERS = getSortedRoutes(ROUTE_FILES.map((r) => r.page))
  .sort((a, b) => Number(isDynamicRoute(a)) - Number(isDynamicRoute(b)))
  .map((page) => ({
    file: ROUTE_FILES.find((r) => r.page === page)?.file as string,
    route: getRouteRegex(page),
  }));

/** A path segment decoded, or as it came when it is no valid percent-encoding. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route file Next.js would call for this path, and its params (decoded, as Next does). */
function routeOf(pathname: string) {
  for (const { file, route } of MATCHERS) {
    const m = route.re.exec(pathname);
    if (!m) continue;
    const params: Record<string, string | string[]> = {};
    for (const [name, group] of Object.entries(route.groups)) {
      const raw = m[group.pos];
      if (raw === undefined) continue;
      params[name] = group.repeat ? raw.split("/").map(decoded) : decoded(raw);
    }
    return { file, params };
  }
  return null;
}

/** Every route the OpenAPI document lists, as the document lists it. */
export const DOCUMENTED_ROUTES = documentedRoutes(API_ROUTES).map(({ method, path, auth }) => ({
  method,
  path,
  auth,
}));

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
    const found = routeOf(url.pathname);
    if (found) {
      const { file, params } = found;
      const mod = (await import(join(process.cwd(), file))) as RouteModule;
      const handler = mod[method as "GET"];
      if (!handler) return new Response(null, { status: 405 });
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
