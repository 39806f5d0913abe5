import { describe, expect, it } from "vitest";
import { mcpConfig } from "./config";

describe("mcpConfig", () => {
  const env = { AIRLOCK_URL: "http://localhost:3000", AIRLOCK_API_KEY: "alk_test" };

  it("needs the URL and the agent key, and names each that is missing", () => {
    expect(mcpConfig({})).toEqual({
      ok: false,
      problem: expect.stringMatching(/^AIRLOCK_URL is not set .*; AIRLOCK_API_KEY is not set /),
    });
    expect(mcpConfig({ ...env, AIRLOCK_URL: "" })).toMatchObject({ ok: false });
    expect(mcpConfig({ ...env, AIRLOCK_URL: "file:///etc/passwd" })).toEqual({
      ok: false,
      problem: "AIRLOCK_URL must be the http(s) URL where Airlock serves",
    });
    expect(mcpConfig({ ...env, AIRLOCK_MCP_PROGRESS_MS: "5" })).toMatchObject({ ok: false });
  });

  it("labels a session's requests with one workflow of its own unless told otherwise", () => {
    const a = mcpConfig(env);
    const b = mcpConfig(env);
    if (!a.ok || !b.ok) throw new Error("expected a configuration");
    expect(a.config).toMatchObject({ agentName: "mcp", progressMs: 15_000 });
    expect(a.config.workflowId).toMatch(/^mcp-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(a.config.workflowId).not.toBe(b.config.workflowId);
    expect(
      mcpConfig({ ...env, AIRLOCK_WORKFLOW_ID: "release-42", AIRLOCK_AGENT_NAME: "claude" }),
    ).toMatchObject({ ok: true, config: { workflowId: "release-42", agentName: "claude" } });
  });
});
