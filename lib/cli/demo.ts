// `npm run demo`: migrate, seed demo users and keys, build, and serve on :3000.
// Runs on the embedded database unless DATABASE_URL is set.
// `--port N` serves elsewhere; the build is skipped when `.next` is already of the current
// sources; `--build` builds anyway, `--no-build` serves the existing build (the e2e suite).
// The first run on a database also writes two weeks of made-up, closed requests for the
// insights page (`--no-history`: not this time).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { DEMO_PASSWORD, DEMO_REVIEWER, seedDemo } from "@/lib/demo/seed";
import { DEMO_HISTORY_DAYS, seedDemoHistoryFor } from "@/lib/demo/traffic";
import { env, resolveFromCwd } from "@/lib/env";
import { hitlConfig } from "@/lib/services/rules/config";
import {
  isBuildCurrent,
  recordBuild,
  serverNodeOptions,
  sourceFingerprint,
  waitForHealth,
} from "./demo-server";

function start(cmd: string, args: string[], extraEnv: Record<string, string>) {
  const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...extraEnv } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const done = new Promise<void>((resolve, reject) => {
    child.on("exit", (code) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`));
    });
  });
  return { child, done };
}

/** Where the demo lets callbacks go: public addresses, and this machine. */
const DEMO_ALLOWED_HOSTS = "external,loopback";

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** A stable NEXTAUTH_SECRET for the demo, so sessions survive restarts. */
function demoSecret(dataDir: string): string {
  const file = path.join(dataDir, "nextauth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      build: { type: "boolean" },
      "no-build": { type: "boolean" },
      "no-history": { type: "boolean" },
    },
    strict: true,
  });
  if (values.build && values["no-build"]) throw new Error("give --build or --no-build, not both");
  const e = env();
  hitlConfig();
  const root = process.cwd();
  const dataDir = resolveFromCwd(e.AIRLOCK_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const port = values.port ?? process.env.PORT ?? "3000";

  const handle = await createDb({ url: e.DATABASE_URL });
  try {
    await handle.migrate();
    const seed = await seedDemo(handle.db, dataDir);
    console.log(
      `\nAirlock demo (${handle.kind === "pglite" ? `embedded database in ${dataDir}` : "PostgreSQL"})`,
    );
    console.log(`\n  Demo users, one per role (password "${DEMO_PASSWORD}"):`);
    for (const u of seed.users) console.log(`    ${u.email.padEnd(24)} ${u.role}`);
    console.log(
      `\n  Demo agent key (${seed.keyCreated ? "new" : "existing"}), saved in ${seed.keyFile}:`,
    );
    console.log(`    ${seed.agentKey}`);
    console.log("\n  Reviewer keys, each acting as its user with the user's current role:");
    for (const k of seed.reviewerKeys) {
      console.log(`    ${k.email.padEnd(24)} ${k.role.padEnd(16)} ${k.file}`);
      console.log(`      ${k.key}`);
    }
    console.log(`  ${DEMO_REVIEWER}'s key is also in ${seed.reviewerKeyFile}.\n`);
    if (!values["no-history"]) {
      const written = await seedDemoHistoryFor(handle.db, seed.agentKey);
      if (written > 0) {
        console.log(
          `  Insights: ${written} made-up closed requests over the last ${DEMO_HISTORY_DAYS} days (--no-history to skip).\n`,
        );
      }
    }
  } finally {
    // PGlite allows one process per data directory: release it before the server opens it.
    await handle.close();
  }

  // The demo's agents and their callback receivers run on this machine: callbacks may go to
  // it, as well as to public addresses (SPEC §8.1), unless the caller says otherwise.
  const allowedHosts = process.env.HITL_CALLBACK_ALLOWED_HOSTS || DEMO_ALLOWED_HOSTS;
  console.log(
    `  Callbacks and webhooks may go to: ${allowedHosts} (HITL_CALLBACK_ALLOWED_HOSTS; the default outside the demo is external only).\n`,
  );
  const serverEnv = {
    NEXT_TELEMETRY_DISABLED: "1",
    HITL_CALLBACK_ALLOWED_HOSTS: allowedHosts,
    NEXTAUTH_URL: e.NEXTAUTH_URL ?? `http://localhost:${port}`,
    NEXTAUTH_SECRET: e.NEXTAUTH_SECRET ?? demoSecret(dataDir),
  };
  if (!values["no-build"]) {
    // Taken before the build, so an edit made while it runs is rebuilt next time.
    const fingerprint = sourceFingerprint(root);
    if (!values.build && isBuildCurrent(root, fingerprint)) {
      console.log("  Build is up to date; skipping next build (--build forces one).\n");
    } else {
      await start("npx", ["next", "build"], serverEnv).done;
      recordBuild(root, fingerprint);
    }
  }
  const server = start("npx", ["next", "start", "-p", port], {
    ...serverEnv,
    NODE_OPTIONS: serverNodeOptions(),
  });
  server.done.catch(() => {});
  const health = await waitForHealth(`http://127.0.0.1:${port}/api/health`, {
    stopped: () => exited(server.child),
  });
  if (health) {
    console.log(`\n  Serving on http://localhost:${port} (API contract: /api/openapi.json)`);
    if (health.status !== 200) {
      console.log(`  but /api/health answers ${health.status}: ${health.body}`);
    }
    console.log("");
  }
  await server.done;
}

main().catch((error: unknown) => {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
});
