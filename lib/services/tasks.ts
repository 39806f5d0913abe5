// A task as its agent sees it, and the resume contract (SPEC §5): 404 unknown, 409 still
// open, 403 rejected (with the reason), 410 expired or cancelled, 200 resumed — once; a
// second call answers the same and records nothing new.
import { eq, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  type ApprovalRow,
  findTask,
  listApprovals,
  type RequestRow,
  type TaskRow,
} from "@/db/queries/requests";
import { approvalRequests, tasks } from "@/db/schema";
import { type Action, effectiveAction } from "@/lib/hitl";
import { ServiceError } from "./errors";
import type { AgentCaller } from "./lifecycle";

export interface TaskView {
  task: TaskRow;
  request: RequestRow;
  approvals: ApprovalRow[];
}

/** Who may read a task: its own agent key, or any reviewer key. */
export type TaskReader = { kind: "agent"; keyId: string } | { kind: "reviewer" };

async function requestOfTask(db: Database, taskId: string): Promise<RequestRow | undefined> {
  const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.taskId, taskId));
  return row;
}

export async function getTaskView(
  db: Database,
  reader: TaskReader,
  taskId: string,
): Promise<TaskView> {
  const task = await findTask(db, taskId);
  // Another agent's task does not exist, as far as this agent can tell.
  if (!task || (reader.kind === "agent" && task.apiKeyId !== reader.keyId)) {
    throw new ServiceError("not_found", `No task with id ${taskId}`);
  }
  const request = await requestOfTask(db, taskId);
  if (!request) throw new ServiceError("not_found", `No task with id ${taskId}`);
  return { task, request, approvals: await listApprovals(db, request.id) };
}

/** The status only, for waiters that poll cheaply between notifications. */
export async function getTaskStatus(db: Database, taskId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ status: approvalRequests.status })
    .from(approvalRequests)
    .where(eq(approvalRequests.taskId, taskId));
  return row?.status;
}

export interface ResumeResult {
  task_id: string;
  status: "approved";
  resumed: true;
  resumed_at: Date;
  action: Action;
}

export async function resumeTask(
  db: Database,
  caller: AgentCaller,
  taskId: string,
): Promise<ResumeResult> {
  return db.transaction(async (tx) => {
    const [task] = await tx.select().from(tasks).where(eq(tasks.id, taskId)).for("update");
    if (!task || task.apiKeyId !== caller.keyId) {
      throw new ServiceError("not_found", `No task with id ${taskId}`);
    }
    const [request] = await tx
      .select()
      .from(approvalRequests)
      .where(eq(approvalRequests.taskId, taskId));
    if (!request) throw new ServiceError("not_found", `No task with id ${taskId}`);
    switch (request.status) {
      case "pending":
      case "escalated":
      case "quarantined":
        throw new ServiceError(
          "conflict",
          `The request is still ${request.status}; wait for a decision`,
          {
            status: request.status,
          },
        );
      case "rejected":
        throw new ServiceError(
          "forbidden",
          `The request was rejected: ${request.statusReason ?? "no reason given"}`,
          {
            status: "rejected",
            reason: request.statusReason,
          },
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
    if (task.resumedAt) {
      return {
        task_id: task.id,
        status: "approved",
        resumed: true,
        resumed_at: task.resumedAt,
        action,
      };
    }
    const [updated] = await tx
      .update(tasks)
      .set({
        resumedAt: sql`clock_timestamp()`,
        resumeCount: sql`${tasks.resumeCount} + 1`,
        updatedAt: sql`clock_timestamp()`,
      })
      .where(eq(tasks.id, taskId))
      .returning({ resumedAt: tasks.resumedAt });
    const resumedAt = updated?.resumedAt ?? new Date();
    await appendAuditEvents(tx, [
      {
        type: "workflow.resumed",
        at: resumedAt,
        actor_type: "agent",
        actor_id: caller.keyId,
        request_id: request.id,
        workflow_id: request.workflowId,
        payload: {
          task_id: task.id,
          thread_id: task.threadId,
          edited_inputs: request.editedInputs,
        },
      },
    ]);
    return { task_id: task.id, status: "approved", resumed: true, resumed_at: resumedAt, action };
  });
}

/** Checkpoints of an action are its agent's to write and read; reviewers may read them. */
export async function assertActionAccess(
  db: Database,
  reader: TaskReader,
  actionId: string,
): Promise<void> {
  const [row] = await db
    .select({ apiKeyId: approvalRequests.apiKeyId })
    .from(approvalRequests)
    .where(eq(approvalRequests.id, actionId));
  if (!row || (reader.kind === "agent" && row.apiKeyId !== reader.keyId)) {
    throw new ServiceError("not_found", `No action with id ${actionId}`);
  }
}
