// Every way to miss a handler still answers the one JSON error shape: each route file answers
// the methods it does not serve with a 405 that names the allowed ones, and any other path
// under /api/ with a 404. The route files are found on disk, so a new one cannot skip this.
import { join } from "node:path";
import { autoImplementMethods } from "next/dist/server/route-modules/app-route/helpers/auto-implement-methods";
import { isDynamicRoute } from "next/dist/shared/lib/router/utils/is-dynamic";
import { getRouteRegex } from "next/dist/shared/lib/router/utils/route-regex";
import { sortPages } from "next/dist/shared/lib/router/utils/sortable-routes";
import { getSortedRoutes } from "next/dist/shared/lib/router/utils/sorted-routes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES } from "@/app/api/routes";
import {
  type ApiHarness,
  createApiHarness,
  DOCUMENTED_ROUTES,
  errorShape,
  ROUTE_FILES,
} from "@/test-support/api";
import type { RouteMethod } from "./fallback";

const ROUTE_METHODS: RouteMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const CATCH_ALL = "/api/[...path]";
const ID = "0b6f8e0e-8a5b-4c1e-9d7f-3a2b1c0d9e8f";

type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => unknown;
type Module = Record<string, unknown>;

const PAGES = ROUTE_FILES;
const ROUTE_PAGES = PAGES.filter((p) => p.page !== CATCH_ALL);

const load = (file: string): Promise<Module> => import(join(process.cwd(), file));

/** The same route in either spelling: /api/tasks/[id] and /api/tasks/{id} → /api/tasks/*. */
const shape = (path: string) => path.replace(/\[[^\]]+\]|\{[^}]+\}/g, "*");
/** The page with each dynamic segment filled in. */
const concrete = (page: string) => page.replace(/\[[^\]]+\]/g, ID);

/** Routes of the browser, not of the agents' API contract (so not in the OpenAPI document). */
const BROWSER_ROUTES: Record<string, RouteMethod[]> = {
  "/api/auth/[...nextauth]": ["GET", "POST"],
  "/api/dashboard/events": ["GET"],
  "/api/dashboard/[read]": ["GET"],
};

function documentedMethods(page: string): RouteMethod[] {
  const browser = BROWSER_ROUTES[page];
  if (browser) return browser;
  const methods = new Set(
    DOCUMENTED_ROUTES.filter((r) => shape(r.path) === shape(page)).map(
      (r) => r.method.toUpperCase() as RouteMethod,
    ),
  );
  return ROUTE_METHODS.filter((m) => methods.has(m));
}

/** What Next's own OPTIONS would list for a module of only these methods (HEAD from GET). */
function allowOf(methods: RouteMethod[]): string {
  const real = Object.fromEntries(methods.map((m) => [m, async () => new Response(null)]));
  const served = autoImplementMethods(real);
  return (served.OPTIONS as () => Response)().headers.get("allow") as string;
}

async function invoke(mod: Module, method: string, path: string): Promise<Response> {
  const handler = mod[method] as Handler;
  const req = new Request(new URL(path, "http://airlock.test"), { method });
  return (await handler(req, { params: Promise.resolve({}) })) as Response;
}

async function expectError(response: Response, status: number, code: string, message: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = await response.json();
  expect(errorShape.safeParse(body).success, JSON.stringify(body)).toBe(true);
  expect(body).toEqual({ error: { code, message } });
}

/** Route files app/api/routes.ts does not list: the browser's, the catch-all, the document. */
const UNLISTED = [...Object.keys(BROWSER_ROUTES), CATCH_ALL, "/api/openapi.json"];

describe("app/api/routes.ts, the routes the OpenAPI document is built from", () => {
  it("lists every route file but the browser's, the catch-all and the document itself", async () => {
    const listed = new Set<unknown>(API_ROUTES);
    for (const { file, page } of PAGES) {
      const mod = await load(file);
      expect(listed.has(mod), `${page} (${file})`).toBe(!UNLISTED.includes(page));
    }
    expect(listed.size).toBe(PAGES.length - UNLISTED.length);
  });
});

