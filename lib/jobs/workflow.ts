// Driving each task's hosted approval graph (SPEC §6; the graph is lib/graph/approval-graph.ts):
// started when the task is submitted, resumed past its gate when the request closes, in
// whichever instance takes the task's `workflow` outbox row — or the agent's resume call,
// or the recovery that queues a drive for every decided graph that has not finished.
//
// - One driver per task at a time: a lease on the task row (db/queries/workflow.ts), taken in
//   one statement and never held as a row lock while the graph runs. A drive that finds the
//   lease taken is "busy" and comes back later; a driver that died leaves a lease that runs out.
// - Idempotent end to end: a drive brings the graph to where the request stands, so a second
//   drive of the same state does nothing; the nodes after the gate (finishTask) complete the
//   task and queue its callback once, under the task's row lock, keyed by the request id;
//   LangGraph re-runs the interrupted node from its top, and the gate does nothing before
//   `interrupt()`.
// - Embedded (PGlite), the graph's checkpoints go through the socket (lib/graph/checkpointer):
//   no graph step ever runs inside a drizzle transaction here.
// - `execution`: waiting (until the request closes) → running (past the gate) → completed (the
//   last node ran) | failed (the drive's outbox row died; an operator's retry drives it again).
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import {
  type Database,
  type DbHandle,
  type Executor,
  getDb,
  isDatabaseUnavailable,
  retryWhileUnavailable,
} from "@/db/client";
import { auditInsert } from "@/db/queries/audit";
import { insertTogether } from "@/db/queries/batch";
import {
  findRequestByTask,
  findTask,
  lockTask,
  type RequestRow,
  type TaskRow,
} from "@/db/queries/requests";
import { listPeople } from "@/db/queries/users";
import {
  analyzeGrownTables,
  claimTask,
  markTaskCompleted,
  markTaskFailed,
  markTaskRunning,
  markTaskStarted,
  queueUnfinishedWorkflows,
  releaseTask,
} from "@/db/queries/workflow";
import { outbox } from "@/db/schema";
import { env } from "@/lib/env";
import {
  type ApprovalGraph,
  type ApprovalState,
  compileApprovalGraph,
  continueApproval,
  type GateDecision,
  resumeFromGate,
  startApproval,
  threadAt,
} from "@/lib/graph/approval-graph";
import { createCheckpointer } from "@/lib/graph/checkpointer";
import type { RequestStatus } from "@/lib/hitl";
import { type Action, isOpenStatus } from "@/lib/hitl";
import { log } from "@/lib/log";
import { decisionBy } from "@/lib/services/dto";
import { metrics } from "@/lib/services/insights/metrics";
import type { OutboxHandler } from "@/lib/services/integrations/webhook";
import type { AuditActor } from "@/lib/services/principal";
import { callbackRows, completedEvent, executionResult } from "@/lib/services/requests/execution";
import type { DriveResult, TaskDrive } from "@/lib/services/requests/tasks";
import { settlesWithin, startPeriodic, stopPeriodic } from "./periodic";

/**
 * How long a driver may hold a task before another may take it over (it died, or hangs). A
 * drive takes milliseconds (the nodes record; the agent runs the action), and one that outlived
 * its lease could not run a node twice (finishTask completes a task once), so a crashed
 * instance's tasks are not held long.
 */
export const WORKFLOW_LEASE_MS = 15_000;

export interface Workflows {
  db: Database;
  graph: ApprovalGraph;
  close(): Promise<void>;
}

/** The graph on this database, with a checkpointer of its own (close it when done). */
export async function openWorkflows(
  handle: Pick<DbHandle, "db" | "connection">,
): Promise<Workflows> {
  const checkpointer = await createCheckpointer(handle);
  const graph = compileApprovalGraph(checkpointer.saver, {
    execute: (state) => finishTask(handle.db, state),
    reject: (state) => finishTask(handle.db, state),
  });
  return { db: handle.db, graph, close: () => checkpointer.close() };
}

// One per database, kept on globalThis: Next.js may load this module in more than one bundle.
const registryKey = Symbol.for("airlock.workflows");
type GlobalWithWorkflows = typeof globalThis & {
  [registryKey]?: Map<Database, Promise<Workflows>>;
};

