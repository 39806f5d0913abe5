import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";

// Each test imports the whole server afresh (vi.resetModules): seconds of transforms on a busy
// machine, over Vitest's default 5 s.
describe("startServer", { timeout: 30_000 }, () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it("stops the process with a message naming the file and the problem when the config is invalid", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-badconfig-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, "risk-rules.yaml"), "levels: [unclosed\n");
    writeFileSync(path.join(dir, "approval-policies.yaml"), "roles: {}\n");
    vi.resetModules();
    vi.stubEnv("HITL_CONFIG_DIR", dir);
    const exit = vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { startServer } = await import("./startup");
    await expect(startServer()).rejects.toThrow("exit 1");
    expect(exit).toHaveBeenCalledWith(1);
    expect(String(error.mock.calls[0]?.[0])).toMatch(
      /^Airlock cannot start: .*risk-rules\.yaml:2: YAML syntax error/s,
    );
  });

  it("stops the process when the environment is invalid", async () => {
    vi.resetModules();
    vi.stubEnv("HITL_DEFAULT_RISK_LEVEL", "severe");
    vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const { startServer } = await import("./startup");
    await expect(startServer()).rejects.toThrow("exit 1");
    expect(String(error.mock.calls[0]?.[0])).toContain("HITL_DEFAULT_RISK_LEVEL");
  });
});
