// What reviewers and operators read: the queue, one request with its history, a workflow's
// timeline. Plain DTOs built from explicit fields, so a column added later never leaks.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  countOpenByStatus,
  listQueue,
  listRequestEvents,
  listWorkflowEvents,
  listWorkflowRequests,
} from "@/db/queries/queue";
import { type ApprovalRow, findTask, listApprovals, type RequestRow } from "@/db/queries/requests";
import { approvalRequests, approvals, type auditEvents } from "@/db/schema";
import { decodeCursor } from "@/lib/contract/cursor";
import {
  type Action,
  can,
  OPEN_STATUSES,
  type RequestStatus,
  RISK_LEVELS,
  type RiskLevel,
  ROLE_RANK,
  ROLES,
  type Role,
} from "@/lib/hitl";
import { hitlConfig } from "./config";
import { ServiceError } from "./errors";

export interface RequestSummary {
  id: string;
  task_id: string;
  workflow_id: string;
  thread_id: string;
  agent_name: string;
  status: RequestStatus;
  priority: string;
  action: Pick<Action, "type" | "operation" | "environment" | "resource_type" | "description">;
  risk: { level: RiskLevel; score: number; reasons: string[]; matched_rules: string[] };
  approvals: { have: number; need: number };
  required_role: string;
  escalated_to: string | null;
  claimed_by: string | null;
  status_reason: string | null;
  auto_approved: boolean;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
}

/** The assessment a request row stores, as reviewers and agents see it. */
export function riskOf(row: RequestRow): RequestSummary["risk"] {
  const factors = row.riskFactors as { reasons?: string[]; matched_rules?: string[] };
  return {
    level: row.riskLevel as RiskLevel,
    score: row.riskScore,
    reasons: factors.reasons ?? [],
    matched_rules: factors.matched_rules ?? [],
  };
}

function summary(row: RequestRow, have: number): RequestSummary {
  return {
    id: row.id,
    task_id: row.taskId,
    workflow_id: row.workflowId,
    thread_id: row.threadId,
    agent_name: row.agentName,
    status: row.status as RequestStatus,
    priority: row.priority,
    action: {
      type: row.actionType,
      operation: row.actionOperation ?? undefined,
      environment: row.actionEnvironment ?? undefined,
      resource_type: row.actionResourceType ?? undefined,
      description: row.actionDescription,
    },
    risk: riskOf(row),
    approvals: { have, need: row.requiredApprovals },
    required_role: row.escalatedTo ?? row.requiredRole,
    escalated_to: row.escalatedTo,
    claimed_by: row.claimedBy,
    status_reason: row.statusReason,
    auto_approved: row.autoApproved,
    created_at: row.createdAt.toISOString(),
    expires_at: row.expiresAt.toISOString(),
    decided_at: row.decidedAt?.toISOString() ?? null,
  };
}

/** Approvals that still count (given for the content as it stands) per request. */
async function currentApprovalCounts(db: Database, rows: readonly RequestRow[]) {
  const counts = new Map<string, number>();
  if (rows.length === 0) return counts;
  const found = await db
    .select({ requestId: approvals.requestId, n: sql<number>`count(*)::int` })
    .from(approvals)
    .innerJoin(approvalRequests, eq(approvalRequests.id, approvals.requestId))
    .where(
      and(
        inArray(
          approvals.requestId,
          rows.map((r) => r.id),
        ),
        eq(approvals.contentHash, approvalRequests.contentHash),
      ),
    )
    .groupBy(approvals.requestId);
  for (const f of found) counts.set(f.requestId, Number(f.n));
  return counts;
}

export async function summarise(
  db: Database,
  rows: readonly RequestRow[],
): Promise<RequestSummary[]> {
  const counts = await currentApprovalCounts(db, rows);
  return rows.map((r) => summary(r, counts.get(r.id) ?? 0));
}

export interface QueueQuery {
  status?: RequestStatus;
  riskLevel?: RiskLevel;
  agentName?: string;
  workflowId?: string;
  /** Only what a reviewer of this role may decide. */
  role?: Role;
  cursor?: string;
  limit?: number;
}

export async function getQueue(db: Database, query: QueueQuery) {
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  if (query.cursor && !cursor) {
    throw new ServiceError("invalid", "cursor: not a cursor this server issued", [
      { path: "cursor", message: "not a cursor this server issued" },
    ]);
  }
  const { policies } = hitlConfig().ruleSet;
  const role = query.role;
  const { rows, next } = await listQueue(db, {
    statuses: query.status ? [query.status] : OPEN_STATUSES,
    riskLevel: query.riskLevel,
    agentName: query.agentName,
    workflowId: query.workflowId,
    actingRole: role
      ? {
          levels: RISK_LEVELS.filter((l) => can(policies, role, "approve", l)),
          rolesAtOrBelow: ROLES.filter((r) => ROLE_RANK[r] <= ROLE_RANK[role]),
        }
      : undefined,
    cursor,
    limit: Math.min(Math.max(query.limit ?? 50, 1), 200),
  });
  return {
    items: await summarise(db, rows),
    next_cursor: next,
    counts: await countOpenByStatus(db),
  };
}

/** An approval as reviewers and agents see it; `counts` is false once an edit voided it. */
export function approvalGiven(a: ApprovalRow, currentHash: string) {
  return {
    approver_id: a.approverId,
    role: a.approverRole,
    justification: a.justification,
    counts: a.contentHash === currentHash,
    at: a.createdAt.toISOString(),
  };
}

function eventView(e: typeof auditEvents.$inferSelect) {
  return {
    seq: e.seq,
    type: e.type,
    at: e.at.toISOString(),
    actor_type: e.actorType,
    actor_id: e.actorId,
    request_id: e.requestId,
    payload: e.payload,
  };
}

export async function getRequestDetail(db: Database, id: string) {
  const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.id, id));
  if (!row) throw new ServiceError("not_found", `No request with id ${id}`);
  const [task, given, events] = await Promise.all([
    findTask(db, row.taskId),
    listApprovals(db, id),
    listRequestEvents(db, id),
  ]);
  return {
    ...(await summarise(db, [row]))[0],
    action_details: row.actionDetails as Action,
    edited_inputs: row.editedInputs as Record<string, unknown> | null,
    content_hash: row.contentHash,
    rule_set_version: row.ruleSetVersion,
    requires_justification: row.requiresJustification,
    execution: task?.execution ?? "waiting",
    callback_url: task?.callbackUrl ?? null,
    approvals_given: given.map((a) => approvalGiven(a, row.contentHash)),
    events: events.map(eventView),
  };
}

export async function getWorkflowStatus(db: Database, workflowId: string) {
  const [rows, events] = await Promise.all([
    listWorkflowRequests(db, workflowId),
    listWorkflowEvents(db, workflowId),
  ]);
  if (rows.length === 0 && events.length === 0) {
    throw new ServiceError("not_found", `No workflow with id ${workflowId}`);
  }
  const counts: Record<string, number> = { total: rows.length };
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return {
    workflow_id: workflowId,
    counts,
    started_at: rows[0]?.createdAt.toISOString() ?? null,
    last_activity_at: events.at(-1)?.at.toISOString() ?? null,
    requests: await summarise(db, rows),
    events: events.map(eventView),
  };
}
