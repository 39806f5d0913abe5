import { afterEach, describe, expect, it, vi } from "vitest";

// With the database gone, every route answers 503 with Retry-After and the one error shape.
describe("database unavailable", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ["POST /api/tasks", () => import("@/app/api/tasks/route"), "POST", "/api/tasks", {}],
    [
      "GET /api/tasks/{id}",
      () => import("@/app/api/tasks/[id]/route"),
      "GET",
      "/api/tasks/x",
      { id: "00000000-0000-4000-8000-000000000000" },
    ],
    [
      "GET /api/hitl/approval-queue",
      () => import("@/app/api/hitl/approval-queue/route"),
      "GET",
      "/api/hitl/approval-queue",
      {},
    ],
  ] as const)("%s → 503", async (_name, load, method, path, params) => {
    vi.resetModules();
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    vi.stubEnv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none");
    const { closeDb } = await import("@/db/client");
    const route = (await load()) as unknown as Record<
      string,
      (r: Request, c: unknown) => Promise<Response>
    >;
    const handler = route[method];
    if (!handler) throw new Error(`no ${method} handler`);
    try {
      const response = await handler(
        new Request(`http://airlock.test${path}`, {
          method,
          headers: {
            authorization: `Bearer alk_${"a".repeat(43)}`,
            "content-type": "application/json",
          },
          body: method === "POST" ? "{}" : undefined,
        }),
        { params: Promise.resolve(params) },
      );
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: { code: "unavailable", message: "The database is unavailable; try again shortly" },
      });
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\.ts:/);
    } finally {
      await closeDb().catch(() => {});
    }
  });
});
