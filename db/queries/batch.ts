// One round trip for the several records a change writes together (its outbox rows, its
// audit events, …): each INSERT becomes a data-modifying CTE of one statement, which
// PostgreSQL runs exactly once each, in the caller's transaction. The statement's own query
// (the last INSERT, or a SELECT the caller needs) does not see the CTEs' rows: give it only
// what reads earlier statements' work.
import "server-only";
import { type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { type Executor, execRows } from "../client";

/** Run the INSERTs given (nulls, for nothing to write, are skipped) as one statement. */
export async function insertTogether(
  tx: Executor,
  inserts: readonly (SQLWrapper | null)[],
): Promise<void> {
  const present = inserts.filter((q): q is SQLWrapper => q !== null);
  const last = present.pop();
  if (last !== undefined) await queryAlongside(tx, present, last.getSQL());
}

/** Run `query`, with the INSERTs given as CTEs of the same statement; returns its rows. */
export async function queryAlongside<T extends Record<string, unknown>>(
  tx: Executor,
  inserts: readonly (SQLWrapper | null)[],
  query: SQL,
): Promise<T[]> {
  const present = inserts.filter((q): q is SQLWrapper => q !== null);
  if (present.length === 0) return execRows<T>(tx, query);
  const ctes = present.map((q, i) => sql`${sql.raw(`w${i}`)} AS (${q.getSQL()})`);
  return execRows<T>(tx, sql`WITH ${sql.join(ctes, sql`, `)} ${query}`);
}
