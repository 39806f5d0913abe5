// Appending to and reading the hash-chained audit log. Append is called last in every
// transaction that changes state, so the head's row lock is held only for the final insert.
import "server-only";
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import {
  type ActorType,
  type ChainedAuditEvent,
  type ChainHead,
  GENESIS_HASH,
  hashEvent,
} from "@/lib/hitl";
import type { Executor } from "../client";
import { auditEvents, auditHead } from "../schema";
import { databaseNow } from "./clock";

/** An event to append: lib/hitl's drafts, or the service's own (`checkpoint.saved`, …). */
export interface AuditEventInput {
  type: string;
  at?: Date;
  actor_type: ActorType;
  actor_id: string | null;
  request_id?: string | null;
  workflow_id?: string | null;
  payload: Record<string, unknown>;
}

export async function appendAuditEvents(
  tx: Executor,
  events: readonly AuditEventInput[],
): Promise<ChainHead | null> {
  if (events.length === 0) return null;
  // Locking the head serialises writers, so no two events ever claim the same predecessor.
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for("update");
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  // Events that do not say when they happened happened now, by the database clock.
  const now = events.some((e) => e.at === undefined) ? await databaseNow(tx) : undefined;
  const rows = events.map((e) => {
    seq += 1;
    const body = {
      seq,
      type: e.type,
      at: (e.at ?? now) as Date,
      actor_type: e.actor_type,
      actor_id: e.actor_id,
      request_id: e.request_id ?? null,
      workflow_id: e.workflow_id ?? null,
      payload: e.payload,
    };
    const hash = hashEvent(prevHash, body);
    const row = {
      seq,
      type: body.type,
      at: body.at,
      actorType: body.actor_type,
      actorId: body.actor_id,
      requestId: body.request_id,
      workflowId: body.workflow_id,
      payload: body.payload,
      prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
  await tx.insert(auditEvents).values(rows);
  const newHead = { seq, hash: prevHash };
  await tx
    .insert(auditHead)
    .values({ id: 1, ...newHead })
    .onConflictDoUpdate({ target: auditHead.id, set: newHead });
  return newHead;
}

export async function readAuditHead(db: Executor): Promise<ChainHead> {
  const [head] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  return { seq: head?.seq ?? 0, hash: head?.hash ?? GENESIS_HASH };
}

type AuditRow = typeof auditEvents.$inferSelect;

export function toChainedEvent(row: AuditRow): ChainedAuditEvent {
  return {
    seq: row.seq,
    type: row.type,
    at: row.at,
    actor_type: row.actorType as ActorType,
    actor_id: row.actorId,
    request_id: row.requestId,
    workflow_id: row.workflowId,
    payload: row.payload as Record<string, unknown>,
    prev_hash: row.prevHash,
    hash: row.hash,
  };
}

/** A page of the log in chain order after `afterSeq` (keyset pagination). */
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

/** The newest events first, before `beforeSeq`, optionally of one type or one workflow. */
export async function listAuditEvents(
  db: Executor,
  filter: { beforeSeq?: number; type?: string; workflowId?: string; limit: number },
): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(
      and(
        filter.beforeSeq ? lt(auditEvents.seq, filter.beforeSeq) : undefined,
        filter.type ? eq(auditEvents.type, filter.type) : undefined,
        filter.workflowId ? eq(auditEvents.workflowId, filter.workflowId) : undefined,
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(filter.limit);
}
