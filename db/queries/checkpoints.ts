import "server-only";
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { approvalRequests, executionCheckpoints } from "../schema";

export type CheckpointRow = typeof executionCheckpoints.$inferSelect;

export async function nextCheckpointSequence(db: Executor, actionId: string): Promise<number> {
  const [row] = await db
    .select({ max: sql<number>`coalesce(max(${executionCheckpoints.sequenceNumber}), 0)::int` })
    .from(executionCheckpoints)
    .where(eq(executionCheckpoints.actionId, actionId));
  return (row?.max ?? 0) + 1;
}

export async function insertCheckpoint(
  db: Executor,
  values: typeof executionCheckpoints.$inferInsert,
): Promise<CheckpointRow> {
  const [row] = await db.insert(executionCheckpoints).values(values).returning();
  if (!row) throw new Error("insert into execution_checkpoints returned no row");
  return row;
}

/** How many checkpoints an action has, and the bytes of their data as JSON text, in all. */
export async function checkpointUsage(
  db: Executor,
  actionId: string,
): Promise<{ count: number; bytes: number }> {
  const [row] = await db
    .select({
      count: sql<number>`count(*)::int`,
      bytes: sql<number>`coalesce(sum(octet_length(${executionCheckpoints.checkpointData}::text)), 0)::bigint`,
    })
    .from(executionCheckpoints)
    .where(eq(executionCheckpoints.actionId, actionId));
  return { count: Number(row?.count ?? 0), bytes: Number(row?.bytes ?? 0) };
}

/** A page of an action's checkpoints in sequence, after sequence number `after`. */
export async function listCheckpoints(
  db: Executor,
  actionId: string,
  page: { after?: number; limit: number },
): Promise<CheckpointRow[]> {
  return db
    .select()
    .from(executionCheckpoints)
    .where(
      and(
        eq(executionCheckpoints.actionId, actionId),
        page.after === undefined ? undefined : gt(executionCheckpoints.sequenceNumber, page.after),
      ),
    )
    .orderBy(asc(executionCheckpoints.sequenceNumber))
    .limit(page.limit);
}

export async function latestCheckpointByName(
  db: Executor,
  actionId: string,
  name: string,
): Promise<CheckpointRow | undefined> {
  const [row] = await db
    .select()
    .from(executionCheckpoints)
    .where(
      and(
        eq(executionCheckpoints.actionId, actionId),
        eq(executionCheckpoints.checkpointName, name),
      ),
    )
    .orderBy(desc(executionCheckpoints.sequenceNumber))
    .limit(1);
  return row;
}

export async function findCheckpoint(
  db: Executor,
  actionId: string,
  id: string,
): Promise<CheckpointRow | undefined> {
  const [row] = await db
    .select()
    .from(executionCheckpoints)
    .where(and(eq(executionCheckpoints.actionId, actionId), eq(executionCheckpoints.id, id)))
    .limit(1);
  return row;
}

/**
 * Set a checkpoint's status only if it is still active and, for resume and cancel, not past
 * its expiry by the database clock (so expiry holds even with no sweeper running); undefined
 * when it was not.
 */
export async function closeCheckpoint(
  db: Executor,
  id: string,
  status: "resumed" | "cancelled" | "expired",
  resumedBy: string | null,
): Promise<CheckpointRow | undefined> {
  const [row] = await db
    .update(executionCheckpoints)
    .set({
      status,
      ...(status === "resumed" ? { resumedAt: sql`clock_timestamp()`, resumedBy } : {}),
    })
    .where(
      and(
        eq(executionCheckpoints.id, id),
        eq(executionCheckpoints.status, "active"),
        status === "expired"
          ? undefined
          : sql`(${executionCheckpoints.expiresAt} IS NULL OR ${executionCheckpoints.expiresAt} > clock_timestamp())`,
      ),
    )
    .returning();
  return row;
}

/** Whether an active checkpoint is past its expiry by the database clock. */
export function isPastExpiry(row: Pick<CheckpointRow, "expiresAt">, now: Date): boolean {
  return row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime();
}

/** Active checkpoints past their expiry (by the database clock), locked for this sweeper alone. */
export async function lockDueCheckpoints(db: Executor, limit: number) {
  return db
    .select({
      id: executionCheckpoints.id,
      actionId: executionCheckpoints.actionId,
      taskId: approvalRequests.taskId,
      workflowId: approvalRequests.workflowId,
    })
    .from(executionCheckpoints)
    .innerJoin(approvalRequests, eq(approvalRequests.id, executionCheckpoints.actionId))
    .where(
      and(
        eq(executionCheckpoints.status, "active"),
        sql`${executionCheckpoints.expiresAt} <= clock_timestamp()`,
      ),
    )
    .limit(limit)
    .for("update", { of: executionCheckpoints, skipLocked: true });
}

/** The checkpoints of every action of a workflow, in the order they were saved. */
export async function listWorkflowCheckpoints(
  db: Executor,
  workflowId: string,
): Promise<CheckpointRow[]> {
  const rows = await db
    .select({ checkpoint: executionCheckpoints })
    .from(executionCheckpoints)
    .innerJoin(approvalRequests, eq(approvalRequests.id, executionCheckpoints.actionId))
    .where(eq(approvalRequests.workflowId, workflowId))
    .orderBy(asc(executionCheckpoints.createdAt), asc(executionCheckpoints.sequenceNumber))
    .limit(1000);
  return rows.map((r) => r.checkpoint);
}
