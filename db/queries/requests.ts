// Approval requests and their tasks, approvals and outbox rows. A request row maps one to one
// onto lib/hitl's ApprovalRequest (toDomain / fromDomain), so the pure core decides and this
// file only stores.
import "server-only";
import { and, asc, count, eq, inArray, lte, or, type SQLWrapper, sql } from "drizzle-orm";
import type { PgInsertValue } from "drizzle-orm/pg-core";
import {
  type Action,
  type Approval,
  type ApprovalRequest,
  type Decision,
  OPEN_STATUSES,
  type RequestStatus,
  RISK_RANK,
  type RiskLevel,
  type Role,
} from "@/lib/hitl";
import type { Executor } from "../client";
import { approvalRequests, approvals, outbox, tasks } from "../schema";
import { queryAlongside } from "./batch";

export type RequestRow = typeof approvalRequests.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;
export type ApprovalRow = typeof approvals.$inferSelect;

export function toDomain(row: RequestRow, rows: readonly ApprovalRow[]): ApprovalRequest {
  return {
    id: row.id,
    workflow_id: row.workflowId,
    status: row.status as RequestStatus,
    action: row.actionDetails as Action,
    edited_inputs: (row.editedInputs as Record<string, unknown> | null) ?? null,
    content_hash: row.contentHash,
    allowed_decisions: row.allowedDecisions as Decision[],
    edit_generation: row.editGeneration,
    risk_level: row.riskLevel as RiskLevel,
    risk_score: row.riskScore,
    required_approvals: row.requiredApprovals,
    required_role: row.requiredRole as Role,
    requires_justification: row.requiresJustification,
    timeout_minutes: row.timeoutMinutes,
    rule_set_version: row.ruleSetVersion,
    submitter_key_id: row.apiKeyId,
    submitter_owner_id: row.submittedByUserId,
    escalated_to: (row.escalatedTo as Role | null) ?? null,
    escalation_count: row.escalationCount,
    auto_escalation_count: row.autoEscalationCount,
    escalated_at: row.escalatedAt,
    expiry_extended: row.expiryExtended,
    claimed_by: row.claimedBy,
    claimed_at: row.claimedAt,
    approvals: rows.map(
      (a): Approval => ({
        approver_id: a.approverId,
        role: a.approverRole as Role,
        content_hash: a.contentHash,
        generation: a.generation,
        rule_set_version: a.ruleSetVersion,
        justification: a.justification,
        at: a.createdAt,
      }),
    ),
    grant_id: row.grantId,
    decided_by: row.decidedBy,
    status_reason: row.statusReason,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    expires_at: row.expiresAt,
    auto_escalate_at: row.autoEscalateAt,
    decided_at: row.decidedAt,
  };
}

/** The columns a decision may change, from the request as the core returned it. */
export function changedColumns(before: ApprovalRequest, next: ApprovalRequest) {
  const last = next.approvals.at(-1);
  const closedByApproval = next.status === "approved" && before.status !== "approved";
  return {
    status: next.status,
    statusReason: next.status_reason,
    // An edit may raise the level and what it needs (never lower it).
    riskLevel: next.risk_level,
    riskRank: RISK_RANK[next.risk_level],
    riskScore: next.risk_score,
    requiredApprovals: next.required_approvals,
    requiredRole: next.required_role,
    requiresJustification: next.requires_justification,
    timeoutMinutes: next.timeout_minutes,
    editedInputs: next.edited_inputs,
    contentHash: next.content_hash,
    editGeneration: next.edit_generation,
    escalationCount: next.escalation_count,
    autoEscalationCount: next.auto_escalation_count,
    escalatedTo: next.escalated_to,
    escalatedAt: next.escalated_at,
    expiryExtended: next.expiry_extended,
    expiresAt: next.expires_at,
    autoEscalateAt: next.auto_escalate_at,
    claimedBy: next.claimed_by,
    claimedAt: next.claimed_at,
    decidedBy: next.decided_by,
    decidedAt: next.decided_at,
    ...(closedByApproval && last
      ? { approverRole: last.role, approvalJustification: last.justification }
      : {}),
    ...(next.status === "rejected" ? { rejectionReason: next.status_reason } : {}),
    updatedAt: next.updated_at,
  };
}