function registry(): Map<Database, Promise<Workflows>> {
  const g = globalThis as GlobalWithWorkflows;
  g[registryKey] ??= new Map();
  return g[registryKey];
}

/** The graph on this database, opened at the first call; closeWorkflows() closes it. */
export function workflowsFor(handle: Pick<DbHandle, "db" | "connection">): Promise<Workflows> {
  const all = registry();
  let opened = all.get(handle.db);
  if (!opened) {
    opened = openWorkflows(handle).catch((error: unknown) => {
      // The database may come back: the next call tries again.
      all.delete(handle.db);
      throw error;
    });
    all.set(handle.db, opened);
  }
  return opened;
}

/** This process's graph, on its database (getDb()). */
export async function processWorkflows(): Promise<Workflows> {
  return workflowsFor(await getDb());
}

export async function closeWorkflows(db: Database): Promise<void> {
  const opened = registry().get(db);
  registry().delete(db);
  if (opened) await (await opened.catch(() => null))?.close();
}

/**
 * Where a task's graph checkpoints: a thread inside its key's own namespace (two keys naming
 * the same thread never share state), one per task (an agent may have several tasks open
 * on one of its threads at once).
 */
export function graphThreadId(task: Pick<TaskRow, "apiKeyId" | "threadId" | "id">): string {
  return `${task.apiKeyId ?? "-"}:${task.threadId}:${task.id}`;
}

const SYSTEM: AuditActor = { actor_type: "system", actor_id: null };

/**
 * Bring the task's graph to where its request stands: start it if it never ran, resume it
 * past the gate if the request has closed. `actor` is who asked (the audit's `workflow.resumed`).
 */
export async function driveTask(
  w: Workflows,
  taskId: string,
  actor: AuditActor = SYSTEM,
): Promise<DriveResult> {
  const token = randomUUID();
  const task = await claimOrGiveBack(w.db, taskId, token);
  if (!task) {
    const current = await findTask(w.db, taskId);
    if (!current) throw new Error(`no task ${taskId}`);
    return current.execution === "completed"
      ? { kind: "completed", task: current }
      : { kind: "busy" };
  }
  try {
    return await advance(w, task, actor);
  } finally {
    // Given back once the database answers again: a lease left behind by a connection cut
    // would keep every other driver off the task until it runs out.
    await retryWhileUnavailable(() => releaseTask(w.db, taskId, token), WORKFLOW_LEASE_MS);
  }
}

const sharedDrives = new WeakMap<Workflows, TaskDrive>();

/**
 * `driveTask` for the resume service (lib/services/requests/tasks.ts resumeTask): drives of one
 * task asked for together through one set of graphs (this process's) share one drive, and so
 * its answer.
 */
export function sharedDrive(w: Workflows): TaskDrive {
  let drive = sharedDrives.get(w);
  if (!drive) {
    const running = new Map<string, Promise<DriveResult>>();
    drive = (taskId, actor) => {
      let run = running.get(taskId);
      if (!run) {
        run = driveTask(w, taskId, actor).finally(() => running.delete(taskId));
        running.set(taskId, run);
      }
      return run;
    };
    sharedDrives.set(w, drive);
  }
  return drive;
}

/**
 * The task's lease for this drive's token. A connection cut between the claim's commit and its
 * answer leaves the lease taken by a token nobody knows it holds: every other drive would find
 * the task busy until the lease ran out (WORKFLOW_LEASE_MS). So on such a failure the token's
 * lease is given back once the database answers (which changes nothing if the claim never
 * landed), and the failure is passed on: the drive's row comes due again.
 */
async function claimOrGiveBack(db: Database, taskId: string, token: string) {
  try {
    return await claimTask(db, taskId, token, WORKFLOW_LEASE_MS);
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      await retryWhileUnavailable(() => releaseTask(db, taskId, token), WORKFLOW_LEASE_MS).catch(
        () => {},
      );
    }
    throw error;
  }
}

