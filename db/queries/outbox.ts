// Delivering outbox rows and the operator's view of them. The rows themselves are written by
// the change that causes them (db/queries/requests.ts outboxInsert). A worker takes rows by a
// lease — a short UPDATE that pushes next_attempt_at past the delivery's deadline — so no
// transaction or row lock is held while it talks to the receiver.
import "server-only";
import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, OUTBOX_STATUS_VALUES, outbox, tasks } from "../schema";

export type OutboxRow = typeof outbox.$inferSelect;
export const OUTBOX_STATUSES = OUTBOX_STATUS_VALUES;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

const columns = {
  id: outbox.id,
  kind: outbox.kind,
  channel: outbox.channel,
  requestId: outbox.requestId,
  taskId: outbox.taskId,
  eventType: outbox.eventType,
  payload: outbox.payload,
  targetUrl: outbox.targetUrl,
  status: outbox.status,
  attempts: outbox.attempts,
  nextAttemptAt: outbox.nextAttemptAt,
  lastError: outbox.lastError,
  createdAt: outbox.createdAt,
  deliveredAt: outbox.deliveredAt,
} satisfies Record<keyof OutboxRow, unknown>;

const ms = (value: number) => sql`now() + ${value}::double precision * interval '1 millisecond'`;

/**
 * Lease up to `limit` due pending rows of the given kinds, oldest due first: one statement,
 * which counts the attempt and moves next_attempt_at `leaseMs` ahead, so no other worker
 * takes them until the lease runs out (a crashed worker's rows come due again then). Rows
 * another worker is leasing at this very moment are skipped, never waited for.
 */
export async function leaseDueOutbox(
  db: Executor,
  kinds: readonly string[],
  limit: number,
  leaseMs: number,
): Promise<OutboxRow[]> {
  if (kinds.length === 0 || limit <= 0) return [];
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.status, "pending"),
        inArray(outbox.kind, [...kinds]),
        lte(outbox.nextAttemptAt, sql`now()`),
      ),
    )
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: ms(leaseMs) })
    .where(inArray(outbox.id, due))
    .returning(columns);
}

export async function markOutboxDelivered(db: Executor, id: string): Promise<void> {
  await db
    .update(outbox)
    .set({ status: "delivered", deliveredAt: sql`now()`, lastError: null })
    .where(and(eq(outbox.id, id), eq(outbox.status, "pending")));
}

/**
 * Record a failed attempt: due again after `retryInMs`, or dead. Only while the row is still
 * the lease this attempt took (same attempt count): when the lease ran out and another worker
 * took the row meanwhile, that worker's lease is left alone.
 */
export async function markOutboxFailed(
  db: Executor,
  id: string,
  leasedAttempts: number,
  failure: { error: string; dead: boolean; retryInMs: number },
): Promise<void> {
  await db
    .update(outbox)
    .set(
      failure.dead
        ? { status: "dead", lastError: failure.error }
        : { lastError: failure.error, nextAttemptAt: ms(failure.retryInMs) },
    )
    .where(
      and(eq(outbox.id, id), eq(outbox.status, "pending"), eq(outbox.attempts, leasedAttempts)),
    );
}

/**
 * Put a leased row back without counting its attempt, due in `inMs`: its subject was busy,
 * which says nothing of the receiver. Only while it is still this attempt's lease.
 */
export async function deferOutbox(
  db: Executor,
  id: string,
  leasedAttempts: number,
  inMs: number,
): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} - 1`, nextAttemptAt: ms(inMs) })
    .where(
      and(eq(outbox.id, id), eq(outbox.status, "pending"), eq(outbox.attempts, leasedAttempts)),
    );
}

/** The webhook secret of the agent key that submitted the task, and whether it was revoked. */
export async function findTaskWebhookSecret(
  db: Executor,
  taskId: string,
): Promise<{ secret: string | null; revoked: boolean } | undefined> {
  const [row] = await db
    .select({ secret: apiKeys.webhookSecret, revokedAt: apiKeys.revokedAt })
    .from(tasks)
    .innerJoin(apiKeys, eq(apiKeys.id, tasks.apiKeyId))
    .where(eq(tasks.id, taskId))
    .limit(1);
  return row && { secret: row.secret, revoked: row.revokedAt !== null };
}

/** Newest first, optionally of one status. */
export async function listOutboxRows(
  db: Executor,
  filter: { status?: OutboxStatus; limit: number },
): Promise<OutboxRow[]> {
  return db
    .select(columns)
    .from(outbox)
    .where(filter.status ? eq(outbox.status, filter.status) : undefined)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(filter.limit);
}

/** The rows with these ids, locked for a retry. */
export async function lockOutboxRows(
  tx: Executor,
  ids: readonly string[],
): Promise<Pick<OutboxRow, "id" | "status">[]> {
  if (ids.length === 0) return [];
  return tx
    .select({ id: outbox.id, status: outbox.status })
    .from(outbox)
    .where(inArray(outbox.id, [...ids]))
    .for("update");
}

/**
 * Put dead rows back in line: pending, no attempts counted, due now. `ids` limits it to those
 * rows (still only dead ones); without it, every dead row.
 */
export async function requeueDeadOutbox(
  tx: Executor,
  ids?: readonly string[],
): Promise<OutboxRow[]> {
  return tx
    .update(outbox)
    .set({ status: "pending", attempts: 0, nextAttemptAt: sql`now()` })
    .where(
      and(eq(outbox.status, "dead"), ids === undefined ? undefined : inArray(outbox.id, [...ids])),
    )
    .returning(columns);
}
