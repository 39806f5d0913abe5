import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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
// The SDK is packed once, by the set-up (e2e/sdk.setup.ts), before any lane starts: packing
// rebuilds packages/sdk/dist in place, which the CLI and the servers the lanes start load.
process.env.AIRLOCK_SDK_TARBALL ??= path.join(dataDir, "airlock-sdk.tgz");
export const E2E_OUTPUT_DIR = path.join(os.tmpdir(), "airlock-e2e-results");
const databaseUrl = process.env.E2E_DATABASE_URL ?? "";
const serverLog = process.env.E2E_SERVER_LOG;

// The shipped rules, except that low-risk actions wait (for a minute) instead of passing: the
// journeys need a request whose countdown runs out while a reviewer watches.
const configDir = path.join(dataDir, "hitl");
cpSync(path.join(__dirname, "..", "config", "hitl"), configDir, { recursive: true });
const rulesFile = path.join(configDir, "risk-rules.yaml");
const shipped = readFileSync(rulesFile, "utf8");
const shortLow = shipped.replace(
  "  low:\n    auto_approve: true\n    timeout_minutes: 5\n",
  "  low:\n    auto_approve: false\n    timeout_minutes: 1\n",
);
if (shortLow === shipped) throw new Error("e2e: the low level of risk-rules.yaml changed shape");
writeFileSync(rulesFile, shortLow);

/** The local OIDC provider the OIDC spec starts (oidc-provider), and how the app reaches it. */
export const OIDC = {
  port: Number(process.env.E2E_OIDC_PORT ?? 3190),
  clientId: "airlock-e2e",
  clientSecret: "e2e-oidc-secret-not-for-production",
};
/** The specs that install the packed SDK into projects of their own (see `projects`). */
const PACKED_SDK_SPECS = /integrations\/(adapters|examples|sdk-project)\.spec\.ts$/;
/** Of the specs that set up servers of their own (see `projects`). */
const SET_UP_TIMEOUT_MS = 120_000;

export default defineConfig({
  testDir: ".",
  // Three lanes, one worker each, after the sign-ins. The demo server's specs (the API, the
  // dashboard, the agents' libraries) share its database, so they run one spec at a time. The
  // specs of the packed SDK (its framework adapters, airlock-mcp, the examples) spend most of
  // their time installing projects from the npm registry, not on the server, and each touches
  // only requests of its own: they are a lane of their own beside the demo's. The durable specs
  // start servers and databases of their own. (Playwright starts a project once every project
  // it depends on has finished: every lane depends on the sign-ins alone, so they run at once.)
  projects: [
    // Signs in each demo reviewer through the login page once (the dashboard's specs reuse the
    // states), and packs the SDK once.
    { name: "setup", testMatch: /(auth|sdk)\.setup\.ts$/, timeout: SET_UP_TIMEOUT_MS },
    // The API (smoke, api), the dashboard (ui) and the agents' own libraries (langchain,
    // LangGraph, the MCP SDK: integrations) against the demo server.
    {
      name: "demo",
      testMatch: /(smoke|api|ui|integrations)\/.*\.spec\.ts$/,
      testIgnore: PACKED_SDK_SPECS,
      dependencies: ["setup"],
      timeout: SET_UP_TIMEOUT_MS,
      workers: 1,
    },
    // The packed SDK in projects of its own. Their set-ups pack the SDK and install projects: a
    // test's time-out is its project's, so the lane's is theirs.
    {
      name: "packages",
      testMatch: PACKED_SDK_SPECS,
      dependencies: ["setup"],
      timeout: SET_UP_TIMEOUT_MS,
      workers: 1,
    },
    // Servers of their own (the same build), killed and restarted: no browser. These set-ups
    // (beforeAll) run the operator CLI five to seven times, a few seconds each (tsx, and PGlite
    // or a migration), then start a server: over 30 s on a slow machine, and a hook's time-out
    // is its project's.
    {
      name: "durable",
      testMatch: /durable\/.*\.spec\.ts$/,
      dependencies: ["setup"],
      timeout: SET_UP_TIMEOUT_MS,
      workers: 1,
    },
  ],
  outputDir: E2E_OUTPUT_DIR,
  fullyParallel: false,
  workers: 3,
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
    // With E2E_SERVER_LOG (the test command's), the server's JSON logs go there, every request
    // line included, for the scan of the run's logs; its banner (the demo's keys, which the
    // specs read from the data directory) is not printed.
    command: serverLog
      ? `npm run --silent demo -- --no-build --port ${port} 2>>"${serverLog}"`
      : `npm run --silent demo -- --no-build --port ${port}`,
    // Playwright loads this file as CommonJS.
    cwd: path.join(__dirname, ".."),
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: serverLog ? "ignore" : "pipe",
    stderr: "pipe",
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      // On the console, a JSON line per API request would bury the suite's own output.
      LOG_LEVEL: serverLog ? "info" : "warn",
      AIRLOCK_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      NEXTAUTH_URL: baseURL,
      NEXTAUTH_SECRET: "e2e-secret-not-for-production-0123456789",
      HITL_CONFIG_DIR: configDir,
      OIDC_ISSUER: `http://127.0.0.1:${OIDC.port}`,
      OIDC_CLIENT_ID: OIDC.clientId,
      OIDC_CLIENT_SECRET: OIDC.clientSecret,
      OIDC_ROLE_MAP: "airlock-devops=devops_engineer,airlock-leads=tech_lead,engineering=developer",
      OIDC_NAME: "Test IdP",
    },
  },
});
