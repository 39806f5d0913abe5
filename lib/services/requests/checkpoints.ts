// Seed 002's CheckpointStore: named, typed, sequenced state an agent saves per action, so a
// long job can resume from its last good step.
//
// Who may call what: the agent key that submitted the action saves, resumes and cancels its
// checkpoints and reads them; people (any role) and the operator read them. For anyone else
// the action does not exist. Expiry is the system's (the sweeper) or the operator's.
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  checkpointUsage,
  closeCheckpoint,
  findCheckpoint,
  insertCheckpoint,
  isPastExpiry,
  latestCheckpointByName,
  listCheckpoints as listCheckpointRows,
  lockDueCheckpoints,
  nextCheckpointSequence,
} from "@/db/queries/checkpoints";
import { databaseNow, findRequestRow, lockRequestRow } from "@/db/queries/requests";
import {
  CHECKPOINT_PAGE_MAX,
  type CheckpointDto,
  type CheckpointPage,
  type CheckpointPageQuery,
  saveCheckpointSchema,
} from "@/lib/contract/checkpoints";
import { env } from "@/lib/env";
import { checkpointDto } from "@/lib/services/dto";
import { ServiceError } from "@/lib/services/errors";
import {
  auditActor,
  type Principal,
  requireAgent,
  requireViewer,
  SYSTEM,
} from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";

const noAction = (id: string) => new ServiceError("not_found", `No action with id ${id}`);

/**
 * The action's request row, if this principal may touch its checkpoints: writes are its own
 * agent's (locking the row, so concurrent saves take sequence numbers one after another);
 * reads are also open to people and the operator.
 */
async function actionFor(
  tx: Executor,
  principal: Principal,
  actionId: string,
  access: "read" | "write",
) {
  if (access === "write") requireAgent(principal, "write checkpoints");
  else if (principal.kind !== "agent") await requireViewer(tx, principal, "read checkpoints");
  const row =
    access === "write" ? await lockRequestRow(tx, actionId) : await findRequestRow(tx, actionId);
  if (!row || (principal.kind === "agent" && row.apiKeyId !== principal.keyId)) {
    throw noAction(actionId);
  }
  return row;
}

export async function saveCheckpoint(
  db: Database,
  principal: Principal,
  actionId: string,
  input: unknown,
): Promise<CheckpointDto> {
  const data = parseInput(saveCheckpointSchema, input);
  const bytes = Buffer.byteLength(JSON.stringify(data.data));
  return db.transaction(async (tx) => {
    const action = await actionFor(tx, principal, actionId, "write");
    // Under the action's row lock: concurrent saves are counted one after another.
    await checkQuota(tx, actionId, bytes);
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
        ...auditActor(principal),
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
    return checkpointDto(row);
  });
}

/**
 * An action's checkpoints may not outgrow HITL_MAX_CHECKPOINTS_PER_REQUEST in number or
 * HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST in data (SPEC §8.1): an agent cannot fill the
 * database, nor make a list answer that no server can hold.
 */
async function checkQuota(tx: Executor, actionId: string, bytes: number): Promise<void> {
  const e = env();
  const used = await checkpointUsage(tx, actionId);
  if (used.count >= e.HITL_MAX_CHECKPOINTS_PER_REQUEST) {
    throw new ServiceError(
      "limit",
      `Action ${actionId} has ${used.count} checkpoints, the most HITL_MAX_CHECKPOINTS_PER_REQUEST allows`,
      { setting: "HITL_MAX_CHECKPOINTS_PER_REQUEST", limit: e.HITL_MAX_CHECKPOINTS_PER_REQUEST },
    );
  }
  if (used.bytes + bytes > e.HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST) {
    throw new ServiceError(
      "limit",
      `Action ${actionId}'s checkpoints would hold ${used.bytes + bytes} bytes of data, over the ${e.HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST} that HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST allows`,
      {
        setting: "HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST",
        limit: e.HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST,
        used: used.bytes,
      },
    );
  }
}

