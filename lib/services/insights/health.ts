// Liveness and database reachability for GET /api/health. Anyone may ask (no principal):
// it says only "ok" or "degraded", nothing about what is stored.
import { getDb, ping } from "@/db/client";

export type Health =
  | { status: "ok"; database: "ok" }
  | { status: "degraded"; database: "unreachable" };

const TIMEOUT_MS = 3000;

/** Liveness plus a round trip to the database, bounded so a hung server cannot hang us. */
export async function checkHealth(): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      getDb().then((h) => ping(h.db)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("database ping timed out")), TIMEOUT_MS);
      }),
    ]);
    return { status: "ok", database: "ok" };
  } catch {
    return { status: "degraded", database: "unreachable" };
  } finally {
    clearTimeout(timer);
  }
}
