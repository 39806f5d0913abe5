import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ApiHarness, createApiHarness } from "@/test-support/api";

// The environment is read once per process: set before anything reads it.
const TOKEN = vi.hoisted(() => {
  const token = "metrics-token-for-the-scraper-0123";
  process.env.HITL_METRICS_TOKEN = token;
  return token;
});

describe("/api/metrics with HITL_METRICS_TOKEN", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    delete process.env.HITL_METRICS_TOKEN;
    await api?.f.t.destroy();
  });

  it("answers the scraper that sends the token, and nobody else (not even an API key)", async () => {
    const ok = await api.call("GET", "/api/metrics", {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("airlock_open_requests");
    for (const authorization of [undefined, "Bearer wrong-token", `Bearer ${TOKEN}x`, TOKEN]) {
      const refused = await api.call("GET", "/api/metrics", {
        headers: authorization ? { authorization } : {},
      });
      expect(refused.status, String(authorization)).toBe(401);
      expect(refused.json.error).toMatchObject({ code: "unauthorized" });
      expect(refused.text).not.toContain("airlock_");
    }
    const withKey = await api.call("GET", "/api/metrics", { key: api.f.alpha.key });
    expect(withKey.status).toBe(401);
  });
});
