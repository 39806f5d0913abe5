// Appending to, sealing and reading the hash-chained audit log (SPEC §8). Appending is one
// INSERT that takes no lock writers share: the event waits, unsealed, for the sealer
// (lib/jobs/sealer.ts), which numbers and links it into the chain after its transaction
// commits.
import "server-only";
import { and, asc, count, desc, eq, gt, isNull, lt, min, sql } from "drizzle-orm";
import type { AuditType } from "@/lib/contract/audit";
import { type ActorType, type ChainedAuditEvent, type ChainHead, GENESIS_HASH } from "@/lib/hitl";
import { type Executor, execRows } from "../client";
import { auditEvents, auditHead } from "../schema";
import { insertTogether } from "./batch";

/** An event to append: lib/hitl's drafts, or the services' own (`checkpoint.saved`, …). */
export interface AuditEventInput {
  type: AuditType;
  /** When it happened; by default the writing transaction's start, by the database clock. */
  at?: Date;
  actor_type: ActorType;
  actor_id: string | null;
  request_id?: string | null;
  workflow_id?: string | null;
  payload: Record<string, unknown>;
}

/** Insert events unsealed, stamped with this transaction's id (a column default). */
export async function appendAuditEvents(
  tx: Executor,
  events: readonly AuditEventInput[],
): Promise<void> {
  await insertTogether(tx, [auditInsert(tx, events)]);
}

/** The events' INSERT, to send with the change's other records (insertTogether). */
export function auditInsert(tx: Executor, events: readonly AuditEventInput[]) {
  if (events.length === 0) return null;
  return tx.insert(auditEvents).values(
    events.map((e) => ({
      type: e.type,
      // Left undefined, the column's default applies (drizzle writes DEFAULT for it).
      at: e.at,
      actorType: e.actor_type,
      actorId: e.actor_id,
      requestId: e.request_id ?? null,
      workflowId: e.workflow_id ?? null,
      payload: e.payload,
    })),
  );
}

/**
 * The sealer's lock, taken for the sealing transaction: one sealer at a time across every
 * instance on the database; the others skip their turn instead of queueing.
 */
export async function trySealerLock(tx: Executor): Promise<boolean> {
  const [row] = await execRows<{ locked: boolean }>(
    tx,
    sql`SELECT pg_try_advisory_xact_lock(hashtext('airlock.audit.sealer')) AS locked`,
  );
  return row?.locked === true;
}

/**
 * The next unsealed events that no running transaction can still precede: those of
 * transactions older than the oldest one still running (the snapshot's xmin), which have all
 * committed or rolled back, so no event can ever appear before them. In transaction order,
 * then insertion order: an event that committed late, of a transaction that started early,
 * still takes its place before the events of later transactions.
 */
export async function readSealable(tx: Executor, limit: number): Promise<AuditRow[]> {
  return tx
    .select()
    .from(auditEvents)
    .where(
      and(
        isNull(auditEvents.seq),
        sql`${auditEvents.xid} < pg_snapshot_xmin(pg_current_snapshot())`,
      ),
    )
    .orderBy(asc(auditEvents.xid), asc(auditEvents.id))
    .limit(limit);
}

export async function hasUnsealed(db: Executor): Promise<boolean> {
  const rows = await db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(isNull(auditEvents.seq))
    .limit(1);
  return rows.length > 0;
}

/** Link events into the chain (one statement) and move the head, under the sealer's lock. */
export async function writeSeals(
  tx: Executor,
  seals: readonly { id: number; seq: number; prevHash: string; hash: string }[],
  head: ChainHead,
): Promise<void> {
  const values = sql.join(
    seals.map((s) => sql`(${s.id}::bigint, ${s.seq}::bigint, ${s.prevHash}, ${s.hash})`),
    sql`, `,
  );
  await tx.execute(sql`
    UPDATE audit_events AS e
    SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash, sealed_at = clock_timestamp()
    FROM (VALUES ${values}) AS v(id, seq, prev_hash, hash)
    WHERE e.id = v.id AND e.seq IS NULL`);
  await tx
    .insert(auditHead)
    .values({ id: 1, ...head })
    .onConflictDoUpdate({ target: auditHead.id, set: head });
}

/** The head, locked for the sealer (its lock already excludes other sealers). */
export async function lockAuditHead(tx: Executor): Promise<ChainHead> {
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for("update");
  return { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH };
}

export async function readAuditHead(db: Executor): Promise<ChainHead> {
  const [head] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  return { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH };
}

/** How many events wait to be sealed, and since when. */
export async function unsealedSummary(
  db: Executor,
): Promise<{ count: number; oldestAt: Date | null }> {
  const [row] = await db
    .select({ count: count(), oldestAt: min(auditEvents.at) })
    .from(auditEvents)
    .where(isNull(auditEvents.seq));
  return { count: row?.count ?? 0, oldestAt: row?.oldestAt ? new Date(row.oldestAt) : null };
}

export type AuditRow = typeof auditEvents.$inferSelect;

/** A sealed row as the verifier reads it (the page query returns sealed rows only). */
export function toChainedEvent(row: AuditRow): ChainedAuditEvent {
  return {
    seq: row.seq as number,
    type: row.type,
    at: row.at,
    actor_type: row.actorType as ActorType,
    actor_id: row.actorId,
    request_id: row.requestId,
    workflow_id: row.workflowId,
    payload: row.payload as Record<string, unknown>,
    prev_hash: row.prevHash as string,
    hash: row.hash as string,
  };
}

/** A page of the sealed log in chain order after `afterSeq` (keyset pagination). */
export async function readAuditPage(
  db: Executor,
  afterSeq: number,
  limit: number,
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(gt(auditEvents.seq, afterSeq))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
}

/**
 * The newest events first (by insertion, sealed or not), before the event `beforeId`,
 * optionally of one type or one workflow.
 */
export async function listAuditEvents(
  db: Executor,
  filter: { beforeId?: number; type?: string; workflowId?: string; limit: number },
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(
      and(
        filter.beforeId ? lt(auditEvents.id, filter.beforeId) : undefined,
        filter.type ? eq(auditEvents.type, filter.type) : undefined,
        filter.workflowId ? eq(auditEvents.workflowId, filter.workflowId) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit);
}
