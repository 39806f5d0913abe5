import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDb, DatabaseInUseError, PGLITE_LOCK_FILE } from "@/db/client";
import { runCli } from "@/test-support/cli";

const root = path.join(import.meta.dirname, "..", "..");
const migrationsDir = path.join(root, "drizzle");
const tmpRoot = mkdtempSync(path.join(os.tmpdir(), "airlock-lock-"));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

let counter = 0;
const freshDir = () => path.join(tmpRoot, `data-${++counter}`);

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  return Number(child.stdout);
}

// Opens the data directory the way the app does (getDb: create, migrate, keep), writes a row,
// then answers each line on stdin with the users' emails, until it is killed.
const HOLDER = `
const { getDb, execRows } = (await import(${JSON.stringify(path.join(root, "db", "client.ts"))})).default;
const { sql } = await import("drizzle-orm");
const { createInterface } = await import("node:readline");
const { db } = await getDb();
await db.execute(sql\`INSERT INTO users (email, role) VALUES ('holder@lock.test', 'viewer')\`);
const emails = async () =>
  (await execRows(db, sql\`SELECT email FROM users ORDER BY email\`)).map((r) => r.email);
process.stdout.write(JSON.stringify({ pid: process.pid, emails: await emails() }) + "\\n");
for await (const _ of createInterface({ input: process.stdin })) {
  process.stdout.write(JSON.stringify({ emails: await emails() }) + "\\n");
}
`;

interface Holder {
  child: ChildProcessWithoutNullStreams;
  ready: { pid: number; emails: string[] };
  emails(): Promise<string[]>;
}

async function startHolder(dataDir: string): Promise<Holder> {
  const child = spawn(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "--input-type=module", "-e", HOLDER],
    { cwd: root, env: { ...process.env, DATABASE_URL: "", AIRLOCK_DATA_DIR: dataDir } },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`the holder exited: ${stderr}`);
    return JSON.parse(line.value);
  };
  const ready = await next();
  return {
    child,
    ready,
    async emails() {
      child.stdin.write("emails\n");
      return (await next()).emails;
    },
  };
}

async function kill(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

describe("one process per embedded database", () => {
  let holder: Holder | undefined;
  afterEach(async () => {
    if (holder) await kill(holder.child);
    holder = undefined;
  });

  it("refuses the CLI while another process holds the data directory, then takes over its stale lock once that process is gone", async () => {
    const dataDir = freshDir();
    holder = await startHolder(dataDir);
    expect(holder.ready.emails).toEqual(["holder@lock.test"]);
    const lockFile = path.join(dataDir, PGLITE_LOCK_FILE);
    expect(readFileSync(lockFile, "utf8").trim()).toBe(String(holder.ready.pid));

    const cliEnv = { DATABASE_URL: "", AIRLOCK_DATA_DIR: dataDir };
    const refused = await runCli(
      cliEnv,
      "keys",
      "create",
      "--agent",
      "intruder",
      "--owner",
      "holder@lock.test",
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      `hitl keys: The embedded database in ${dataDir} is in use by another Airlock process ` +
        `(pid ${holder.ready.pid}, e.g. "npm run demo"). Stop it first, or use the API while it ` +
        `runs (reviewer keys are in ${dataDir}/demo-reviewer-key-*), or set DATABASE_URL to use ` +
        "a PostgreSQL server.\n",
    );
    const addUser = await runCli(
      cliEnv,
      "users",
      "add",
      "--email",
      "cli@lock.test",
      "--role",
      "viewer",
    );
    expect(addUser.code).toBe(1);
    expect(addUser.stderr).toMatch(/^hitl users: The embedded database in .* is in use/);

    // The holder still owns the directory and its data; the refused commands wrote nothing.
    expect(readFileSync(lockFile, "utf8").trim()).toBe(String(holder.ready.pid));
    expect(await holder.emails()).toEqual(["holder@lock.test"]);

    await kill(holder.child);
    holder = undefined;
    expect(existsSync(lockFile)).toBe(true);

    const listed = await runCli(cliEnv, "users", "list", "--json");
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { email: string }[]).map((u) => u.email)).toEqual([
      "holder@lock.test",
    ]);
    const keys = await runCli(cliEnv, "keys", "list", "--json");
    expect(JSON.parse(keys.stdout)).toEqual([]);
    const added = await runCli(
      cliEnv,
      "users",
      "add",
      "--email",
      "cli@lock.test",
      "--role",
      "viewer",
    );
    expect(added.code).toBe(0);
    // The CLI released the lock when it closed the database.
    expect(existsSync(lockFile)).toBe(false);
  });

  it("refuses a second open in the same process and releases the lock on close", async () => {
    const dataDir = freshDir();
    const lockFile = path.join(dataDir, PGLITE_LOCK_FILE);
    const first = await createDb({ dataDir, migrationsDir });
    try {
      expect(readFileSync(lockFile, "utf8").trim()).toBe(String(process.pid));
      const second = createDb({ dataDir, migrationsDir });
      await expect(second).rejects.toBeInstanceOf(DatabaseInUseError);
      await expect(second).rejects.toThrow(`The embedded database in ${dataDir} is already open`);
    } finally {
      await first.close();
    }
    expect(existsSync(lockFile)).toBe(false);
    const again = await createDb({ dataDir, migrationsDir });
    await again.close();
  });

  it.each([
    ["a process that has exited", () => `${deadPid()}\n`],
    ["an unreadable pid", () => "not a pid\n"],
    ["this pid, left by an earlier process that had it", () => `${process.pid}\n`],
  ])("takes over a stale lock held by %s", async (_name, content) => {
    const dataDir = freshDir();
    const lockFile = path.join(dataDir, PGLITE_LOCK_FILE);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(lockFile, content());
    const handle = await createDb({ dataDir, migrationsDir });
    try {
      expect(readFileSync(lockFile, "utf8").trim()).toBe(String(process.pid));
    } finally {
      await handle.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });

  it("keeps a lock whose process is alive", async () => {
    const dataDir = freshDir();
    const lockFile = path.join(dataDir, PGLITE_LOCK_FILE);
    const alive = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    try {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(lockFile, `${alive.pid}\n`);
      await expect(createDb({ dataDir, migrationsDir })).rejects.toThrow(
        `in use by another Airlock process (pid ${alive.pid},`,
      );
      expect(readFileSync(lockFile, "utf8").trim()).toBe(String(alive.pid));
    } finally {
      const exited = new Promise((resolve) => alive.once("exit", resolve));
      alive.kill("SIGKILL");
      await exited;
    }
  });
});
