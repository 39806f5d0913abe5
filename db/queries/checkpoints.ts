import "server-only";
import { and, asc, desc, eq, lte, sql } from "drizzle-orm";
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

export async function listCheckpoints(db: Executor, actionId: string): Promise<CheckpointRow[]> {
  return db
    .select()
    .from(executionCheckpoints)
    .where(eq(executionCheckpoints.actionId, actionId))
    .orderBy(asc(executionCheckpoints.sequenceNumber));
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

/** Set a checkpoint's status only if it is still active; undefined when it was not. */
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
      ...(status === "resumed" ? { resumedAt: new Date(), resumedBy } : {}),
    })
    .where(and(eq(executionCheckpoints.id, id), eq(executionCheckpoints.status, "active")))
    .returning();
  return row;
}

/** Active checkpoints past their expiry, locked for this sweeper alone. */
export async function lockDueCheckpoints(db: Executor, now: Date, limit: number) {
  return db
    .select({
      id: executionCheckpoints.id,
      actionId: executionCheckpoints.actionId,
      taskId: approvalRequests.taskId,
      workflowId: approvalRequests.workflowId,
    })
    .from(executionCheckpoints)
    .innerJoin(approvalRequests, eq(approvalRequests.id, executionCheckpoints.actionId))
    .where(and(eq(executionCheckpoints.status, "active"), lte(executionCheckpoints.expiresAt, now)))
    .limit(limit)
    .for("update", { of: executionCheckpoints, skipLocked: true });
}
