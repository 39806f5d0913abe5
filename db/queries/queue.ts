// Read side for the queue, a request's page, a workflow's timeline and the audit pages.
// Every list is keyset-paginated on an index: no OFFSET, no sequential scan.
import "server-only";
import { and, asc, desc, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { encodeCursor, type QueueCursor } from "@/lib/contract/cursor";
import { OPEN_STATUSES, type RequestStatus, type RiskLevel, type Role } from "@/lib/hitl";
import type { Executor } from "../client";
import { approvalRequests, auditEvents } from "../schema";

export interface QueueFilter {
  statuses?: readonly RequestStatus[];
  riskLevel?: RiskLevel;
  agentName?: string;
  workflowId?: string;
  /** Only requests a reviewer of this role may decide: levels they approve, escalations to them or below. */
  actingRole?: { levels: readonly RiskLevel[]; rolesAtOrBelow: readonly Role[] };
  cursor?: QueueCursor | null;
  limit: number;
}

/** Open requests, newest risk first: risk rank, then age, then id as the tie-break. */
export async function listQueue(db: Executor, filter: QueueFilter) {
  const conditions: (SQL | undefined)[] = [
    inArray(approvalRequests.status, filter.statuses ?? OPEN_STATUSES),
    filter.riskLevel ? eq(approvalRequests.riskLevel, filter.riskLevel) : undefined,
    filter.agentName ? eq(approvalRequests.agentName, filter.agentName) : undefined,
    filter.workflowId ? eq(approvalRequests.workflowId, filter.workflowId) : undefined,
  ];
  if (filter.actingRole) {
    conditions.push(
      filter.actingRole.levels.length > 0
        ? inArray(approvalRequests.riskLevel, filter.actingRole.levels)
        : sql`false`,
      or(
        isNull(approvalRequests.escalatedTo),
        inArray(approvalRequests.escalatedTo, filter.actingRole.rolesAtOrBelow),
      ),
    );
  }
  if (filter.cursor) {
    const c = filter.cursor;
    conditions.push(
      sql`(${approvalRequests.riskRank}, ${approvalRequests.createdAt}, ${approvalRequests.id}) < (${c.rank}, ${c.createdAt}::timestamptz, ${c.id}::uuid)`,
    );
  }
  const rows = await db
    .select()
    .from(approvalRequests)
    .where(and(...conditions))
    .orderBy(
      desc(approvalRequests.riskRank),
      desc(approvalRequests.createdAt),
      desc(approvalRequests.id),
    )
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const next =
    rows.length > filter.limit && last
      ? encodeCursor({ rank: last.riskRank, createdAt: last.createdAt.toISOString(), id: last.id })
      : null;
  return { rows: page, next };
}

/** Requests decided most recently first (the "recently decided" tab). */
export async function listRecentlyDecided(db: Executor, limit: number, before?: Date) {
  return db
    .select()
    .from(approvalRequests)
    .where(
      and(
        sql`${approvalRequests.decidedAt} IS NOT NULL`,
        before ? lt(approvalRequests.decidedAt, before) : undefined,
      ),
    )
    .orderBy(desc(approvalRequests.decidedAt), desc(approvalRequests.id))
    .limit(limit);
}

export async function countOpenByStatus(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: approvalRequests.status, n: sql<number>`count(*)::int` })
    .from(approvalRequests)
    .where(inArray(approvalRequests.status, OPEN_STATUSES))
    .groupBy(approvalRequests.status);
  const counts: Record<string, number> = { pending: 0, escalated: 0, quarantined: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

export async function listWorkflowRequests(db: Executor, workflowId: string) {
  return db
    .select()
    .from(approvalRequests)
    .where(eq(approvalRequests.workflowId, workflowId))
    .orderBy(asc(approvalRequests.createdAt), asc(approvalRequests.id))
    .limit(1000);
}

export async function listWorkflowEvents(db: Executor, workflowId: string) {
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.workflowId, workflowId))
    .orderBy(asc(auditEvents.seq))
    .limit(5000);
}

export async function listRequestEvents(db: Executor, requestId: string) {
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, requestId))
    .orderBy(asc(auditEvents.seq));
}

/** The newest audit events first, before `beforeSeq`. */
export async function listAuditEvents(db: Executor, limit: number, beforeSeq?: number) {
  return db
    .select()
    .from(auditEvents)
    .where(beforeSeq ? lt(auditEvents.seq, beforeSeq) : undefined)
    .orderBy(desc(auditEvents.seq))
    .limit(limit);
}
