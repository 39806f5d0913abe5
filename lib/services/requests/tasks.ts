// A task as its agent sees it, and the resume contract (SPEC §5): 404 unknown, 409 still
// open, 403 rejected (with the reason), 410 expired or cancelled, 200 resumed — once; a
// second call answers the same and runs nothing again (lib/jobs/workflow.ts).
//
// Who may call what:
// - getTask: the agent key that submitted it (another agent's task does not exist for it),
//   any person (all roles read), or the operator. Returns the task DTO.
// - resumeTask: the submitting agent key only.
// - listThreadTasks: an agent key, for the thread ids it named itself.
import type { Database, Executor } from "@/db/client";
import { findGrantApprover } from "@/db/queries/grants";
import {
  findRequestByTask,
  findStatusByTask,
  findTask,
  findTaskWithRequest,
  listApprovals,
  listApprovalsFor,
  listTasksOfThread,
  type RequestRow,
  type TaskRow,
} from "@/db/queries/requests";
import { listPeople } from "@/db/queries/users";
import type { TaskDto } from "@/lib/contract/tasks";
import { type Action, effectiveAction } from "@/lib/hitl";
import { taskDto } from "@/lib/services/dto";
import { ServiceError } from "@/lib/services/errors";
import {
  type AuditActor,
  type Principal,
  requireAgent,
  requireViewer,
} from "@/lib/services/principal";
import type { ExecutionResult } from "./execution";

const noTask = (id: string) => new ServiceError("not_found", `No task with id ${id}`);

/** The task, if this principal may read it; else not found (never "forbidden": no leaks). */
async function readableTask(db: Executor, principal: Principal, taskId: string) {
  if (principal.kind !== "agent") await requireViewer(db, principal, "read tasks");
  // The task and its request in one statement: one snapshot, one round trip (a waiting
  // agent's wake-up reads this).
  const found = await findTaskWithRequest(db, taskId);
  if (!found || (principal.kind === "agent" && found.task.apiKeyId !== principal.keyId)) {
    throw noTask(taskId);
  }
  return found;
}

export async function getTask(
  db: Database,
  principal: Principal,
  taskId: string,
): Promise<TaskDto> {
  const { task, request } = await readableTask(db, principal, taskId);
  const [approvals, grant, people] = await Promise.all([
    listApprovals(db, request.id),
    request.grantId ? findGrantApprover(db, request.grantId) : null,
    listPeople(db, { ids: [request.decidedBy], approversOf: [request.id] }),
  ]);
  return taskDto(task, request, approvals, people, grant);
}

/** The status only, for waiters that re-read cheaply between notifications. */
export async function getTaskStatus(db: Database, taskId: string): Promise<string | undefined> {
  return findStatusByTask(db, taskId);
}

/** The calling agent's tasks on one of its thread ids, oldest first. */
export async function listThreadTasks(
  db: Database,
  principal: Principal,
  threadId: string,
): Promise<TaskDto[]> {
  const agent = requireAgent(principal, "list the tasks of a thread");
  const tasks = await listTasksOfThread(db, agent.keyId, threadId);
  const found: { task: TaskRow; request: RequestRow }[] = [];
  for (const task of tasks) {
    const request = await findRequestByTask(db, task.id);
    if (request) found.push({ task, request });
  }
  const requestIds = found.map((f) => f.request.id);
  // The approvals and the people of every task at once.
  const [approvals, people] = await Promise.all([
    listApprovalsFor(db, requestIds),
    listPeople(db, { ids: found.map((f) => f.request.decidedBy), approversOf: requestIds }),
  ]);
  const out: TaskDto[] = [];
  for (const { task, request } of found) {
    const grant = request.grantId ? await findGrantApprover(db, request.grantId) : null;
    out.push(taskDto(task, request, approvals.get(request.id) ?? [], people, grant));
  }
  return out;
}

export interface ResumeResult {
  task_id: string;
  status: "approved";
  resumed: true;
  resumed_at: string;
  /** The action to run, with any inputs a reviewer edited. */
  action: Action;
  execution: "completed";
  result: ExecutionResult;
}

// How long a resume waits for a drive of the same task that another instance is making.
const RESUME_WAIT_MS = 30_000;

export type DriveResult =
  /** At the gate, the request still open. */
  | { kind: "waiting" }
  /** Another driver has the task right now. */
  | { kind: "busy" }
  | { kind: "completed"; task: TaskRow };

/**
 * Brings the task's graph to where its request stands, for `actor` (the audit's
 * `workflow.resumed`): the background jobs' driver (lib/jobs/workflow.ts sharedDrive), handed
 * in by whoever serves the resume, so that this service never runs a graph itself.
 */
export type TaskDrive = (taskId: string, actor: AuditActor) => Promise<DriveResult>;

/**
 * Resume the task's graph past its gate, now that its request is approved, and answer with
 * what its last node returned. The decision's outbox row usually got there first: then, as
 * for a second call, nothing runs again and the answer is the same.
 */
export async function resumeTask(
  db: Database,
  principal: Principal,
  taskId: string,
  drive: TaskDrive,
): Promise<ResumeResult> {
  const agent = requireAgent(principal, "resume a task");
  const task = await findTask(db, taskId);
  if (!task || task.apiKeyId !== agent.keyId) throw noTask(taskId);
  const request = await findRequestByTask(db, taskId);
  if (!request) throw noTask(taskId);
  switch (request.status) {
    case "pending":
    case "escalated":
    case "quarantined":
      throw new ServiceError(
        "conflict",
        `The request is still ${request.status}; wait for a decision`,
        { status: request.status },
      );
    case "rejected":
      throw new ServiceError(
        "forbidden",
        `The request was rejected: ${request.statusReason ?? "no reason given"}`,
        { status: "rejected", reason: request.statusReason },
      );
    case "expired":
    case "cancelled":
      throw new ServiceError("gone", `The request was ${request.status}; it will never run`, {
        status: request.status,
      });
  }
  const done = await driveUntilCompleted(drive, taskId, {
    actor_type: "agent",
    actor_id: agent.keyId,
  });
  return {
    task_id: done.id,
    status: "approved",
    resumed: true,
    resumed_at: (done.resumedAt ?? done.completedAt ?? new Date()).toISOString(),
    action: effectiveAction({
      action: request.actionDetails as Action,
      edited_inputs: request.editedInputs as Record<string, unknown> | null,
    }),
    execution: "completed",
    result: done.executionResult as ExecutionResult,
  };
}

async function driveUntilCompleted(
  drive: TaskDrive,
  taskId: string,
  actor: AuditActor,
): Promise<TaskRow> {
  const deadline = Date.now() + RESUME_WAIT_MS;
  for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
    const result = await drive(taskId, actor);
    if (result.kind === "completed") return result.task;
    if (result.kind === "waiting")
      throw new Error(`task ${taskId} is approved but its graph waits`);
    // Another instance is driving it: its outcome lands in the task row shortly.
    if (Date.now() + pause > deadline) {
      throw new ServiceError(
        "unavailable",
        "The task's workflow is being resumed elsewhere and has not finished yet; try again",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
