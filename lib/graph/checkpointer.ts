// LangGraph's checkpoints in the app's own database (SPEC §2, §6): the official PostgresSaver
// on both storage modes. On PostgreSQL it has a small `pg` pool of its own; on the embedded
// database (PGlite, in this process) the same PostgresSaver reaches it through
// @electric-sql/pglite-socket, on a Unix socket only this user can reach, over one connection.
//
// The tables live in the `langgraph` schema and are created by the migrations
// (drizzle/0007), so `setup()` is never needed at run time. Embedded, the app and the socket
// share PGlite's one session and take turns by transaction: a checkpoint write waits for the
// app's transaction in progress, and the app's statements for the checkpoint's. Never run a
// graph step while holding a drizzle transaction, or both wait for each other.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type {
  ExecProtocolOptionsStream,
  PGlite,
  QueryOptions,
  Results,
} from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import type { DbHandle } from "@/db/client";
import { log } from "@/lib/log";

export const CHECKPOINT_SCHEMA = "langgraph";

export interface Checkpointer {
  saver: PostgresSaver;
  /** Close the saver's pool (and the socket server, embedded). */
  close(): Promise<void>;
}

export async function createCheckpointer(
  handle: Pick<DbHandle, "connection">,
  options: { max?: number } = {},
): Promise<Checkpointer> {
  const connection = handle.connection;
  if ("url" in connection) {
    const { pool, close } = watchedPool({
      connectionString: connection.url,
      max: options.max ?? 4,
    });
    return { saver: new PostgresSaver(pool, undefined, { schema: CHECKPOINT_SCHEMA }), close };
  }
  return embeddedCheckpointer(connection.pglite);
}

async function embeddedCheckpointer(pglite: PGlite): Promise<Checkpointer> {
  const { host, port, stop } = await serveEmbedded(pglite);
  // One connection: PGlite runs one statement at a time anyway, and the socket server's
  // default is one client, which `exclusiveForSocket` relies on.
  const { pool, close } = watchedPool({
    host,
    port,
    user: "postgres",
    database: "postgres",
    max: 1,
  });
  return {
    saver: new PostgresSaver(pool, undefined, { schema: CHECKPOINT_SCHEMA }),
    async close() {
      await close();
      await stop();
    },
  };
}

/**
 * A pool whose clients' connection errors (the server restarting, or ending the connection)
 * are only worth a line in the log. Unheard, an idle client's error (the pool's "error") or a
 * checked-out client's between two queries (the client's own) is an uncaught exception; the
 * query in flight, if any, fails on its own, and the pool drops a broken client when it comes
 * back and connects anew. A connection that cannot be made fails after 5 s instead of waiting
 * for ever. Its `close()` waits until every connection has ended, not only until the pool has
 * let go of them (what `pool.end()` resolves on).
 */
function watchedPool(config: pg.PoolConfig): { pool: pg.Pool; close(): Promise<void> } {
  const pool = new pg.Pool({ connectionTimeoutMillis: 5000, ...config });
  const ended: Promise<void>[] = [];
  const warn = (error: Error & { code?: string }, where: string) =>
    log().warn({ err: { message: error.message, code: error.code } }, `checkpointer: ${where}`);
  pool.on("connect", (client) => {
    ended.push(new Promise((resolve) => client.once("end", () => resolve())));
    client.on("error", (error) => warn(error, "a connection failed"));
  });
  pool.on("error", (error) => warn(error, "an idle connection failed"));
  return {
    pool,
    async close() {
      await pool.end();
      await Promise.all(ended);
    },
  };
}

/**
 * The embedded database on a Unix socket (exported for its tests), never on a TCP port: the
 * socket server has no authentication, so whoever could reach it could read every table. The
 * socket lives in a directory of its own that only this process's user may enter (0700), and
 * is itself 0600; `host` and `port` are what `pg` needs to find it (`<host>/.s.PGSQL.<port>`).
 * `stop()` removes both.
 */
export async function serveEmbedded(
  pglite: PGlite,
): Promise<{ host: string; port: number; path: string; stop(): Promise<void> }> {
  // A short path: a Unix socket's is limited to about 100 bytes.
  const host = await mkdtemp(path.join(os.tmpdir(), "airlock-pg-"));
  await chmod(host, 0o700);
  const port = 5432;
  const socketPath = path.join(host, `.s.PGSQL.${port}`);
  const server = new PGLiteSocketServer({ db: exclusiveForSocket(pglite), path: socketPath });
  try {
    await server.start();
    await chmod(socketPath, 0o600);
  } catch (error) {
    await server.stop().catch(() => {});
    await rm(host, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    port,
    path: socketPath,
    async stop() {
      await server.stop();
      await rm(host, { recursive: true, force: true });
    },
  };
}

/** Extended-protocol messages after which the statement is not done (committed) until Sync. */
const UNTIL_SYNC = new Set(["P", "B", "D", "E", "C", "H"].map((type) => type.charCodeAt(0)));

/**
 * PGlite as the socket server should see it. PGlite is one session, and the server runs each
 * protocol message under PGlite's per-statement lock only: a socket statement could land in
 * the middle of an app transaction (and be rolled back with it), and the app's statements in
 * the middle of the socket client's. So the socket side takes PGlite's transaction lock
 * before a message and keeps it until the session is back outside a transaction: from BEGIN
 * to COMMIT or ROLLBACK, else for one statement. That the holder is the one socket client
 * follows from the server taking one client at a time.
 */
function exclusiveForSocket(pglite: PGlite): PGlite {
  let release: (() => void) | undefined;
  let untilSync = false;
  const hold = () =>
    new Promise<void>((held) => {
      void pglite._runExclusiveTransaction(
        () =>
          new Promise<void>((done) => {
            release = done;
            held();
          }),
      );
    });
  const releaseIfDone = () => {
    if (!release || untilSync || pglite.isInTransaction()) return;
    release();
    release = undefined;
  };
  const overrides: Partial<PGlite> = {
    async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
      if (!release) await hold();
      try {
        return await pglite.runExclusive(fn);
      } finally {
        releaseIfDone();
      }
    },
    execProtocolRawStream(message: Uint8Array, options: ExecProtocolOptionsStream) {
      untilSync = UNTIL_SYNC.has(message[0] ?? 0);
      return pglite.execProtocolRawStream(message, options);
    },
    // The server rolls back a departing client's transaction only if it sees one: a
    // statement that still waits for its Sync counts, or the lock would stay taken.
    isInTransaction: () => release !== undefined || pglite.isInTransaction(),
    // That rollback, while the socket side holds the transaction lock PGlite's exec would
    // wait for: sent as a simple Query under the statement lock alone.
    async exec(query: string, options?: QueryOptions): Promise<Results[]> {
      if (!release) return pglite.exec(query, options);
      await pglite.runExclusive(() =>
        pglite.execProtocolRawStream(simpleQuery(query), { onRawData: () => {} }),
      );
      untilSync = false;
      releaseIfDone();
      return [];
    },
  };
  return new Proxy(pglite, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return Reflect.get(overrides, property);
      const value = Reflect.get(target, property, target);
      // PGlite's methods use its private fields: call them on PGlite, not on the proxy.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A simple-Query protocol message: 'Q', its length (int32, counting itself), the SQL, NUL. */
function simpleQuery(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`);
  const message = Buffer.alloc(5 + text.length);
  message.write("Q", 0, "latin1");
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
