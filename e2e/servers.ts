// Servers of the shared build that specs start, kill and restart themselves (apart from the
// suite's own demo server), each on a database of its own, and the operator CLI to set them up.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { serverNodeOptions } from "../lib/cli/demo-server";
import { freePort } from "../lib/net/free-port";

const root = path.join(__dirname, "..");
const nextBin = path.join(root, "node_modules", ".bin", "next");
/** The PostgreSQL server the suite may create databases on ("" when there is none). */
export const serverUrl = process.env.E2E_DATABASE_URL || process.env.DATABASE_URL || "";

export type Storage = {
  name: "pglite" | "postgres";
  env: Record<string, string>;
  drop(): Promise<void>;
};

export async function storage(kind: "pglite" | "postgres", dataDir: string): Promise<Storage> {
  if (kind === "pglite") {
    return {
      name: kind,
      env: { DATABASE_URL: "", AIRLOCK_DATA_DIR: dataDir },
      drop: async () => {},
    };
  }
  const name = `airlock_durable_${Date.now().toString(36)}_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name: kind,
    env: { DATABASE_URL: url.toString(), AIRLOCK_DATA_DIR: dataDir },
    async drop() {
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await again.end();
    },
  };
}

/** The operator CLI, as a user runs it (each call its own process). */
export function hitl(env: Record<string, string>, ...args: string[]): string {
  return execFileSync("npx", ["tsx", "--conditions=react-server", "lib/cli/main.ts", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
}

export interface Server {
  base: string;
  child: ChildProcess;
  /** SIGKILL the server and everything it started. */
  kill(): Promise<void>;
  /** Everything it printed, stdout and stderr. */
  output(): string;
}

/** A `next start` of the shared build; `port` to come back where a killed one served. */
export async function startServer(
  env: Record<string, string>,
  options: { port?: number } = {},
): Promise<Server> {
  // A port nothing listens on: a server another spec left behind (its set-up timed out while
  // it started) would otherwise answer this one's health check, and then its requests.
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(nextBin, ["start", "-p", String(port)], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...env,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_OPTIONS: serverNodeOptions(),
      NEXTAUTH_URL: base,
      NEXTAUTH_SECRET: "durable-secret-not-for-production-0123456789",
      // The specs' callback receivers listen on this machine.
      HITL_CALLBACK_ALLOWED_HOSTS: "loopback",
    },
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d));
  child.stderr?.on("data", (d: Buffer) => (log += d));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      // Into the run's server log, for the test command's scan for secrets.
      if (process.env.E2E_SERVER_LOG) appendFileSync(process.env.E2E_SERVER_LOG, log);
      resolve();
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${log}`);
    const ok = await fetch(`${base}/api/health`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the server did not come up:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    child,
    output: () => log,
    async kill() {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      await exited;
    },
  };
}
