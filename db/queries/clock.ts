import "server-only";
import { type AnyColumn, sql } from "drizzle-orm";
import type { Executor } from "../client";

/** The database clock as a column of a query, read as a Date (for a read that has one). */
export function databaseClock() {
  return sql<Date>`clock_timestamp()`.mapWith((v) => new Date(v));
}

/** The database clock: every instance agrees on it, so deadlines mean the same everywhere. */
export async function databaseNow(db: Executor): Promise<Date> {
  const [row] = await db.select({ now: databaseClock() }).from(sql`(SELECT 1) AS one`);
  if (!row) throw new Error("the database returned no clock reading");
  return row.now;
}

/**
 * A timestamp column as UTC ISO 8601 text to the microsecond, as PostgreSQL keeps it: a keyset
 * cursor made from a JS Date (milliseconds) would skip rows stamped within the same millisecond.
 */
export function exactTime(column: AnyColumn) {
  return sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}
