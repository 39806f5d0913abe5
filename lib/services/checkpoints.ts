// Seed 002's CheckpointStore: named, typed, sequenced state an agent saves per action, so a
// long job can resume from its last good step.
import { eq } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  type CheckpointRow,
  closeCheckpoint,
  findCheckpoint,
  insertCheckpoint,
  latestCheckpointByName,
  listCheckpoints as listCheckpointRows,
  lockDueCheckpoints,
  nextCheckpointSequence,
} from "@/db/queries/checkpoints";
import { approvalRequests } from "@/db/schema";
import {
  type CheckpointDto,
  checkpointSchema,
  saveCheckpointSchema,
} from "@/lib/contract/checkpoints";
import { type AuditActor, SYSTEM_ACTOR } from "./actor";
import { ServiceError } from "./errors";
import { parseInput } from "./validation";

export function toCheckpointDto(row: CheckpointRow): CheckpointDto {
  return checkpointSchema.parse({
    checkpoint_id: row.id,
    action_id: row.actionId,
    name: row.checkpointName,
    type: row.checkpointType,
    data: row.checkpointData,
    sequence_number: row.sequenceNumber,
    status: row.status,
    correlation_id: row.correlationId,
    run_id: row.runId,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt?.toISOString() ?? null,
    resumed_at: row.resumedAt?.toISOString() ?? null,
    resumed_by: row.resumedBy,
  });
}

// Saving locks the action's request row, so concurrent saves take sequence numbers one
// after another instead of colliding on the unique key.
async function lockAction(tx: Executor, actionId: string) {
  const [row] = await tx
    .select({
      id: approvalRequests.id,
      workflowId: approvalRequests.workflowId,
      taskId: approvalRequests.taskId,
    })
    .from(approvalRequests)
    .where(eq(approvalRequests.id, actionId))
    .for("update");
  if (!row) throw new ServiceError("not_found", `No action with id ${actionId}`);
  return row;
}

export async function saveCheckpoint(
  db: Database,
  actionId: string,
  input: unknown,
  actor: AuditActor,
): Promise<CheckpointDto> {
  const data = parseInput(saveCheckpointSchema, input);
  return db.transaction(async (tx) => {
    const action = await lockAction(tx, actionId);
    const sequenceNumber = await nextCheckpointSequence(tx, actionId);
    const row = await insertCheckpoint(tx, {
      actionId,
      checkpointName: data.name,
      checkpointType: data.type,
      checkpointData: data.data,
      sequenceNumber,
      correlationId: data.correlation_id ?? null,
      runId: data.run_id ?? null,
      expiresAt: data.expires_at ? new Date(data.expires_at) : null,
    });
    await appendAuditEvents(tx, [
      {
        ...actor,
        type: "checkpoint.saved",
        request_id: actionId,
        workflow_id: action.workflowId,
        payload: {
          checkpoint_id: row.id,
          name: row.checkpointName,
          type: row.checkpointType,
          sequence_number: sequenceNumber,
        },
      },
    ]);
    return toCheckpointDto(row);
  });
}

export async function listCheckpoints(db: Database, actionId: string): Promise<CheckpointDto[]> {
  return (await listCheckpointRows(db, actionId)).map(toCheckpointDto);
}

export async function getLatestCheckpoint(
  db: Database,
  actionId: string,
  name: string,
): Promise<CheckpointDto> {
  const row = await latestCheckpointByName(db, actionId, name);
  if (!row)
    throw new ServiceError("not_found", `No checkpoint named "${name}" for action ${actionId}`);
  return toCheckpointDto(row);
}

async function transition(
  db: Database,
  actionId: string,
  checkpointId: string,
  status: "resumed" | "cancelled",
  actor: AuditActor,
): Promise<CheckpointDto> {
  return db.transaction(async (tx) => {
    const action = await lockAction(tx, actionId);
    const existing = await findCheckpoint(tx, actionId, checkpointId);
    if (!existing)
      throw new ServiceError("not_found", `No checkpoint ${checkpointId} for action ${actionId}`);
    const row = await closeCheckpoint(tx, checkpointId, status, actor.actor_id);
    if (!row) {
      throw new ServiceError(
        "conflict",
        `Checkpoint ${checkpointId} is already ${existing.status}`,
        {
          status: existing.status,
        },
      );
    }
    await appendAuditEvents(tx, [
      {
        ...actor,
        type: status === "resumed" ? "checkpoint.resumed" : "checkpoint.cancelled",
        request_id: actionId,
        workflow_id: action.workflowId,
        payload: { checkpoint_id: row.id, name: row.checkpointName },
      },
    ]);
    return toCheckpointDto(row);
  });
}

/** Mark a checkpoint resumed; only once (a second call is a conflict). */
export function markCheckpointResumed(
  db: Database,
  actionId: string,
  checkpointId: string,
  actor: AuditActor,
) {
  return transition(db, actionId, checkpointId, "resumed", actor);
}

export function cancelCheckpoint(
  db: Database,
  actionId: string,
  checkpointId: string,
  actor: AuditActor,
) {
  return transition(db, actionId, checkpointId, "cancelled", actor);
}

/** Expire active checkpoints past their expiry; safe with several sweepers at once. */
export async function expireCheckpoints(db: Database, now: Date, limit = 500): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await lockDueCheckpoints(tx, now, limit);
    const events = [];
    for (const c of due) {
      const row = await closeCheckpoint(tx, c.id, "expired", null);
      if (!row) continue;
      events.push({
        ...SYSTEM_ACTOR,
        type: "checkpoint.expired",
        request_id: c.actionId,
        workflow_id: c.workflowId,
        payload: { checkpoint_id: row.id, name: row.checkpointName },
      });
    }
    await appendAuditEvents(tx, events);
    return events.length;
  });
}
export type { CheckpointRow };