async function advance(w: Workflows, task: TaskRow, actor: AuditActor): Promise<DriveResult> {
  const thread = graphThreadId(task);
  let started = task.startedAt !== null;
  const markStarted = async () => {
    if (started) return;
    await markTaskStarted(w.db, task.id);
    started = true;
  };
  // Where the thread stands: read from its checkpoint once, then known from each run's end.
  let at = await threadAt(w.graph, thread);
  // Start, then resume if the request closed meanwhile (or had closed before the start).
  for (let step = 0; step < 3; step++) {
    const row = await findRequestByTask(w.db, task.id);
    if (!row) throw new Error(`task ${task.id} has no request`);
    const closed = !isOpenStatus(row.status as RequestStatus);
    // Started by a drive that failed before it could say so (the database went away).
    if (at !== "unstarted") await markStarted();
    // Its last node completed the task before its checkpoint was written.
    if (at === "finished") return completed(w.db, task.id);
    if (closed) await enterRunning(w.db, task, row, actor);
    if (at === "unstarted" || at === "between") {
      const run =
        at === "unstarted"
          ? await startApproval(w.graph, thread, {
              task_id: task.id,
              request_id: row.id,
              assessment: {
                level: row.riskLevel,
                score: row.riskScore,
                reasons: (row.riskFactors as { reasons?: string[] }).reasons ?? [],
                auto_approved: row.autoApproved,
              },
              context: (row.actionDetails as Action).context ?? {},
            })
          : // A crash stopped it between two steps: on from its last checkpoint.
            await continueApproval(w.graph, thread);
      await markStarted();
      if (run.kind === "finished") return completed(w.db, task.id);
      at = "gate";
      continue;
    }
    if (!closed) return { kind: "waiting" };
    const run = await resumeFromGate(w.graph, thread, decisionOf(row));
    if (run.kind === "finished") {
      if (row.decidedAt) {
        metrics().resumeLatency.observe((Date.now() - row.decidedAt.getTime()) / 1000);
      }
      return completed(w.db, task.id);
    }
    throw new Error(`thread ${thread} stopped at the gate again after its decision`);
  }
  throw new Error(`thread ${thread} did not move past its start`);
}

function decisionOf(row: RequestRow): GateDecision {
  return {
    status: row.status as GateDecision["status"],
    edited_inputs: (row.editedInputs as Record<string, unknown> | null) ?? null,
    reason: row.statusReason,
  };
}

async function completed(db: Database, taskId: string): Promise<DriveResult> {
  const task = await findTask(db, taskId);
  if (task?.execution !== "completed") {
    throw new Error(`task ${taskId}'s graph finished without completing the task`);
  }
  return { kind: "completed", task };
}

/** waiting → running, with its audit event: the first time only. */
async function enterRunning(
  db: Database,
  task: TaskRow,
  row: RequestRow,
  actor: AuditActor,
): Promise<void> {
  if (task.execution === "running") return;
  await db.transaction(async (tx) => {
    const moved = await markTaskRunning(tx, task.id);
    if (!moved) return;
    await insertTogether(tx, [
      auditInsert(tx, [
        {
          type: "workflow.resumed",
          ...actor,
          request_id: row.id,
          workflow_id: row.workflowId,
          payload: {
            task_id: task.id,
            thread_id: task.threadId,
            status: row.status,
            edited_inputs: row.editedInputs,
            resume_count: moved.resumeCount,
          },
        },
      ]),
    ]);
  });
}

/**
 * The nodes after the gate: complete the task with what the agent receives, and queue its
 * callback if it gave one — once, however often LangGraph runs the node: under the task's
 * row lock, a completed task answers with what it already returned, and the request has at
 * most one callback row (a unique index).
 */
async function finishTask(db: Database, state: ApprovalState): Promise<Record<string, unknown>> {
  return db.transaction(async (tx) => {
    const task = await lockTask(tx, state.task_id);
    if (!task) throw new Error(`task ${state.task_id} is missing`);
    if (task.execution === "completed") return task.executionResult as Record<string, unknown>;
    const row = await findRequestByTask(tx, task.id);
    if (!row) throw new Error(`task ${task.id} has no request`);
    if (!state.decision) throw new Error(`task ${task.id} went past its gate without a decision`);
    // The context the graph's state carried across its interrupt, not read back from the request.
    const result = executionResult(state.decision, row, state.context ?? {});
    await markTaskCompleted(tx, task.id, result);
    const callback = callbackRows(task, row, result, await deciderOf(tx, row));
    await insertTogether(tx, [
      callback.length > 0 ? tx.insert(outbox).values(callback).onConflictDoNothing() : null,
      auditInsert(tx, [completedEvent(task, row, result)]),
    ]);
    return result;
  });
}

