// Read side of the queue's "recently decided" tab: closed requests, newest decision first,
// keyset-paginated on approval_requests_decided_idx (decided_at desc, id desc).
import "server-only";
import { and, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import { CLOSED_STATUSES, type RiskLevel } from "@/lib/hitl";
import type { Executor } from "../client";
import { approvalRequests } from "../schema";
import { descAsIndexed } from "./queue";
import type { RequestRow } from "./requests";

/**
 * Where a page ends: the (decided_at, id) of its last row. The time is the database's own text
 * (microseconds): a JavaScript Date keeps milliseconds, which would skip or repeat rows
 * decided within the same millisecond.
 */
export interface DecidedPosition {
  decidedAt: string;
  id: string;
}

export interface DecidedFilter {
  riskLevel?: RiskLevel;
  agentName?: string;
  workflowId?: string;
  /** Auto-approved actions are decided on arrival; the tab leaves them out unless asked. */
  includeAutoApproved?: boolean;
}

export async function listRecentlyDecided(
  db: Executor,
  filter: DecidedFilter,
  page: { after: DecidedPosition | null; limit: number },
): Promise<{ rows: RequestRow[]; more: boolean; last: DecidedPosition | null }> {
  const conditions: (SQL | undefined)[] = [
    // Spelled as the partial index's predicate so the planner uses it.
    sql`${approvalRequests.decidedAt} IS NOT NULL`,
    inArray(approvalRequests.status, CLOSED_STATUSES),
    filter.includeAutoApproved ? undefined : eq(approvalRequests.autoApproved, false),
    filter.riskLevel ? eq(approvalRequests.riskLevel, filter.riskLevel) : undefined,
    filter.agentName ? eq(approvalRequests.agentName, filter.agentName) : undefined,
    filter.workflowId ? eq(approvalRequests.workflowId, filter.workflowId) : undefined,
  ];
  if (page.after) {
    conditions.push(
      sql`(${approvalRequests.decidedAt}, ${approvalRequests.id}) < (${page.after.decidedAt}::timestamptz, ${page.after.id}::uuid)`,
    );
  }
  const found = await db
    .select({
      ...getTableColumns(approvalRequests),
      decidedAtExact: sql<string>`to_char(${approvalRequests.decidedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    })
    .from(approvalRequests)
    .where(and(...conditions))
    // decided_at is null until a request closes; the filter keeps only closed ones.
    .orderBy(descAsIndexed(approvalRequests.decidedAt), descAsIndexed(approvalRequests.id))
    .limit(page.limit + 1);
  const shown = found.slice(0, page.limit);
  const rows: RequestRow[] = shown.map(({ decidedAtExact: _, ...row }) => row);
  const end = shown.at(-1);
  return {
    rows,
    more: found.length > page.limit,
    last: end ? { decidedAt: end.decidedAtExact, id: end.id } : null,
  };
}
