import "server-only";
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { type Executor, execRows } from "../client";
import { approvalRequests, executionCheckpoints } from "../schema";
import { exactTime } from "./clock";

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

/**
 * Where a page of a workflow's checkpoints ends: its last checkpoint's request (created_at as
 * exactTime, and id), then the checkpoint's sequence number and id.
 */
export interface WorkflowCheckpointPosition {
  requestAt: string;
  requestId: string;
  sequence: number;
  id: string;
}

/**
 * A page of the checkpoints of a workflow's requests, with their data: request by request in the
 * requests' order (oldest first), each request's in sequence. The workflow's requests are read
 * from their index in order and each one's checkpoints from theirs, under the LIMIT, so a page
 * never reads the checkpoints of requests past it. (Ordering by when each checkpoint was saved
 * would read and sort every checkpoint of the workflow for each page: there is no index of a
 * workflow's checkpoints by time.)
 */
export async function listWorkflowCheckpoints(
  db: Executor,
  workflowId: string,
  page: { after: WorkflowCheckpointPosition | null; limit: number },
): Promise<{ rows: CheckpointRow[]; next: WorkflowCheckpointPosition | null }> {
  const a = page.after;
  const r = approvalRequests;
  const c = executionCheckpoints;
  const rows = await db
    .select({ checkpoint: c, requestAt: exactTime(r.createdAt) })
    .from(c)
    .innerJoin(r, eq(r.id, c.actionId))
    .where(
      and(
        eq(r.workflowId, workflowId),
        a
          ? // The first condition alone is one the requests' index can start from.
            sql`${r.createdAt} >= ${a.requestAt}::timestamptz
              AND (${r.createdAt}, ${r.id}, ${c.sequenceNumber}, ${c.id})
                > (${a.requestAt}::timestamptz, ${a.requestId}::uuid, ${a.sequence}::int, ${a.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(r.createdAt), asc(r.id), asc(c.sequenceNumber), asc(c.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    rows: shown.map((row) => row.checkpoint),
    next:
      rows.length > page.limit && last
        ? {
            requestAt: last.requestAt,
            requestId: last.checkpoint.actionId,
            sequence: last.checkpoint.sequenceNumber,
            id: last.checkpoint.id,
          }
        : null,
  };
}

/**
 * How many checkpoints a workflow's requests have, in all: each request's counted from its own
 * index (a LATERAL count), so the work is the workflow's however many checkpoints others have.
 * As a join, the planner reads the whole table into a hash once the workflow holds a tenth of it.
 */
export async function countWorkflowCheckpoints(db: Executor, workflowId: string): Promise<number> {
  const [row] = await execRows<{ n: number }>(
    db,
    sql`SELECT coalesce(sum(x.n), 0)::int AS n
        FROM ${approvalRequests} r
        CROSS JOIN LATERAL (
          SELECT count(*) AS n FROM ${executionCheckpoints} c WHERE c.action_id = r.id
        ) x
        WHERE r.workflow_id = ${workflowId}`,
  );
  return Number(row?.n ?? 0);
}
