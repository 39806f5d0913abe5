// One round trip for the several records a change writes together (its outbox rows, its
// audit events, …): each INSERT but the last becomes a data-modifying CTE of the last, which
// PostgreSQL runs exactly once each, in one statement of the caller's transaction.
import "server-only";
import { type SQLWrapper, sql } from "drizzle-orm";
import type { Executor } from "../client";

/** Run the INSERTs given (nulls, for nothing to write, are skipped) as one statement. */
export async function insertTogether(
  tx: Executor,
  inserts: readonly (SQLWrapper | null)[],
): Promise<void> {
  const present = inserts.filter((q): q is SQLWrapper => q !== null);
  const last = present.pop();
  if (last === undefined) return;
  if (present.length === 0) {
    await tx.execute(last.getSQL());
    return;
  }
  const ctes = present.map((q, i) => sql`${sql.raw(`w${i}`)} AS (${q.getSQL()})`);
  await tx.execute(sql`WITH ${sql.join(ctes, sql`, `)} ${last.getSQL()}`);
}
