// The machine's floor for `npm run bench`: about the least a task submission can cost on this
// box. A bare node:http server reads the JSON body, parses it and INSERTs it, one row per
// request, through the app's driver (postgres) with the app's pool size (db/client.ts), then
// answers a small JSON. tools/bench/http.ts starts it as a child process, so it gets its own
// event loop like `next start` does, and reads the port from the first line it prints.
//
// Usage: tsx tools/bench/floor.ts DATABASE_URL
import http from "node:http";
import postgres from "postgres";

// The app's pool (createDb's default), so the floor is not faster for having more connections.
const POOL_SIZE = 10;
// The app's body limit (lib/api/route.ts).
const MAX_BODY_BYTES = 256 * 1024;

type Sql = ReturnType<typeof postgres>;

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString() : null));
    req.on("error", reject);
  });
}

async function handle(sql: Sql, req: http.IncomingMessage, res: http.ServerResponse) {
  const text = await readBody(req);
  if (text === null) return answer(res, 413, { error: "too large" });
  try {
    // Parsed as the app parses it; the row stores the text PostgreSQL parses again as jsonb.
    JSON.parse(text);
  } catch {
    return answer(res, 400, { error: "invalid JSON" });
  }
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO bench_floor (body) VALUES (${text}::jsonb) RETURNING id`;
  answer(res, 201, { id: row?.id });
}

async function main() {
  const url = process.argv[2];
  if (!url) throw new Error("usage: tsx tools/bench/floor.ts DATABASE_URL");
  const sql = postgres(url, { max: POOL_SIZE, onnotice: () => {}, connect_timeout: 5 });
  await sql`CREATE TABLE IF NOT EXISTS bench_floor (
    id bigserial PRIMARY KEY,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`;
  const server = http.createServer((req, res) => {
    handle(sql, req, res).catch((error: unknown) => {
      // Counted as a non-2xx by the benchmark; the message is for whoever reads the log.
      console.error(`floor: ${(error as Error).message}`);
      if (!res.headersSent) answer(res, 500, { error: "insert failed" });
    });
  });
  const stop = () => {
    server.close();
    sql.end({ timeout: 1 }).finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
}

main().catch((error: unknown) => {
  console.error(`floor: ${(error as Error).message}`);
  process.exit(1);
});
