// Read side for the queue, a request's page, a workflow's timeline and the audit pages.
// Every list is keyset-paginated on an index: no OFFSET, no sequential scan.
import "server-only";
import { type AnyColumn, and, asc, desc, eq, inArray, lt, type SQL, sql } from "drizzle-orm";
import { OPEN_STATUSES, type RequestStatus, type RiskLevel, type Role } from "@/lib/hitl";
import type { Executor } from "../client";
import { approvalRequests, auditEvents } from "../schema";
import type { AuditRow } from "./audit";
import { exactTime } from "./clock";
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

/** Where a page of a workflow's requests ends: its last request's created_at (exactTime) and id. */
export interface WorkflowRequestPosition {
  at: string;
  id: string;
}

/**
 * A page of a workflow's requests, oldest first, after `after`. The page's ids are read first,
 * from the workflow index alone and in its order; then their rows. Asked for the rows at once,
 * the planner may instead walk the requests of every workflow in created_at order and filter
 * (approval_requests_created_idx): cheap for a busy workflow on paper, and a read of every
 * request since when its earlier requests lie far back (db/queries/workflow-page-plan.pg.test.ts).
 */
export async function listWorkflowRequests(
  db: Executor,
  workflowId: string,
  page: { after: WorkflowRequestPosition | null; limit: number },
): Promise<{ rows: RequestRow[]; next: WorkflowRequestPosition | null }> {
  const a = page.after;
  const order = [asc(approvalRequests.createdAt), asc(approvalRequests.id)];
  const ids = db
    .select({ id: approvalRequests.id })
    .from(approvalRequests)
    .where(
      and(
        eq(approvalRequests.workflowId, workflowId),
        a
          ? sql`(${approvalRequests.createdAt}, ${approvalRequests.id}) > (${a.at}::timestamptz, ${a.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(...order)
    .limit(page.limit + 1);
  const rows = await db
    .select({ request: approvalRequests, at: exactTime(approvalRequests.createdAt) })
    .from(approvalRequests)
    .where(inArray(approvalRequests.id, ids))
    .orderBy(...order);
  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  return {
    rows: shown.map((r) => r.request),
    next: rows.length > page.limit && last ? { at: last.at, id: last.request.id } : null,
  };
}

/** How many requests a workflow has in each status, and when the first was made. */
export async function tallyWorkflowRequests(
  db: Executor,
  workflowId: string,
): Promise<{ byStatus: Record<string, number>; startedAt: Date | null }> {
  const rows = await db
    .select({
      status: approvalRequests.status,
      n: sql<number>`count(*)::int`,
      first: sql<Date>`min(${approvalRequests.createdAt})`.mapWith(approvalRequests.createdAt),
    })
    .from(approvalRequests)
    .where(eq(approvalRequests.workflowId, workflowId))
    .groupBy(approvalRequests.status);
  const byStatus: Record<string, number> = {};
  let startedAt: Date | null = null;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    if (startedAt === null || r.first < startedAt) startedAt = r.first;
  }
  return { byStatus, startedAt };
}

/**
 * A page of a workflow's timeline read from its end: the `limit` events before event
 * `before` (the newest when null), returned oldest first; `next` is where the earlier ones
 * end. The page's ids come from the workflow's events index alone, read backwards; then their
 * rows. Asked for the rows at once, the planner walks the whole log backwards by id for a busy
 * workflow and filters it, reading everything written since its events before `before`.
 */
export async function listWorkflowEvents(
  db: Executor,
  workflowId: string,
  page: { before: number | null; limit: number },
): Promise<{ rows: AuditRow[]; next: number | null }> {
  const ids = db
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.workflowId, workflowId),
        page.before === null ? undefined : lt(auditEvents.id, page.before),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(page.limit + 1);
  const rows = await db
    .select()
    .from(auditEvents)
    .where(inArray(auditEvents.id, ids))
    .orderBy(desc(auditEvents.id));
  const shown = rows.slice(0, page.limit).reverse();
  return { rows: shown, next: rows.length > page.limit ? (shown[0]?.id ?? null) : null };
}

/** How many events a workflow has, and when the last was written (found as its pages are). */
export async function tallyWorkflowEvents(
  db: Executor,
  workflowId: string,
): Promise<{ count: number; lastAt: Date | null }> {
  const ofWorkflow = eq(auditEvents.workflowId, workflowId);
  const [[counted], [last]] = await Promise.all([
    db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(ofWorkflow),
    db
      .select({ at: auditEvents.at })
      .from(auditEvents)
      .where(
        inArray(
          auditEvents.id,
          db
            .select({ id: auditEvents.id })
            .from(auditEvents)
            .where(ofWorkflow)
            .orderBy(desc(auditEvents.id))
            .limit(1),
        ),
      ),
  ]);
  return { count: Number(counted?.n ?? 0), lastAt: last?.at ?? null };
}

export async function listRequestEvents(db: Executor, requestId: string) {
  return db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.requestId, requestId))
    .orderBy(asc(auditEvents.id));
}
