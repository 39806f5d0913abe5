// The embedded database is one session shared by the app and the checkpointer's socket: a
// socket client's transaction (or single statement) and an app transaction never interleave,
// so neither commits or rolls back the other's work, and a client that leaves mid-transaction
// leaves nothing behind. Embedded mode only: each test makes its own in-memory PGlite, so the
// suite runs the same when DATABASE_URL names a server.
import { existsSync, statSync } from "node:fs";
import net from "node:net";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listeningTcpPorts } from "@/lib/net/listening";
import { serveEmbedded } from "./checkpointer";

let pglite: PGlite;
let server: Awaited<ReturnType<typeof serveEmbedded>>;
let client: pg.Client;

// The server takes one client at a time: each test connects either this one or a raw one.
beforeEach(async () => {
  pglite = await PGlite.create();
  await pglite.exec("CREATE TABLE t (id int)");
  server = await serveEmbedded(pglite);
  client = new pg.Client({
    host: server.host,
    port: server.port,
    user: "postgres",
    database: "postgres",
  });
});
afterEach(async () => {
  // Bounded, so that a test that left the database stuck still lets the next one run.
  await within(
    client.end().catch(() => {}),
    "the client to end",
  ).catch(() => {});
  await within(server.stop(), "the server to stop").catch(() => {});
  await within(pglite.close(), "PGlite to close").catch(() => {});
});

/** A deadlock fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function ids(): Promise<number[]> {
  const result = await within(pglite.query<{ id: number }>("SELECT id FROM t ORDER BY id"), "ids");
  return result.rows.map((row) => row.id);
}

/** How a transaction ended, heard at once (a rejection nobody awaits yet is unhandled). */
function outcome(transaction: Promise<unknown>): Promise<string> {
  return transaction.then(
    () => "commit",
    (error: Error) => error.message,
  );
}

/** Whether the promise is still pending after a moment. */
async function stillPending(promise: Promise<unknown>): Promise<boolean> {
  const waiting = Symbol("waiting");
  const first = await Promise.race([
    promise.then(
      () => null,
      () => null,
    ),
    new Promise((resolve) => setTimeout(() => resolve(waiting), 200)),
  ]);
  return first === waiting;
}

describe("the embedded database shared with the socket", () => {
  it("keeps an app transaction out of a socket client's transaction", async () => {
    await client.connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO t VALUES (1)");
    const app = outcome(
      pglite.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (2)");
        throw new Error("rollback");
      }),
    );
    await within(client.query("COMMIT"), "the socket's COMMIT");
    expect(await within(app, "the app transaction")).toBe("rollback");
    expect(await ids()).toEqual([1]);
  });

  it("runs a socket client's statement after the app transaction, not inside it", async () => {
    await client.connect();
    let resume = () => {};
    const paused = new Promise<void>((resolve) => {
      resume = resolve;
    });
    let started = () => {};
    const inside = new Promise<void>((resolve) => {
      started = resolve;
    });
    const app = outcome(
      pglite.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (3)");
        started();
        await paused;
        await tx.query("INSERT INTO t VALUES (4)");
        throw new Error("rollback");
      }),
    );
    await within(inside, "the app transaction to start");
    const insert = client.query("INSERT INTO t VALUES (5)");
    const waited = await stillPending(insert);
    resume();
    expect(await within(app, "the app transaction")).toBe("rollback");
    await within(insert, "the socket's INSERT");
    expect(waited).toBe(true);
    expect(await ids()).toEqual([5]);
  });

  it("rolls back a client that leaves mid-transaction, and the app goes on", async () => {
    await client.connect();
    await client.query("BEGIN");
    await client.query("INSERT INTO t VALUES (6)");
    await client.end();
    await within(pglite.query("SELECT 1"), "the app's query");
    expect(await ids()).toEqual([]);
  });

  it("rolls back a client that leaves between Execute and Sync, and the app goes on", async () => {
    // pg always sends Sync with Execute: speak the protocol by hand to leave it out.
    const raw = await rawConnection(server.path);
    raw.socket.write(
      Buffer.concat([
        frame("P", cstring(""), cstring("INSERT INTO t VALUES (7)"), int16(0)),
        frame("B", cstring(""), cstring(""), int16(0), int16(0), int16(0)),
        frame("E", cstring(""), int32(0)),
      ]),
    );
    await within(raw.received("INSERT 0 1"), "the INSERT's CommandComplete");
    raw.socket.destroy();
    await within(pglite.query("SELECT 1"), "the app's query");
    expect(await ids()).toEqual([]);
  });
});

function frame(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const cstring = (text: string) => Buffer.from(`${text}\0`);
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** A started-up protocol connection; `received` waits until the server has sent `text`. */
async function rawConnection(socketPath: string) {
  const socket = net.connect(socketPath);
  let seen = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  socket.on("data", (data) => {
    seen = Buffer.concat([seen, data]);
    for (const wake of waiters.splice(0)) wake();
  });
  const received = async (text: string) => {
    while (!seen.includes(text)) await new Promise<void>((wake) => waiters.push(wake));
  };
  const params = Buffer.concat([
    int32(196608),
    cstring("user"),
    cstring("postgres"),
    cstring("database"),
    cstring("postgres"),
    cstring(""),
  ]);
  socket.write(Buffer.concat([int32(params.length + 4), params]));
  // ReadyForQuery, idle.
  await within(received("Z\0\0\0\x05I"), "the startup's ReadyForQuery");
  return { socket, received };
}

describe("the embedded database's socket", () => {
  it("is a Unix socket only this user can reach, never a TCP port", async () => {
    // beforeEach served it; a second server shows what serving adds, and a client is on it.
    const before = listeningTcpPorts();
    const again = await serveEmbedded(await PGlite.create());
    try {
      await client.connect();
      expect((await client.query("SELECT count(*)::int AS n FROM t")).rows).toEqual([{ n: 0 }]);
      expect(listeningTcpPorts()).toEqual(before);
      expect(statSync(again.host).mode & 0o777).toBe(0o700);
      expect(statSync(again.path).isSocket()).toBe(true);
      expect(statSync(again.path).mode & 0o777).toBe(0o600);
    } finally {
      await again.stop();
    }
    expect(existsSync(again.host)).toBe(false);
  });
});
