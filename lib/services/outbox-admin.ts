// The operator's view of delivery state: what the outbox holds, and putting dead deliveries
// back in line once the receiver is fixed. Delivery state, not decisions: only the operator
// (the CLI) may read or change it, and a retry is audited in the transaction that makes it.
import { z } from "zod";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  listOutboxRows,
  lockOutboxRows,
  OUTBOX_STATUSES,
  type OutboxRow,
  type OutboxStatus,
  requeueDeadOutbox,
} from "@/db/queries/outbox";
import { ServiceError } from "./errors";
import { auditActor, type Principal, requireOperator } from "./principal";
import { parseInput } from "./validation";

export interface OutboxEntryDto {
  id: string;
  kind: string;
  event: string;
  /** The callback URL, or the notification channel. */
  target: string | null;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

function outboxEntryDto(row: OutboxRow): OutboxEntryDto {
  return {
    id: row.id,
    kind: row.kind,
    event: row.eventType,
    target: row.targetUrl ?? row.channel,
    status: row.status as OutboxStatus,
    attempts: row.attempts,
    next_attempt_at: row.nextAttemptAt.toISOString(),
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
  };
}

export { OUTBOX_STATUSES };
export const OUTBOX_LIST_MAX = 200;

const listInput = z.object({
  status: z.enum(OUTBOX_STATUSES).optional(),
  limit: z.number().int().min(1).max(OUTBOX_LIST_MAX).default(50),
});

/** The outbox, newest first. */
export async function listOutbox(
  db: Database,
  principal: Principal,
  input: z.input<typeof listInput> = {},
): Promise<OutboxEntryDto[]> {
  requireOperator(principal, "read the outbox");
  const filter = parseInput(listInput, input);
  return (await listOutboxRows(db, filter)).map(outboxEntryDto);
}

function workflowOf(row: OutboxRow): string | null {
  const workflow = (row.payload as { workflow_id?: unknown } | null)?.workflow_id;
  return typeof workflow === "string" ? workflow : null;
}

const retryInput = z.union([
  z.strictObject({
    ids: z
      .array(z.uuid({ error: "expected an outbox row id (uuid)" }))
      .min(1, "name at least one row")
      .max(OUTBOX_LIST_MAX),
  }),
  z.strictObject({ dead: z.literal(true) }),
]);

/**
 * Dead rows back to pending, with no attempts counted and due now: `{ ids }` those rows (each
 * must exist and be dead, or nothing changes), `{ dead: true }` every dead row. One audit
 * event per row, `outbox.retried`, in the same transaction.
 */
export async function retryOutbox(
  db: Database,
  principal: Principal,
  input: z.input<typeof retryInput>,
): Promise<OutboxEntryDto[]> {
  requireOperator(principal, "retry deliveries");
  const data = parseInput(retryInput, input);
  return db.transaction(async (tx) => {
    let rows: OutboxRow[];
    if ("ids" in data) {
      const ids = [...new Set(data.ids)];
      const found = new Map((await lockOutboxRows(tx, ids)).map((r) => [r.id, r.status]));
      for (const id of ids) {
        const status = found.get(id);
        if (status === undefined)
          throw new ServiceError("not_found", `No outbox row with id ${id}`);
        if (status !== "dead") {
          throw new ServiceError(
            "conflict",
            `Outbox row ${id} is ${status}, not dead: only dead rows are retried`,
          );
        }
      }
      rows = await requeueDeadOutbox(tx, ids);
    } else {
      rows = await requeueDeadOutbox(tx);
    }
    await appendAuditEvents(
      tx,
      rows.map((row) => ({
        ...auditActor(principal),
        type: "outbox.retried",
        request_id: row.requestId,
        workflow_id: workflowOf(row),
        payload: {
          outbox_id: row.id,
          kind: row.kind,
          event: row.eventType,
          target: row.targetUrl ?? row.channel,
          last_error: row.lastError,
        },
      })),
    );
    return rows.map(outboxEntryDto);
  });
}
