// Delivering outbox rows and the operator's view of them. The rows themselves are written by
// the change that causes them (db/queries/requests.ts outboxInsert). A worker takes rows by a
// lease — a short UPDATE that pushes next_attempt_at past the delivery's deadline — so no
// transaction or row lock is held while it talks to the receiver.
import "server-only";
import { and, asc, desc, eq, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, OUTBOX_STATUS_VALUES, outbox, tasks } from "../schema";

export type OutboxRow = typeof outbox.$inferSelect;

/**
 * The channel every row written to the outbox NOTIFYs on commit, its kind the payload (the
 * outbox_notify trigger of drizzle/0015): the workers' wake-up.
 */
export const OUTBOX_CHANNEL = "airlock_outbox";
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

// Where a row goes, for the per-target limits of the deliveries (SPEC §8.1 Fairness). An agent
// names its callback URLs, and as many host names as it likes, so its callbacks answer to its
// key first (`tenant`: the API key), then to the key and the URL's origin (`target`), so one
// hanging receiver of a key leaves the key's others their turn. A notification goes to what the
// operator configured: its channel and origin are both its tenant and its target.
const originOf = sql`lower(regexp_replace(substring(${outbox.targetUrl} from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*'), '//[^@/]*@', '//'))`;
const tenantOf = sql`case when ${outbox.kind} = 'webhook'
  then 'key ' || coalesce((select ${tasks.apiKeyId}::text from ${tasks} where ${tasks.id} = ${outbox.taskId}), '-')
  else ${outbox.kind} || ' ' || coalesce(${outbox.channel}, '-') || ' ' || coalesce(${originOf}, '-') end`;
const targetOf = sql`case when ${outbox.kind} = 'webhook'
  then ${tenantOf} || ' ' || coalesce(${originOf}, '-') else ${tenantOf} end`;

// How far past the rows it may lease a lease looks, for rows of targets with room left: the
// rows of a target that has room for only some of its backlog come first in the scan.
const SCAN_PER_LEASED = 4;

/** What signs a callback: its task's agent key's webhook secret, and whether it was revoked. */
export interface WebhookSigner {
  secret: string | null;
  revoked: boolean;
}

/**
 * A leased delivery, with where it goes and, for an agent callback, what signs it: read by the
 * lease's own statement, so a delivery makes no round trip of its own before its POST.
 */
export type LeasedDelivery = OutboxRow & {
  target: string;
  tenant: string;
  signer: WebhookSigner | null;
};

const signerOf = sql`case when ${outbox.kind} = 'webhook' then (
  select json_build_object('secret', ${apiKeys.webhookSecret}, 'revoked', ${apiKeys.revokedAt} is not null)
  from ${tasks} join ${apiKeys} on ${apiKeys.id} = ${tasks.apiKeyId}
  where ${tasks.id} = ${outbox.taskId}) end`;

export interface DeliveryLease {
  kinds: readonly string[];
  limit: number;
  leaseMs: number;
  /** Deliveries in flight at once to one target, and for one tenant. */
  perTarget: number;
  perTenant: number;
  /**
   * What this worker has in flight, by target and by tenant: only the room left is leased. A
   * target counted at `perTarget` (or more) is not leased at all (a failing target cools down).
   */
  inFlight: {
    targets: Readonly<Record<string, number>>;
    tenants: Readonly<Record<string, number>>;
  };
  /** The room of the targets and tenants that earned more than perTarget and perTenant. */
  rooms?: {
    targets: Readonly<Record<string, number>>;
    tenants: Readonly<Record<string, number>>;
  };
}

/**
 * leaseDueOutbox with room per target: up to `limit` due rows, oldest due first, but no more
 * of a target (or tenant) than its room, and none of a target that has none, so a busy or
 * failing target's backlog leaves the worker's other slots to the others. One statement; rows
 * a full target holds back are not counted an attempt, and stay due for when it has room.
 */
export async function leaseDueDeliveries(
  db: Executor,
  lease: DeliveryLease,
): Promise<LeasedDelivery[]> {
  if (lease.kinds.length === 0 || lease.limit <= 0) return [];
  const targets = JSON.stringify(lease.inFlight.targets);
  const tenants = JSON.stringify(lease.inFlight.tenants);
  const usedBy = (json: string, name: SQL) => sql`coalesce((${json}::jsonb ->> ${name})::int, 0)`;
  const targetRooms = JSON.stringify(lease.rooms?.targets ?? {});
  const tenantRooms = JSON.stringify(lease.rooms?.tenants ?? {});
  const roomOf = (json: string, name: SQL, base: number) =>
    sql`coalesce((${json}::jsonb ->> ${name})::int, ${base})`;
  const targetRoom = (name: SQL) => roomOf(targetRooms, name, lease.perTarget);
  const tenantRoom = (name: SQL) => roomOf(tenantRooms, name, lease.perTenant);
  // The scan skips what has no room; of what is left, each target's oldest rows up to its
  // room, then of those each tenant's oldest up to its room, go. Rows the scan locked and the
  // ranking left are let go when the statement ends.
  const scan = lease.limit * SCAN_PER_LEASED;
  const due = sql`
    select by_tenant.id from (
      select by_target.id, by_target.due,
        row_number() over (partition by by_target.tenant order by by_target.due, by_target.id)
          <= ${tenantRoom(sql`by_target.tenant`)} - ${usedBy(tenants, sql`by_target.tenant`)} as has_room
      from (
        select c.id, c.due, c.tenant,
          row_number() over (partition by c.target order by c.due, c.id)
            <= ${targetRoom(sql`c.target`)} - ${usedBy(targets, sql`c.target`)} as has_room
        from (
          select ${outbox.id} as id, ${outbox.nextAttemptAt} as due, w.target, w.tenant
          from ${outbox} cross join lateral (select ${targetOf} as target, ${tenantOf} as tenant) w
          where ${outbox.status} = 'pending'
            and ${inArray(outbox.kind, [...lease.kinds])}
            and ${outbox.nextAttemptAt} <= now()
            and ${usedBy(targets, sql`w.target`)} < ${targetRoom(sql`w.target`)}
            and ${usedBy(tenants, sql`w.tenant`)} < ${tenantRoom(sql`w.tenant`)}
          order by ${outbox.nextAttemptAt}
          limit ${scan}
          for update of ${outbox} skip locked
        ) c
      ) by_target
      where by_target.has_room
    ) by_tenant
    where by_tenant.has_room
    order by by_tenant.due, by_tenant.id
    limit ${lease.limit}`;
  return db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, nextAttemptAt: ms(lease.leaseMs) })
    .where(sql`${outbox.id} in (${due})`)
    .returning({
      ...columns,
      target: sql<string>`${targetOf}`,
      tenant: sql<string>`${tenantOf}`,
      signer: sql<WebhookSigner | null>`${signerOf}`,
    });
}

/** Delivered: these rows, in one statement (the worker gathers the deliveries that end together). */
export async function markOutboxDelivered(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ status: "delivered", deliveredAt: sql`now()`, lastError: null })
    .where(and(inArray(outbox.id, [...ids]), eq(outbox.status, "pending")));
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