/** A page of an action's checkpoints, in sequence; `next_cursor` continues after it. */
export async function listCheckpoints(
  db: Database,
  principal: Principal,
  actionId: string,
  page: CheckpointPageQuery = {},
): Promise<CheckpointPage> {
  const limit = page.limit ?? CHECKPOINT_PAGE_MAX;
  await actionFor(db, principal, actionId, "read");
  const rows = await listCheckpointRows(db, actionId, { after: page.cursor, limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(checkpointDto),
    next_cursor: rows.length > limit && last ? String(last.sequenceNumber) : null,
  };
}

export async function getLatestCheckpoint(
  db: Database,
  principal: Principal,
  actionId: string,
  name: string,
): Promise<CheckpointDto> {
  await actionFor(db, principal, actionId, "read");
  const row = await latestCheckpointByName(db, actionId, name);
  if (!row) {
    throw new ServiceError("not_found", `No checkpoint named "${name}" for action ${actionId}`);
  }
  return checkpointDto(row);
}

/**
 * Resume or cancel an active checkpoint, once. One past its expiry is expired on the spot
 * (410), by the database clock, even when no sweeper has run.
 */
async function transition(
  db: Database,
  principal: Principal,
  actionId: string,
  checkpointId: string,
  status: "resumed" | "cancelled",
): Promise<CheckpointDto> {
  const outcome = await db.transaction(async (tx) => {
    const action = await actionFor(tx, principal, actionId, "write");
    const existing = await findCheckpoint(tx, actionId, checkpointId);
    if (!existing) {
      throw new ServiceError("not_found", `No checkpoint ${checkpointId} for action ${actionId}`);
    }
    const actor = auditActor(principal);
    const row = await closeCheckpoint(tx, checkpointId, status, actor.actor_id);
    if (row) {
      await appendAuditEvents(tx, [
        {
          ...actor,
          type:
            status === "resumed"
              ? ("checkpoint.resumed" as const)
              : ("checkpoint.cancelled" as const),
          request_id: actionId,
          workflow_id: action.workflowId,
          payload: { checkpoint_id: row.id, name: row.checkpointName },
        },
      ]);
      return { row, gone: undefined };
    }
    if (existing.status === "active" && isPastExpiry(existing, await databaseNow(tx))) {
      const expired = await closeCheckpoint(tx, checkpointId, "expired", null);
      if (expired) await appendAuditEvents(tx, [expiredEvent(expired, action.workflowId)]);
      return { row: undefined, gone: existing.expiresAt as Date };
    }
    throw new ServiceError("conflict", `Checkpoint ${checkpointId} is already ${existing.status}`, {
      status: existing.status,
    });
  });
  if (outcome.gone !== undefined) {
    throw new ServiceError(
      "gone",
      `Checkpoint ${checkpointId} expired at ${outcome.gone.toISOString()}`,
      { status: "expired" },
    );
  }
  return checkpointDto(outcome.row);
}

function expiredEvent(
  row: { id: string; actionId: string; checkpointName: string },
  workflowId: string,
) {
  return {
    ...auditActor(SYSTEM),
    type: "checkpoint.expired" as const,
    request_id: row.actionId,
    workflow_id: workflowId,
    payload: { checkpoint_id: row.id, name: row.checkpointName },
  };
}

/** Mark a checkpoint resumed; only once (a second call is a conflict; past expiry, gone). */
export function markCheckpointResumed(
  db: Database,
  principal: Principal,
  actionId: string,
  checkpointId: string,
) {
  return transition(db, principal, actionId, checkpointId, "resumed");
}

export function cancelCheckpoint(
  db: Database,
  principal: Principal,
  actionId: string,
  checkpointId: string,
) {
  return transition(db, principal, actionId, checkpointId, "cancelled");
}

/** Expire active checkpoints past their expiry; safe with several sweepers at once. */
export async function expireCheckpoints(
  db: Database,
  principal: Principal,
  limit = 500,
): Promise<number> {
  if (principal.kind !== "system" && principal.kind !== "operator") {
    throw new ServiceError("forbidden", "Only the sweeper or the operator may expire checkpoints");
  }
  return db.transaction(async (tx) => {
    const due = await lockDueCheckpoints(tx, limit);
    const events = [];
    for (const c of due) {
      const row = await closeCheckpoint(tx, c.id, "expired", null);
      if (row) events.push(expiredEvent(row, c.workflowId));
    }
    await appendAuditEvents(tx, events);
    return events.length;
  });
}
