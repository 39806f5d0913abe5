import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";

// The route reads the process environment on first use, so each case sets it and loads a
// fresh copy of the modules.
async function loadRoute(environment: Record<string, string>) {
  vi.resetModules();
  for (const [k, v] of Object.entries(environment)) vi.stubEnv(k, v);
  const { closeDb } = await import("@/db/client");
  const { GET } = await import("./route");
  return { GET, closeDb };
}

describe("GET /api/health", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("answers ok when the database answers", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-health-"));
    const url = process.env.DATABASE_URL ?? "";
    const { GET, closeDb } = await loadRoute(
      url ? { DATABASE_URL: url } : { DATABASE_URL: "", AIRLOCK_DATA_DIR: dir },
    );
    try {
      const response = await GET();
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok", database: "ok" });
    } finally {
      await closeDb();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers 503 degraded, with Retry-After and no internals, when the database is unreachable", async () => {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const { GET, closeDb } = await loadRoute({
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/none",
    });
    try {
      const response = await GET();
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ status: "degraded", database: "unreachable" });
      expect(text).not.toMatch(/ECONNREFUSED|at .*\.ts|127\.0\.0\.1/);
    } finally {
      await closeDb().catch(() => {});
    }
  });
});
