// The database client: the `postgres` driver when DATABASE_URL is set, embedded PGlite
// under AIRLOCK_DATA_DIR otherwise. Everything above this file sees one `Database` type and
// the same schema, migrations and queries on both.
import "server-only";
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { env, resolveFromCwd } from "@/lib/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; queries take `Database | Tx` first. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Tx;

export type DbKind = "postgres" | "pglite";

export interface DbHandle {
  readonly kind: DbKind;
  readonly db: Database;
  /**
   * How a library that brings its own driver (LangGraph's PostgresSaver, over `pg`) reaches
   * the same database: the server's URL, or the embedded instance to serve over a socket.
   */
  readonly connection: { url: string } | { pglite: PGlite };
  /** Subscribe to NOTIFY on a channel; resolves once listening. Returns an unsubscribe. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Apply the committed migrations (idempotent; serialised across processes). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** A postgres:// URL; when absent the embedded database in `dataDir` is used. */
  url?: string;
  dataDir?: string;
  migrationsDir?: string;
  /** Connections in the pool (postgres only). */
  max?: number;
  /** Called with every statement sent and its parameters, BEGIN and COMMIT included
   * (postgres only; tests and the benchmark's plans). */
  onStatement?: (statement: string, parameters: readonly unknown[]) => void;
}

// Any fixed number: it names the lock that keeps two starting instances from migrating at
// the same time.
const MIGRATION_LOCK = 72_114_001;

export async function createDb(options: DbOptions): Promise<DbHandle> {
  const migrationsFolder = options.migrationsDir ?? resolveFromCwd(env().AIRLOCK_MIGRATIONS_DIR);
  if (options.url) {
    return createPostgres(options.url, migrationsFolder, options.max ?? 10, options.onStatement);
  }
  const dataDir = options.dataDir ?? resolveFromCwd(env().AIRLOCK_DATA_DIR);
  return createPglite(dataDir, migrationsFolder);
}

