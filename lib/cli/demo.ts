// `npm run demo`: migrate, seed demo users and keys, build, and serve on :3000.
// Runs on the embedded database unless DATABASE_URL is set.
// `--port N` serves elsewhere; `--no-build` serves the existing build (the e2e suite uses it).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "@/db/client";
import { env, resolveFromCwd } from "@/lib/env";
import { hitlConfig } from "@/lib/services/config";
import { DEMO_PASSWORD, DEMO_REVIEWER, seedDemo } from "@/lib/services/demo";

function run(cmd: string, args: string[], extraEnv: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...extraEnv } });
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.on(signal, () => child.kill(signal));
    }
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}`)),
    );
  });
}

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
    options: { port: { type: "string" }, "no-build": { type: "boolean" } },
    strict: true,
  });
  const e = env();
  hitlConfig();
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
    console.log(`\n  Reviewer key acting as ${DEMO_REVIEWER}, saved in ${seed.reviewerKeyFile}:`);
    console.log(`    ${seed.reviewerKey}\n`);
    console.log(`  Serving on http://localhost:${port} (API contract: /api/openapi.json)\n`);
  } finally {
    // PGlite allows one process per data directory: release it before the server opens it.
    await handle.close();
  }

  const serverEnv = {
    NEXT_TELEMETRY_DISABLED: "1",
    NEXTAUTH_URL: e.NEXTAUTH_URL ?? `http://localhost:${port}`,
    NEXTAUTH_SECRET: e.NEXTAUTH_SECRET ?? demoSecret(dataDir),
  };
  if (!values["no-build"]) await run("npx", ["next", "build"], serverEnv);
  await run("npx", ["next", "start", "-p", port], serverEnv);
}

main().catch((error: unknown) => {
  console.error(`demo: ${(error as Error).message}`);
  process.exit(1);
});
