import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

// The built server itself refuses to start on an invalid configuration (fail closed), and
// says which file, line and path are wrong.
test("next start stops with a precise message when a config file is invalid", () => {
  const root = path.join(__dirname, "..", "..");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-badconfig-"));
  try {
    const dir = path.join(scratch, "config");
    mkdirSync(dir);
    for (const f of ["risk-rules.yaml", "approval-policies.yaml"]) {
      copyFileSync(path.join(root, "config", "hitl", f), path.join(dir, f));
    }
    const rules = path.join(dir, "risk-rules.yaml");
    writeFileSync(
      rules,
      readFileSync(rules, "utf8").replace("timeout_minutes: 120", "timeout_minutes: two hours"),
    );
    const result = spawnSync("npx", ["next", "start", "-p", "3199"], {
      cwd: root,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: "1",
        HITL_CONFIG_DIR: dir,
        AIRLOCK_DATA_DIR: path.join(scratch, "data"),
        DATABASE_URL: "",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /Airlock cannot start: Invalid HITL configuration:\n\s+\S*risk-rules\.yaml:\d+ levels\.critical\.timeout_minutes: expected an integer/,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