function createPostgres(
  url: string,
  migrationsFolder: string,
  max: number,
  onStatement?: (statement: string, parameters: readonly unknown[]) => void,
): DbHandle {
  const client = postgres(url, {
    max,
    ...(onStatement
      ? {
          debug: (_connection: number, query: string, parameters: unknown[]) =>
            onStatement(query, parameters),
        }
      : {}),
    onnotice: () => {},
    connect_timeout: 5,
    // Keep idle connections from piling up on a shared server.
    idle_timeout: 30,
    // After an outage the driver waits before reconnecting, growing with each failed attempt
    // (by default up to 20 s); cap it so service resumes within seconds of the database.
    backoff: (retries: number) => Math.min(0.1 * 2 ** retries, 2),
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  return {
    kind: "postgres",
    db,
    connection: { url },
    async listen(channel, onPayload) {
      const meta = await client.listen(channel, onPayload);
      return async () => meta.unlisten();
    },
    async migrate() {
      // One dedicated connection holds the advisory lock for the whole migration.
      const lockClient = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        await lockClient`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder });
        await lockClient`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await lockClient.end({ timeout: 5 });
      }
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** Another process (or this one) has the embedded database open. */
export class DatabaseInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    const shown = displayPath(dataDir);
    const where = path.resolve(dataDir);
    super(
      pid === process.pid
        ? `The embedded database in ${where} is already open in this process.`
        : `The embedded database in ${where} is in use by another Airlock process ` +
            `(pid ${pid}, e.g. "npm run demo"). Stop it first, or use the API while it runs ` +
            `(reviewer keys are in ${shown}/demo-reviewer-key-*), ` +
            "or set DATABASE_URL to use a PostgreSQL server.",
    );
    this.name = "DatabaseInUseError";
  }
}

function displayPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : dir;
}

export const PGLITE_LOCK_FILE = "pglite.lock";

// Lock files this process holds, on globalThis for the same reason as the handle below: a
// second copy of this module in the process must see them too.
const locksKey = Symbol.for("airlock.pglite-locks");
type GlobalWithLocks = typeof globalThis & { [locksKey]?: Set<string> };

function heldLocks(): Set<string> {
  const g = globalThis as GlobalWithLocks;
  if (!g[locksKey]) {
    const held = new Set<string>();
    g[locksKey] = held;
    // Runs on a normal exit and on process.exit() (Next.js exits so on SIGINT/SIGTERM); after
    // a crash or SIGKILL the lock stays behind and the next opener takes it over.
    process.on("exit", () => {
      for (const file of held) releaseLock(file);
    });
  }
  return g[locksKey];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Take the data directory for this process, or throw DatabaseInUseError. PGlite cannot share
 * a directory: a second process opening it loses or corrupts what the first writes.
 */
function acquireLock(dataDir: string): string {
  const file = path.join(dataDir, PGLITE_LOCK_FILE);
  const held = heldLocks();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(file);
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let content: string;
    try {
      content = readFileSync(file, "utf8");
    } catch (error) {
      // Released between our open and our read: try again.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const pid = Number.parseInt(content, 10);
    // Our own pid in a lock we do not hold is a stale lock from an earlier process that had
    // the same pid (containers reuse them).
    const stale =
      !Number.isInteger(pid) || pid <= 0 || (pid === process.pid ? !held.has(file) : !isAlive(pid));
    if (!stale) throw new DatabaseInUseError(dataDir, pid);
    // Take over only the lock we judged stale, not one another opener just created.
    try {
      if (readFileSync(file, "utf8") === content) unlinkSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}; try again`);
}

function releaseLock(file: string): void {
  const held = heldLocks();
  if (!held.delete(file)) return;
  try {
    if (Number.parseInt(readFileSync(file, "utf8"), 10) === process.pid) unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}

async function createPglite(dataDir: string, migrationsFolder: string): Promise<DbHandle> {
  mkdirSync(dataDir, { recursive: true });
  const lock = acquireLock(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(path.join(dataDir, "pglite"));
  } catch (error) {
    releaseLock(lock);
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    kind: "pglite",
    db,
    connection: { pglite: client },
    async listen(channel, onPayload) {
      const unlisten = await client.listen(channel, onPayload);
      return async () => unlisten();
    },
    async migrate() {
      // PGlite lives in this process alone: nothing else can migrate concurrently.
      await migratePglite(drizzlePglite(client), { migrationsFolder });
    },
    async close() {
      try {
        await client.close();
      } finally {
        releaseLock(lock);
      }
    },
  };
}

/** Rows of a raw `db.execute(sql)`: postgres-js returns an array, PGlite `{ rows }`. */
export async function execRows<T extends Record<string, unknown>>(
  db: Executor,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Cheap reachability check used by /api/health. */
export async function ping(db: Executor): Promise<void> {
  await execRows(db, sql`SELECT 1 AS ok`);
}

// One handle per process. Kept on globalThis because Next.js may load this module in more
// than one bundle (instrumentation and route handlers), and two PGlite instances on one
// data directory would corrupt it.
const globalKey = Symbol.for("airlock.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<DbHandle> };

/** The process's database, created and migrated on first use. */
export function getDb(): Promise<DbHandle> {
  const g = globalThis as GlobalWithDb;
  if (!g[globalKey]) {
    const pending = (async () => {
      const handle = await createDb({ url: env().DATABASE_URL });
      await handle.migrate();
      return handle;
    })();
    // A failed start (database down) must not poison the process: the next call retries.
    pending.catch(() => {
      if (g[globalKey] === pending) g[globalKey] = undefined;
    });
    g[globalKey] = pending;
  }
  return g[globalKey];
}

/** Close the process's database (CLI and tests). */
export async function closeDb(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const pending = g[globalKey];
  g[globalKey] = undefined;
  if (pending) await (await pending).close();
}

/** Make `getDb()` answer with this handle (tests that call route handlers in-process). */
export function setDbForTesting(handle: DbHandle): void {
  (globalThis as GlobalWithDb)[globalKey] = Promise.resolve(handle);
}

const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

// What `pg` (the checkpointer's driver) says, without a code, of a connection it lost or
// could not make.
const UNAVAILABLE_PG_MESSAGES = new Set([
  "Connection terminated unexpectedly",
  "Client has encountered a connection error and is not queryable",
  "Connection terminated due to connection timeout",
  "timeout exceeded when trying to connect",
]);

/** Whether an error means the database cannot be reached (503), not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; depth++) {
    // Another process holds the embedded database: unavailable to us until it lets go.
    if (e instanceof DatabaseInUseError) return true;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) {
      return true;
    }
    if (code === undefined && typeof message === "string" && UNAVAILABLE_PG_MESSAGES.has(message)) {
      return true;
    }
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `fn`, tried again while the database is unavailable — after 50 ms, doubling up to 1 s — for
 * at most `budgetMs`: for the short writes that must not be lost to a connection cut (an
 * outcome, a lease given back). Any other error, or the last unavailable one, is thrown.
 */
export async function retryWhileUnavailable<T>(fn: () => Promise<T>, budgetMs: number): Promise<T> {
  const until = Date.now() + budgetMs;
  for (let delayMs = 50; ; delayMs = Math.min(1000, delayMs * 2)) {
    try {
      return await fn();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + delayMs > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