/** A new task's INSERT, to send with its other records (checkOpenLimit's `alongside`). */
export function taskInsert(db: Executor, values: PgInsertValue<typeof tasks>) {
  return db.insert(tasks).values(values);
}

export interface RequestExtra {
  taskId: string;
  threadId: string;
  agentName: string;
  priority: string;
  reasons: string[];
  matched_rules: string[];
  idempotencyKey: string | null;
  requestFingerprint: string | null;
}

/** The row of the request the core opened (every column: nothing is left to a default). */
export function requestValues(
  request: ApprovalRequest,
  extra: RequestExtra,
): typeof approvalRequests.$inferInsert & RequestRowCore {
  const a = request.action;
  return {
    id: request.id,
    taskId: extra.taskId,
    workflowId: request.workflow_id,
    threadId: extra.threadId,
    agentName: extra.agentName,
    apiKeyId: request.submitter_key_id,
    submittedByUserId: request.submitter_owner_id,
    actionType: a.type,
    actionOperation: a.operation ?? null,
    actionEnvironment: a.environment ?? null,
    actionResourceType: a.resource_type ?? null,
    actionDescription: a.description ?? "",
    actionDetails: a,
    contentHash: request.content_hash,
    allowedDecisions: request.allowed_decisions,
    riskLevel: request.risk_level,
    riskRank: RISK_RANK[request.risk_level],
    riskScore: request.risk_score,
    riskFactors: { reasons: extra.reasons, matched_rules: extra.matched_rules },
    ruleSetVersion: request.rule_set_version,
    status: request.status,
    priority: extra.priority,
    requiredApprovals: request.required_approvals,
    requiredRole: request.required_role,
    requiresJustification: request.requires_justification,
    timeoutMinutes: request.timeout_minutes,
    autoEscalateAt: request.auto_escalate_at,
    escalatedAt: request.escalated_at,
    claimedAt: request.claimed_at,
    autoApproved: request.status === "approved",
    grantId: request.grant_id,
    idempotencyKey: extra.idempotencyKey,
    requestFingerprint: extra.requestFingerprint,
    createdAt: request.created_at,
    updatedAt: request.updated_at,
    expiresAt: request.expires_at,
    decidedAt: request.decided_at,
  };
}

/** What a submit answers with, known before the row is written (lib/services/dto.ts). */
export type RequestRowCore = Pick<
  RequestRow,
  | "id"
  | "taskId"
  | "status"
  | "autoApproved"
  | "riskLevel"
  | "riskScore"
  | "riskFactors"
  | "expiresAt"
>;

/** A new request's INSERT, to send with its other records (checkOpenLimit's `alongside`). */
export function requestInsert(db: Executor, request: ApprovalRequest, extra: RequestExtra) {
  return db.insert(approvalRequests).values(requestValues(request, extra));
}

export async function findRequestRow(db: Executor, id: string): Promise<RequestRow | undefined> {
  const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.id, id));
  return row;
}

/** The request row locked for this transaction (decisions on one request serialise here). */
export async function lockRequestRow(db: Executor, id: string): Promise<RequestRow | undefined> {
  const [row] = await db
    .select()
    .from(approvalRequests)
    .where(eq(approvalRequests.id, id))
    .for("update");
  return row;
}

/** The request row locked for this transaction, with its task, in one round trip. */
export async function lockRequestWithTask(
  db: Executor,
  id: string,
): Promise<{ row: RequestRow; task: TaskRow } | undefined> {
  const [found] = await db
    .select({ row: approvalRequests, task: tasks })
    .from(approvalRequests)
    .innerJoin(tasks, eq(tasks.id, approvalRequests.taskId))
    .where(eq(approvalRequests.id, id))
    .for("update", { of: approvalRequests });
  return found;
}

export async function listApprovals(db: Executor, requestId: string): Promise<ApprovalRow[]> {
  return db
    .select()
    .from(approvals)
    .where(eq(approvals.requestId, requestId))
    .orderBy(asc(approvals.createdAt), asc(approvals.id));
}