describe("a method a route does not serve: 405 in the one shape, Allow the truth", () => {
  it("finds the route files", () => {
    expect(ROUTE_PAGES.length).toBeGreaterThanOrEqual(20);
    expect(PAGES.map((p) => p.page)).toContain(CATCH_ALL);
  });

  it.each(ROUTE_PAGES)("$page", async ({ file, page }) => {
    const mod = await load(file);
    const served = documentedMethods(page);
    expect(served.length, `${page} is not in the OpenAPI document`).toBeGreaterThan(0);
    const allow = allowOf(served);
    const path = concrete(page);
    const next = autoImplementMethods(mod as Parameters<typeof autoImplementMethods>[0]);

    for (const method of ROUTE_METHODS) {
      expect(typeof mod[method], `${page} exports no ${method}`).toBe("function");
      if (served.includes(method)) continue;
      const response = await invoke(mod, method, path);
      await expectError(
        response,
        405,
        "method_not_allowed",
        `${method} is not allowed on ${path}; use ${served.join(" or ")}`,
      );
      expect(response.headers.get("allow")).toBe(allow);
    }

    if (served.includes("GET")) {
      // Next answers HEAD with the route's GET, as Allow says.
      expect(mod.HEAD).toBeUndefined();
      expect(next.HEAD).toBe(mod.GET);
    } else {
      const head = await invoke(mod, "HEAD", path);
      expect(head.status).toBe(405);
      expect(head.headers.get("allow")).toBe(allow);
      expect(next.HEAD).toBe(mod.HEAD);
    }
    // Next's own OPTIONS would list the fallbacks as allowed; the route's lists only its own.
    expect(next.OPTIONS).toBe(mod.OPTIONS);
    const options = await invoke(mod, "OPTIONS", path);
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe(allow);
  });
});

describe("a path under /api/ with no route: 404 in the one shape", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  const UNKNOWN = [
    "/api/nope",
    "/api/tasks/x/y/z",
    `/api/tasks/${ID}/events/more`,
    "/api/hitl",
    `/api/hitl/actions/${ID}`,
    `/api/hitl/actions/${ID}/checkpoints/a/b/c`,
    "/api/openapi.yaml",
    "/api/%F0%9F%92%A5",
    "/api/%FF%00",
  ];

  it("Next's route order puts every route before the catch-all, and only misses reach it", () => {
    const pages = PAGES.map((p) => p.page);
    // The build's manifest order and the dev server's: statics, then dynamics by specificity.
    for (const sorted of [sortPages(pages), getSortedRoutes(pages)]) {
      const match = (path: string) =>
        pages.find((p) => !isDynamicRoute(p) && p === path) ??
        sorted.filter((p) => isDynamicRoute(p)).find((p) => getRouteRegex(p).re.test(path));
      for (const page of ROUTE_PAGES.map((p) => p.page)) {
        expect(match(concrete(page))).toBe(page);
      }
      for (const path of UNKNOWN) expect(match(path), path).toBe(CATCH_ALL);
    }
  });

  it.each(UNKNOWN)("%s, every method", async (path) => {
    for (const method of ["GET", "POST", "DELETE"] as const) {
      await expectError(
        await api.fetch(method, path, method === "GET" ? {} : { body: {} }),
        404,
        "not_found",
        `No API route at ${method} ${path}`,
      );
    }
    const mod = await load(`app${CATCH_ALL}/route.ts`);
    for (const method of ["PUT", "PATCH", "OPTIONS"]) {
      await expectError(
        await invoke(mod, method, path),
        404,
        "not_found",
        `No API route at ${method} ${path}`,
      );
    }
    expect((await invoke(mod, "HEAD", path)).status).toBe(404);
  });
});
