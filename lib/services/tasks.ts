// A task as its agent sees it, and the resume contract (SPEC §5): 404 unknown, 409 still
// open, 403 rejected (with the reason), 410 expired or cancelled, 200 resumed — once; a
// second call answers the same and records nothing new.
//
// Who may call what:
// - getTask: the agent key that submitted it (another agent's task does not exist for it),
//   any person (all roles read), or the operator. Returns the task DTO.
// - resumeTask: the submitting agent key only.
// - listThreadTasks: an agent key, for the thread ids it named itself.
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  findRequestByTask,
  findStatusByTask,
  findTask,
  listApprovals,
  listTasksOfThread,
  lockTask,
  markTaskResumed,
  type TaskRow,
} from "@/db/queries/requests";
import type { TaskDto } from "@/lib/contract/tasks";
import { type Action, effectiveAction } from "@/lib/hitl";
import { taskDto } from "./dto";
import { ServiceError } from "./errors";
import { type Principal, requireAgent, requireViewer } from "./principal";

const noTask = (id: string) => new ServiceError("not_found", `No task with id ${id}`);

/** The task, if this principal may read it; else not found (never "forbidden": no leaks). */
async function readableTask(db: Executor, principal: Principal, taskId: string) {
  if (principal.kind !== "agent") await requireViewer(db, principal, "read tasks");
  const task = await findTask(db, taskId);
  if (!task || (principal.kind === "agent" && task.apiKeyId !== principal.keyId)) {
    throw noTask(taskId);
  }
  return task;
}

export async function getTask(
  db: Database,
  principal: Principal,
  taskId: string,
): Promise<TaskDto> {
  const task = await readableTask(db, principal, taskId);
  const request = await findRequestByTask(db, taskId);
  if (!request) throw noTask(taskId);
  return taskDto(task, request, await listApprovals(db, request.id));
}

/** The status only, for waiters that re-read cheaply between notifications. */
export async function getTaskStatus(db: Database, taskId: string): Promise<string | undefined> {
  return findStatusByTask(db, taskId);
}

/**
 * Where a task's graph checkpoints: the agent's thread id inside its key's own namespace, so
 * two keys naming the same thread never share state.
 */
export function graphThreadId(task: Pick<TaskRow, "apiKeyId" | "threadId">): string {
  return `${task.apiKeyId ?? "-"}:${task.threadId}`;
}

/** The calling agent's tasks on one of its thread ids, oldest first. */
export async function listThreadTasks(
  db: Database,
  principal: Principal,
  threadId: string,
): Promise<TaskDto[]> {
  const agent = requireAgent(principal, "list the tasks of a thread");
  const tasks = await listTasksOfThread(db, agent.keyId, threadId);
  const out: TaskDto[] = [];
  for (const task of tasks) {
    const request = await findRequestByTask(db, task.id);
    if (request) out.push(taskDto(task, request, await listApprovals(db, request.id)));
  }
  return out;
}

export interface ResumeResult {
  task_id: string;
  status: "approved";
  resumed: true;
  resumed_at: string;
  action: Action;
}

export async function resumeTask(
  db: Database,
  principal: Principal,
  taskId: string,
): Promise<ResumeResult> {
  const agent = requireAgent(principal, "resume a task");
  return db.transaction(async (tx) => {
    const task = await lockTask(tx, taskId);
    if (!task || task.apiKeyId !== agent.keyId) throw noTask(taskId);
    const request = await findRequestByTask(tx, taskId);
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
    const action = effectiveAction({
      action: request.actionDetails as Action,
      edited_inputs: request.editedInputs as Record<string, unknown> | null,
    });
    const answer = (at: Date): ResumeResult => ({
      task_id: task.id,
      status: "approved",
      resumed: true,
      resumed_at: at.toISOString(),
      action,
    });
    if (task.resumedAt) return answer(task.resumedAt);
    const resumedAt = await markTaskResumed(tx, taskId);
    await appendAuditEvents(tx, [
      {
        type: "workflow.resumed",
        at: resumedAt,
        actor_type: "agent",
        actor_id: agent.keyId,
        request_id: request.id,
        workflow_id: request.workflowId,
        payload: {
          task_id: task.id,
          thread_id: task.threadId,
          edited_inputs: request.editedInputs,
        },
      },
    ]);
    return answer(resumedAt);
  });
}