/** The approvals of several requests in one query, by request id, each list in order given. */
export async function listApprovalsFor(
  db: Executor,
  requestIds: readonly string[],
): Promise<Map<string, ApprovalRow[]>> {
  const byRequest = new Map<string, ApprovalRow[]>(requestIds.map((id) => [id, []]));
  if (requestIds.length === 0) return byRequest;
  const rows = await db
    .select()
    .from(approvals)
    .where(inArray(approvals.requestId, [...requestIds]))
    .orderBy(asc(approvals.createdAt), asc(approvals.id));
  for (const row of rows) byRequest.get(row.requestId)?.push(row);
  return byRequest;
}

export async function findRequestByTask(
  db: Executor,
  taskId: string,
): Promise<RequestRow | undefined> {
  const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.taskId, taskId));
  return row;
}

/** A task with its request (every task has one), in one statement. */
export async function findTaskWithRequest(
  db: Executor,
  taskId: string,
): Promise<{ task: TaskRow; request: RequestRow } | undefined> {
  const [row] = await db
    .select({ task: tasks, request: approvalRequests })
    .from(tasks)
    .innerJoin(approvalRequests, eq(approvalRequests.taskId, tasks.id))
    .where(eq(tasks.id, taskId));
  return row;
}

/** The request's status only, for waiters that poll cheaply between notifications. */
export async function findStatusByTask(db: Executor, taskId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ status: approvalRequests.status })
    .from(approvalRequests)
    .where(eq(approvalRequests.taskId, taskId));
  return row?.status;
}

/** The task's row locked for this transaction (resumes of one task serialise here). */
export async function lockTask(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id)).for("update");
  return row;
}

/**
 * The tasks one key submitted under one thread id. Thread ids are the agent's own names, so
 * they are looked up per key: two keys naming the same thread never see each other's tasks.
 */
export async function listTasksOfThread(
  db: Executor,
  apiKeyId: string,
  threadId: string,
): Promise<TaskRow[]> {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.apiKeyId, apiKeyId), eq(tasks.threadId, threadId)))
    .orderBy(asc(tasks.createdAt), asc(tasks.id));
}

/** How approvals were given: their channel, and from the CLI the OS user (SPEC §8.2). */
export interface GivenVia {
  channel: string;
  osUser: string | null;
}

export async function insertApprovals(
  db: Executor,
  requestId: string,
  given: readonly Approval[],
  via: GivenVia | null = null,
): Promise<ApprovalRow[]> {
  if (given.length === 0) return [];
  return db
    .insert(approvals)
    .values(
      given.map((a) => ({
        requestId,
        approverId: a.approver_id,
        approverRole: a.role,
        justification: a.justification,
        contentHash: a.content_hash,
        generation: a.generation,
        ruleSetVersion: a.rule_set_version,
        channel: via?.channel ?? null,
        osUser: via?.osUser ?? null,
        createdAt: a.at,
      })),
    )
    .returning();
}

export async function updateRequestRow(
  db: Executor,
  id: string,
  values: Partial<typeof approvalRequests.$inferInsert>,
): Promise<RequestRow> {
  const [row] = await db
    .update(approvalRequests)
    .set({ ...values, version: sql`${approvalRequests.version} + 1` })
    .where(eq(approvalRequests.id, id))
    .returning();
  if (!row) throw new Error(`approval request ${id} vanished while locked`);
  return row;
}

export async function findByIdempotencyKey(
  db: Executor,
  apiKeyId: string,
  idempotencyKey: string,
): Promise<RequestRow | undefined> {
  const [row] = await db
    .select()
    .from(approvalRequests)
    .where(
      and(
        eq(approvalRequests.apiKeyId, apiKeyId),
        eq(approvalRequests.idempotencyKey, idempotencyKey),
      ),
    );
  return row;
}

/** Submits with one (key, Idempotency-Key) pair wait here for each other until commit. */
export async function lockIdempotencyKey(
  db: Executor,
  apiKeyId: string,
  idempotencyKey: string,
): Promise<void> {
  await db.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${apiKeyId}:${idempotencyKey}`}, 0))`,
  );
}

export async function findTask(db: Executor, id: string): Promise<TaskRow | undefined> {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  return row;
}

/** An agent at its bound of open requests: how many it has, and the bound. */
export interface OpenLimitReached {
  open: number;
  limit: number;
}

