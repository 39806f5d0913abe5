// The task's side of its hosted graph (lib/jobs/workflow.ts): who drives it (a lease on the
// task row, so no row lock is held while the graph runs), where it stands (`execution`,
// started_at, resumed_at, completed_at) and what it returned (execution_result).
import "server-only";
import { and, eq, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { CLOSED_STATUSES } from "@/lib/hitl";
import { type Database, type Executor, execRows } from "../client";
import { approvalRequests, outbox, tasks } from "../schema";
import type { TaskRow } from "./requests";

const inMs = (value: number) => sql`now() + ${value}::double precision * interval '1 millisecond'`;

/**
 * Take the lease on a task whose graph has not completed, for `leaseMs`: one statement, so
 * of two drivers racing for it exactly one gets the row. Null when another driver holds an
 * unexpired lease, the graph has completed, or there is no such task.
 */
export async function claimTask(
  db: Executor,
  taskId: string,
  token: string,
  leaseMs: number,
): Promise<TaskRow | undefined> {
  const [row] = await db
    .update(tasks)
    .set({ leaseToken: token, leaseUntil: inMs(leaseMs) })
    .where(
      and(
        eq(tasks.id, taskId),
        ne(tasks.execution, "completed"),
        or(isNull(tasks.leaseUntil), lt(tasks.leaseUntil, sql`now()`)),
      ),
    )
    .returning();
  return row;
}

/** Give the lease back (only this driver's: a lease that ran out may be someone else's now). */
export async function releaseTask(db: Executor, taskId: string, token: string): Promise<void> {
  await db
    .update(tasks)
    .set({ leaseToken: null, leaseUntil: null })
    .where(and(eq(tasks.id, taskId), eq(tasks.leaseToken, token)));
}

/** The graph reached the gate (or went through it): the first time counts. */
export async function markTaskStarted(db: Executor, taskId: string): Promise<void> {
  await db
    .update(tasks)
    .set({ startedAt: sql`coalesce(${tasks.startedAt}, clock_timestamp())` })
    .where(eq(tasks.id, taskId));
}

/**
 * waiting (or failed, on an operator's retry) → running, as the graph goes past its gate;
 * counts the resume and stamps the first. Returns the row when it moved, else undefined.
 */
export async function markTaskRunning(
  db: Executor,
  taskId: string,
): Promise<Pick<TaskRow, "resumedAt" | "resumeCount"> | undefined> {
  const [row] = await db
    .update(tasks)
    .set({
      execution: "running",
      resumedAt: sql`coalesce(${tasks.resumedAt}, clock_timestamp())`,
      resumeCount: sql`${tasks.resumeCount} + 1`,
      updatedAt: sql`clock_timestamp()`,
    })
    .where(and(eq(tasks.id, taskId), inArray(tasks.execution, ["waiting", "failed"])))
    .returning({ resumedAt: tasks.resumedAt, resumeCount: tasks.resumeCount });
  return row;
}

/** The graph's last node ran: completed, with what it returned. */
export async function markTaskCompleted(
  db: Executor,
  taskId: string,
  result: Record<string, unknown>,
): Promise<void> {
  await db
    .update(tasks)
    .set({
      execution: "completed",
      executionResult: result,
      completedAt: sql`clock_timestamp()`,
      updatedAt: sql`clock_timestamp()`,
    })
    .where(eq(tasks.id, taskId));
}

/** Driving the graph failed for good (its outbox row is dead): failed, with the error. */
export async function markTaskFailed(
  db: Executor,
  taskId: string,
  error: string,
): Promise<boolean> {
  const rows = await db
    .update(tasks)
    .set({
      execution: "failed",
      executionResult: { executed: false, status: "failed", error },
      updatedAt: sql`clock_timestamp()`,
    })
    .where(and(eq(tasks.id, taskId), ne(tasks.execution, "completed")))
    .returning({ id: tasks.id });
  return rows.length > 0;
}

// The tables recovery's scan reads, whose statistics it needs to be right.
const RECOVERY_TABLES = ["tasks", "approval_requests", "outbox"];

/**
 * ANALYZE those of recovery's tables that have had more rows written than they held (and at
 * least 1,000) since their statistics were taken; the names of those analyzed. A new
 * database written to fast has statistics that say its outbox is empty for a minute or two,
 * until autovacuum comes round, and the planner then reads the whole of an outbox index for
 * each unfinished task: 2–3 s at 4,000 tasks (db/queries/workflow-plan.pg.test.ts), and
 * requests pipelined behind it on its connection waited as long.
 */
export async function analyzeGrownTables(db: Database): Promise<string[]> {
  // In a transaction, for its connection of its own: ANALYZE of a large table takes a second
  // or more, and queries pipelined behind it on a shared connection would wait as long.
  return db.transaction(async (tx) => {
    const grown = await execRows<{ name: string }>(
      tx,
      sql`SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
          WHERE s.schemaname = 'public'
            AND s.relname IN (${sql.join(
              RECOVERY_TABLES.map((t) => sql`${t}`),
              sql`, `,
            )})
            AND s.n_mod_since_analyze > greatest(1000, c.reltuples)
          ORDER BY s.relname`,
    );
    const names = grown.map((row) => row.name);
    if (names.length > 0) await execRows(tx, sql.raw(`ANALYZE ${names.join(", ")}`));
    return names;
  });
}

/**
 * Recovery: queue a drive for every task whose request is closed, whose graph has neither
 * completed nor failed, that nobody is driving and that has no drive queued — at most
 * `limit` of them, in one statement. Tasks another instance is queueing at this moment are
 * skipped (SKIP LOCKED), so each is queued once.
 */
export async function queueUnfinishedWorkflows(db: Executor, limit: number): Promise<number> {
  const rows = await execRows<{ id: string }>(
    db,
    sql`WITH due AS (
      SELECT t.id AS task_id, r.id AS request_id, r.status
      FROM ${tasks} t JOIN ${approvalRequests} r ON r.task_id = t.id
      WHERE t.execution IN ('waiting', 'running')
        AND r.status IN (${sql.join(
          CLOSED_STATUSES.map((s) => sql`${s}`),
          sql`, `,
        )})
        AND (t.lease_until IS NULL OR t.lease_until < now())
        AND NOT EXISTS (
          SELECT 1 FROM ${outbox} o
          WHERE o.task_id = t.id AND o.kind = 'workflow' AND o.status = 'pending'
        )
      ORDER BY t.created_at
      LIMIT ${limit}
      FOR UPDATE OF t SKIP LOCKED
    )
    INSERT INTO ${outbox} (kind, request_id, task_id, event_type, payload)
    SELECT 'workflow', request_id, task_id, 'workflow.recovered',
      jsonb_build_object('task_id', task_id, 'request_id', request_id, 'status', status)
    FROM due
    RETURNING id`,
  );
  return rows.length;
}