/** Who closed the request, by name, and how (nulls when the system or the agent did). */
async function deciderOf(tx: Executor, row: RequestRow) {
  const people =
    row.decidedBy === null ? new Map() : await listPeople(tx, { ids: [row.decidedBy] });
  return decisionBy(row, people);
}

/** Driving failed for good: the task is failed, with its audit event. */
export async function failTask(db: Database, taskId: string, error: string): Promise<void> {
  await db.transaction(async (tx) => {
    const task = await findTask(tx, taskId);
    if (!task || !(await markTaskFailed(tx, taskId, error))) return;
    await insertTogether(tx, [
      auditInsert(tx, [
        {
          type: "workflow.failed",
          actor_type: "system",
          actor_id: null,
          workflow_id: task.workflowId,
          payload: { task_id: taskId, error },
        },
      ]),
    ]);
  });
}

/**
 * Drives in flight at once in this process, whatever the outbox's concurrency. A drive is
 * mostly CPU on the process's one thread (LangGraph's steps, the checkpointer's and drizzle's
 * statements) with short waits on the database. Four keep the thread as busy as eight did and
 * leave a request (a submit, a waiting agent's answer) fewer drives' callbacks to wait behind;
 * two leave it idle during those waits. Measured with `npm run bench:http` one after the other
 * (BENCHMARKS.md): eight, four and two at once drove a backlog at 137, 136 and 93 a second,
 * and a low-risk submit at one client took 11.6, 7.6 and 6.6 ms of server time.
 */
export const DRIVES_AT_ONCE = 4;
const driveSlots = pLimit(DRIVES_AT_ONCE);
// A drive that has not settled by then (a query lost with its connection) gives its slot up,
// so that it cannot hold this process's other drives back; the row still waits for it.
const DRIVE_SLOT_MS = 10_000;

/** Drive a task in one of the process's slots. */
async function driveInSlot(w: Workflows, taskId: string, slotMs: number): Promise<DriveResult> {
  let drive: Promise<DriveResult> | undefined;
  await driveSlots(() => {
    drive = driveTask(w, taskId);
    // Its outcome, failure included, is the caller's: the slot only waits for it to settle.
    return settlesWithin(
      drive.catch(() => {}),
      slotMs,
    );
  });
  return drive as Promise<DriveResult>;
}

/** The outbox worker's handler of `workflow` rows: one drive of the row's task. */
export function workflowHandler(w: Workflows, options: { slotMs?: number } = {}): OutboxHandler {
  const slotMs = options.slotMs ?? DRIVE_SLOT_MS;
  return async (row, ctx) => {
    const taskId = row.taskId;
    if (!taskId) return { ok: false, error: "the row names no task", permanent: true };
    try {
      const result = await driveInSlot(w, taskId, slotMs);
      if (result.kind === "busy") {
        return { ok: false, error: "another driver has the task", busy: true };
      }
      return { ok: true };
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      // An outage is not the graph's failure: the drive is tried again, and never fails the task.
      if (isDatabaseUnavailable(error)) return { ok: false, error: message, unavailable: true };
      if (row.attempts >= ctx.maxAttempts) await failTask(w.db, taskId, message);
      return { ok: false, error: message };
    }
  };
}

/**
 * Queue a drive for every decided graph that has not finished (and has none queued): the
 * graphs whose drives were lost — e.g. decided before this version, whose decisions queued
 * none. Its queued rows are driven by the outbox worker.
 */
export async function recoverWorkflows(db: Database, batch = 100): Promise<number> {
  await analyzeGrownTables(db);
  let queued = 0;
  for (;;) {
    const n = await queueUnfinishedWorkflows(db, batch);
    queued += n;
    if (n < batch) return queued;
  }
}

// Recovery runs once at start, then at this multiple of the outbox worker's interval.
const RECOVERY_EVERY = 20;

export function startWorkflowRecovery(intervalMs = env().HITL_OUTBOX_INTERVAL_MS): void {
  const run = async () => recoverWorkflows((await getDb()).db);
  run().catch((error: unknown) =>
    log().error({ err: error }, "workflows: recovery at start failed"),
  );
  startPeriodic("workflow-recovery", intervalMs * RECOVERY_EVERY, run);
}

export function stopWorkflowRecovery(): void {
  stopPeriodic("workflow-recovery");
}