/**
 * The bound on one agent key's open requests, checked by the database in the statement that
 * runs it (airlock_check_open_limit, drizzle/0005): with `lock`, behind the key's row lock,
 * so concurrent submits of open requests cannot all pass it. NO KEY UPDATE: it excludes its
 * own kind but not the KEY SHARE locks that inserting rows referencing the key take, so two
 * submits never deadlock on it. `alongside`: INSERTs sent in the same statement. An agent at
 * its bound fails the statement (and with it the submit): see openLimitReached.
 */
export async function checkOpenLimit(
  db: Executor,
  check: { keyId: string; requestId: string; lock: boolean; limit: number },
  alongside: readonly (SQLWrapper | null)[] = [],
): Promise<void> {
  await queryAlongside(
    db,
    alongside,
    sql`SELECT airlock_check_open_limit(${check.keyId}::uuid, ${OPEN_STATUSES.join(",")}, ${check.lock}, ${check.limit}::bigint, ${check.requestId}::uuid) AS open`,
  );
}

/** The refusal of checkOpenLimit in an error the driver (or drizzle, as its cause) threw. */
export function openLimitReached(error: unknown): OpenLimitReached | null {
  for (let e: unknown = error, depth = 0; e && depth < 3; depth++) {
    const { code, detail, hint, cause } = e as {
      code?: string;
      detail?: string;
      hint?: string;
      cause?: unknown;
    };
    if (code === "AL429") return { open: Number(detail), limit: Number(hint) };
    e = cause;
  }
  return null;
}

export async function countClaimedBy(db: Executor, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(approvalRequests)
    .where(
      and(eq(approvalRequests.claimedBy, userId), inArray(approvalRequests.status, OPEN_STATUSES)),
    );
  return row?.n ?? 0;
}

/**
 * Open requests whose deadline or automatic escalation is due, locked for this sweeper
 * alone: another instance sweeping at the same time skips them.
 */
export async function lockDueRequests(
  db: Executor,
  now: Date,
  limit: number,
): Promise<RequestRow[]> {
  return db
    .select()
    .from(approvalRequests)
    .where(
      and(
        inArray(approvalRequests.status, OPEN_STATUSES),
        or(
          lte(approvalRequests.expiresAt, now),
          and(
            inArray(approvalRequests.status, ["pending", "escalated"]),
            lte(approvalRequests.autoEscalateAt, now),
          ),
        ),
      ),
    )
    .orderBy(asc(approvalRequests.expiresAt))
    .limit(limit)
    .for("update", { skipLocked: true });
}

/**
 * Open requests (not quarantined: nobody may approve those) whose deadline is near and not yet
 * announced: time left at most a quarter of their timeout, and never more than 15 minutes.
 * Marks each as announced for its current deadline, in this transaction; rows another
 * sweeper holds are skipped.
 */
export async function claimExpiringRequests(db: Executor, limit: number): Promise<RequestRow[]> {
  const due = db
    .select({ id: approvalRequests.id })
    .from(approvalRequests)
    .where(
      and(
        inArray(approvalRequests.status, ["pending", "escalated"]),
        // The open-expiry index narrows it to the next quarter of an hour.
        lte(approvalRequests.expiresAt, sql`now() + interval '15 minutes'`),
        sql`${approvalRequests.expiresAt} > now()`,
        sql`${approvalRequests.expiresAt} - now() <= least(${approvalRequests.timeoutMinutes} * interval '15 seconds', interval '15 minutes')`,
        sql`${approvalRequests.expiryWarnedFor} IS DISTINCT FROM ${approvalRequests.expiresAt}`,
      ),
    )
    .orderBy(asc(approvalRequests.expiresAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(approvalRequests)
    .set({ expiryWarnedFor: sql`${approvalRequests.expiresAt}` })
    .where(inArray(approvalRequests.id, due))
    .returning();
}

export type OutboxInsert = typeof outbox.$inferInsert;

/** The outbox rows' INSERT, to send with the change's other records (insertTogether). */
export function outboxInsert(db: Executor, rows: readonly OutboxInsert[]) {
  return rows.length > 0 ? db.insert(outbox).values([...rows]) : null;
}

/**
 * The channel every write of a request NOTIFYs, on commit (the approval_requests_notify
 * trigger of drizzle/0005): `{ request_id, task_id, status }`.
 */
export const REQUESTS_CHANNEL = "airlock_requests";

export { databaseNow } from "./clock";
