// The demo's history seed (lib/demo/traffic.ts): one seeder at a time, and whether a
// history was already written (its audit event, found by the audit's type index).
import "server-only";
import { eq, sql } from "drizzle-orm";
import { type Executor, execRows } from "../client";
import { auditEvents } from "../schema";

/** Held until the transaction ends: two demo seeds on one database never both write. */
export async function lockHistorySeed(tx: Executor): Promise<void> {
  await execRows(tx, sql`SELECT pg_advisory_xact_lock(hashtext('airlock.demo.history')) AS locked`);
}

export async function hasAuditEventOfType(db: Executor, type: string): Promise<boolean> {
  const rows = await db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(eq(auditEvents.type, type))
    .limit(1);
  return rows.length > 0;
}
