import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// The built app on its own port, started the way a new user starts it (`npm run demo`, minus
// the build), on a fresh database: a new embedded one in a temporary directory, or
// E2E_DATABASE_URL when the test command created one on a server. The demo's keys land in
// the data directory, where the specs read them (workers inherit E2E_DATA_DIR).
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
if (!process.env.E2E_DATA_DIR) {
  process.env.E2E_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), "airlock-e2e-"));
  // The cleanup reporter removes it (and only it: never a directory the caller passed in).
  process.env.E2E_DATA_DIR_CREATED = "1";
}
const dataDir = process.env.E2E_DATA_DIR;
export const E2E_OUTPUT_DIR = path.join(os.tmpdir(), "airlock-e2e-results");
const databaseUrl = process.env.E2E_DATABASE_URL ?? "";

export default defineConfig({
  testDir: ".",
  outputDir: E2E_OUTPUT_DIR,
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [
    ["list"],
    ...(process.env.E2E_JSON_REPORT
      ? [["json", { outputFile: process.env.E2E_JSON_REPORT }] as const]
      : []),
    ["./cleanup-reporter.ts"],
  ],
  use: {
    baseURL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `npm run --silent demo -- --no-build --port ${port}`,
    // Playwright loads this file as CommonJS.
    cwd: path.join(__dirname, ".."),
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      AIRLOCK_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      NEXTAUTH_URL: baseURL,
      NEXTAUTH_SECRET: "e2e-secret-not-for-production-0123456789",
    },
  },
});
