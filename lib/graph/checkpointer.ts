// LangGraph's checkpoints in the app's own database (SPEC §2, §6): the official PostgresSaver
// on both storage modes. On PostgreSQL it has a small `pg` pool of its own; on the embedded
// database (PGlite, in this process) the same PostgresSaver reaches it through
// @electric-sql/pglite-socket, on a loopback port, over one connection.
//
// The tables live in the `langgraph` schema and are created by the migrations
// (drizzle/0007), so `setup()` is never needed at run time. Embedded, every statement through
// the socket waits for the transaction in progress: never run a graph step while holding a
// drizzle transaction, or both wait for each other.
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import type { DbHandle } from "@/db/client";
import { freePort } from "@/lib/net/free-port";

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
  const { server, port } = await serveOnFreePort(pglite);
  // One connection: PGlite runs one statement at a time anyway, and the socket server's
  // default is one client.
  const { pool, close } = watchedPool({
    host: "127.0.0.1",
    port,
    user: "postgres",
    database: "postgres",
    max: 1,
  });
  return {
    saver: new PostgresSaver(pool, undefined, { schema: CHECKPOINT_SCHEMA }),
    async close() {
      await close();
      await server.stop();
    },
  };
}

/**
 * A pool whose idle client's error (the server restarting, or ending the connection) is only
 * worth a line in the log: unheard, the pool's "error" event takes the process down, and the
 * pool drops that client and connects anew anyway. Its `close()` waits until every connection
 * has ended, not only until the pool has let go of them (what `pool.end()` resolves on).
 */
function watchedPool(config: pg.PoolConfig): { pool: pg.Pool; close(): Promise<void> } {
  const pool = new pg.Pool(config);
  const ended: Promise<void>[] = [];
  pool.on("connect", (client) => {
    ended.push(new Promise((resolve) => client.once("end", () => resolve())));
  });
  pool.on("error", (error) => {
    console.error(`Airlock checkpointer: an idle connection failed: ${error.message}`);
  });
  return {
    pool,
    async close() {
      await pool.end();
      await Promise.all(ended);
    },
  };
}

/** A port the kernel says is free, taken at once; tried again if someone took it between. */
async function serveOnFreePort(pglite: PGlite) {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port });
    try {
      await server.start();
      return { server, port };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 4) throw error;
    }
  }
}
