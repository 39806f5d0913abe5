// Read side for the queue, a request's page, a workflow's timeline and the audit pages.
// Every list is keyset-paginated on an index: no OFFSET, no sequential scan.
import "server-only";
import { type AnyColumn, and, asc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { OPEN_STATUSES, type RequestStatus, type RiskLevel, type Role } from "@/lib/hitl";
import type { Executor } from "../client";
import { approvalRequests, auditEvents } from "../schema";
import type { RequestRow } from "./requests";

/**
 * Newest first, in the order of an index made with drizzle's `.desc()`, which is DESC NULLS
 * LAST. A plain DESC means NULLS FIRST: an order those indexes cannot give, so PostgreSQL
 * would read every row the filter matches and sort them for each page (the queue's first
 * page read all 8,000 open requests of the benchmark). The columns are NOT NULL: the order is
 * the same either way.
 */
export const descAsIndexed = (column: AnyColumn) => sql`${column} DESC NULLS LAST`;

/** Where a page ends: the (risk rank, created_at, id) of its last row. */
export interface QueuePosition {
  rank: number;
  createdAt: Date;
  id: string;
}

export interface QueueFilter {
  statuses?: readonly RequestStatus[];
  riskLevel?: RiskLevel;
  agentName?: string;
  workflowId?: string;
  /** Part of the action type, any case. */
  typeContains?: string;
  /**
   * Only what this reviewer may approve now: levels their role approves, waiting for their
   * role or below, and not submitted by a key they own.
   */
  actingAs?: { userId: string; levels: readonly RiskLevel[]; rolesAtOrBelow: readonly Role[] };
}

function conditionsOf(filter: QueueFilter): (SQL | undefined)[] {
  const conditions: (SQL | undefined)[] = [
    inArray(approvalRequests.status, filter.statuses ?? OPEN_STATUSES),
    filter.riskLevel ? eq(approvalRequests.riskLevel, filter.riskLevel) : undefined,
    filter.agentName ? eq(approvalRequests.agentName, filter.agentName) : undefined,
    filter.workflowId ? eq(approvalRequests.workflowId, filter.workflowId) : undefined,
    filter.typeContains
      ? sql`${approvalRequests.actionType} ILIKE ${`%${filter.typeContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`
      : undefined,
  ];
  const acting = filter.actingAs;
  if (acting) {
    conditions.push(
      inArray(approvalRequests.status, ["pending", "escalated"]),
      acting.levels.length > 0 ? inArray(approvalRequests.riskLevel, acting.levels) : sql`false`,
      inArray(
        sql`coalesce(${approvalRequests.escalatedTo}, ${approvalRequests.requiredRole})`,
        acting.rolesAtOrBelow,
      ),
      sql`${approvalRequests.submittedByUserId} IS DISTINCT FROM ${acting.userId}::uuid`,
    );
  }
  return conditions;
}

/** A page of open requests, newest risk first: risk rank, then age, then id as the tie-break. */
export async function listQueue(
  db: Executor,
  filter: QueueFilter,
  page: { after: QueuePosition | null; limit: number },
): Promise<{ rows: RequestRow[]; more: boolean }> {
  const conditions = conditionsOf(filter);
  if (page.after) {
    const c = page.after;
    conditions.push(
      sql`(${approvalRequests.riskRank}, ${approvalRequests.createdAt}, ${approvalRequests.id}) < (${c.rank}, ${c.createdAt.toISOString()}::timestamptz, ${c.id}::uuid)`,
    );
  }
  const rows = await db
    .select()
    .from(approvalRequests)
    .where(and(...conditions))
    .orderBy(
      descAsIndexed(approvalRequests.riskRank),
      descAsIndexed(approvalRequests.createdAt),
      descAsIndexed(approvalRequests.id),
    )
    .limit(page.limit + 1);
  return { rows: rows.slice(0, page.limit), more: rows.length > page.limit };
}

/** How many open requests per status match the filter (the queue's tab counts). */
export async function countQueue(
  db: Executor,
  filter: Omit<QueueFilter, "statuses">,
): Promise<Record<"pending" | "escalated" | "quarantined", number>> {
  const rows = await db
    .select({ status: approvalRequests.status, n: sql<number>`count(*)::int` })
    .from(approvalRequests)
    .where(and(...conditionsOf({ ...filter, statuses: OPEN_STATUSES })))
    .groupBy(approvalRequests.status);
  const counts = { pending: 0, escalated: 0, quarantined: 0 };
  for (const r of rows) counts[r.status as keyof typeof counts] = Number(r.n);
  return counts;
}

/** Open requests per risk level (the metrics' queue depth; the open-requests index). */
export async function countOpenByLevel(db: Executor): Promise<Record<string, number>> {
  const rows = await db
    .select({ level: approvalRequests.riskLevel, n: sql<number>`count(*)::int` })
    .from(approvalRequests)
    .where(inArray(approvalRequests.status, OPEN_STATUSES))
    .groupBy(approvalRequests.riskLevel);
  return Object.fromEntries(rows.map((r) => [r.level, Number(r.n)]));
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
    .orderBy(asc(auditEvents.id))
    .limit(5000);
}

export async function listRequestEvents(db: Executor, requestId: string) {
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, requestId))
    .orderBy(asc(auditEvents.id));
}
