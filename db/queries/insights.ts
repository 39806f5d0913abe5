// Read side of the insights page: aggregates over a bounded window, each one index-only on an
// index made for it — requests created (approval_requests_created_idx), requests closed
// (approval_requests_closed_idx) and approvals given (approvals_created_idx) — so the page costs
// the same with a year of history as with a day. Levels travel as risk_rank (in the indexes),
// and lists are bounded by LIMIT.
import "server-only";
import { type SQL, sql } from "drizzle-orm";
import type { AgentOutcomes, ReviewerActivity } from "@/lib/contract/insights";
import { type Executor, execRows } from "../client";

/** [from, to], both inclusive, in buckets of `bucketSeconds` (whole UTC hours or days). */
export interface InsightsRange {
  from: Date;
  to: Date;
  bucketSeconds: number;
}

// The bucket's width is written into the statement (not bound), so that GROUP BY and SELECT
// name the same expression; it is a whole number of seconds from a fixed list, never input.
function bucketOf(column: SQL, bucketSeconds: number): SQL {
  if (!Number.isSafeInteger(bucketSeconds) || bucketSeconds <= 0) {
    throw new Error(`bad bucket width ${bucketSeconds}`);
  }
  return sql`floor(extract(epoch FROM ${column}) / ${sql.raw(String(bucketSeconds))})::int`;
}

const createdIn = (r: InsightsRange) =>
  sql`r.created_at >= ${r.from.toISOString()}::timestamptz AND r.created_at <= ${r.to.toISOString()}::timestamptz`;

// Spelled with the partial index's predicate (decided_at IS NOT NULL), so the planner uses it.
const closedIn = (r: InsightsRange) =>
  sql`r.decided_at IS NOT NULL AND r.decided_at >= ${r.from.toISOString()}::timestamptz AND r.decided_at <= ${r.to.toISOString()}::timestamptz`;

/** Requests created per bucket and level (auto-approved ones too). */
export function volumeQuery(r: InsightsRange): SQL {
  const bucket = bucketOf(sql.raw("r.created_at"), r.bucketSeconds);
  return sql`SELECT ${bucket} AS bucket, r.risk_rank::int AS rank, count(*)::int AS n
    FROM approval_requests r
    WHERE ${createdIn(r)}
    GROUP BY 1, 2
    ORDER BY 1, 2`;
}

// A decision is a person's: approved or rejected, not on arrival (auto-approved by the level's
// policy or a standing approval), not expired or cancelled.
const DECIDED_BY_PEOPLE = sql.raw("r.status IN ('approved', 'rejected') AND NOT r.auto_approved");
const WAITED = sql.raw("NOT r.auto_approved");
const SECONDS_TO_DECISION = sql.raw("extract(epoch FROM r.decided_at - r.created_at)::float8");

/**
 * Requests closed in the window, per level and overall (the row whose rank is null): how many
 * closed, how many were approved on arrival, how many waited for people and how many of those
 * expired, and the median and 90th percentile of the time people took to decide.
 */
export function closedStatsQuery(r: InsightsRange): SQL {
  return sql`SELECT r.risk_rank::int AS rank,
      count(*)::int AS closed,
      count(*) FILTER (WHERE r.auto_approved)::int AS auto_approved,
      count(*) FILTER (WHERE ${WAITED})::int AS waited,
      count(*) FILTER (WHERE ${WAITED} AND r.status = 'expired')::int AS expired,
      count(*) FILTER (WHERE ${DECIDED_BY_PEOPLE})::int AS decided,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY ${SECONDS_TO_DECISION})
        FILTER (WHERE ${DECIDED_BY_PEOPLE}) AS p50,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY ${SECONDS_TO_DECISION})
        FILTER (WHERE ${DECIDED_BY_PEOPLE}) AS p90
    FROM approval_requests r
    WHERE ${closedIn(r)}
    GROUP BY GROUPING SETS ((r.risk_rank), ())`;
}

/**
 * Outcomes per agent (its label on the task) of the requests closed in the window. Ties go in
 * byte order (COLLATE "C"), the same on every server whatever its default collation.
 */
export function agentsQuery(r: InsightsRange, limit: number): SQL {
  return sql`SELECT r.agent_name AS agent_name,
      count(*) FILTER (WHERE r.status = 'approved' AND NOT r.auto_approved)::int AS approved,
      count(*) FILTER (WHERE r.auto_approved)::int AS auto_approved,
      count(*) FILTER (WHERE r.status = 'rejected')::int AS rejected,
      count(*) FILTER (WHERE r.status = 'expired')::int AS expired,
      count(*) FILTER (WHERE r.status = 'cancelled')::int AS cancelled,
      count(*)::int AS total,
      (count(*) OVER ())::int AS agents
    FROM approval_requests r
    WHERE ${closedIn(r)}
    GROUP BY r.agent_name
    ORDER BY total DESC, r.agent_name COLLATE "C"
    LIMIT ${limit}`;
}

/**
 * The people who decided most in the window: approvals given (every vote, also one of a quorum
 * that was not complete) and rejections, with the person's email and current role.
 */
export function reviewersQuery(r: InsightsRange, limit: number): SQL {
  const from = sql`${r.from.toISOString()}::timestamptz`;
  const to = sql`${r.to.toISOString()}::timestamptz`;
  return sql`WITH votes AS (
      SELECT a.approver_id AS user_id, count(*)::int AS approvals, 0 AS rejections
      FROM approvals a
      WHERE a.created_at >= ${from} AND a.created_at <= ${to}
      GROUP BY a.approver_id
    ), vetoes AS (
      SELECT r.decided_by AS user_id, 0 AS approvals, count(*)::int AS rejections
      FROM approval_requests r
      WHERE ${closedIn(r)} AND r.status = 'rejected' AND r.decided_by IS NOT NULL
      GROUP BY r.decided_by
    ), per AS (
      SELECT user_id, sum(approvals)::int AS approvals, sum(rejections)::int AS rejections
      FROM (SELECT * FROM votes UNION ALL SELECT * FROM vetoes) d
      GROUP BY user_id
    )
    SELECT per.user_id, u.email, u.name, u.role, per.approvals, per.rejections,
      (per.approvals + per.rejections) AS total, (count(*) OVER ())::int AS reviewers
    FROM per JOIN users u ON u.id = per.user_id
    ORDER BY total DESC, u.email COLLATE "C"
    LIMIT ${limit}`;
}

export interface VolumeRow extends Record<string, unknown> {
  bucket: number;
  rank: number;
  n: number;
}

export interface ClosedStatsRow extends Record<string, unknown> {
  /** Null on the overall row. */
  rank: number | null;
  closed: number;
  auto_approved: number;
  waited: number;
  expired: number;
  decided: number;
  p50: number | null;
  p90: number | null;
}

/** An agent's outcomes as the page shows them, and how many agents closed any. */
export interface AgentRow extends AgentOutcomes, Record<string, unknown> {
  /** How many agents closed requests in the window, of which these rows are the first. */
  agents: number;
}

/** A reviewer's decisions as the page shows them, and how many people decided any. */
export interface ReviewerRow extends ReviewerActivity, Record<string, unknown> {
  reviewers: number;
}

// Both drivers return int and float8 as numbers; a number arriving as text (a driver that
// changed its mind) is read the same.
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function readVolume(db: Executor, r: InsightsRange): Promise<VolumeRow[]> {
  const rows = await execRows<VolumeRow>(db, volumeQuery(r));
  return rows.map((row) => ({
    bucket: Number(row.bucket),
    rank: Number(row.rank),
    n: Number(row.n),
  }));
}

export async function readClosedStats(db: Executor, r: InsightsRange): Promise<ClosedStatsRow[]> {
  const rows = await execRows<ClosedStatsRow>(db, closedStatsQuery(r));
  return rows.map((row) => ({
    rank: num(row.rank),
    closed: Number(row.closed),
    auto_approved: Number(row.auto_approved),
    waited: Number(row.waited),
    expired: Number(row.expired),
    decided: Number(row.decided),
    p50: num(row.p50),
    p90: num(row.p90),
  }));
}

export async function readAgents(
  db: Executor,
  r: InsightsRange,
  limit: number,
): Promise<AgentRow[]> {
  const rows = await execRows<AgentRow>(db, agentsQuery(r, limit));
  return rows.map((row) => ({
    agent_name: String(row.agent_name),
    approved: Number(row.approved),
    auto_approved: Number(row.auto_approved),
    rejected: Number(row.rejected),
    expired: Number(row.expired),
    cancelled: Number(row.cancelled),
    total: Number(row.total),
    agents: Number(row.agents),
  }));
}

export async function readReviewers(
  db: Executor,
  r: InsightsRange,
  limit: number,
): Promise<ReviewerRow[]> {
  const rows = await execRows<ReviewerRow>(db, reviewersQuery(r, limit));
  return rows.map((row) => ({
    user_id: String(row.user_id),
    email: String(row.email),
    name: row.name === null || row.name === undefined ? null : String(row.name),
    role: String(row.role),
    approvals: Number(row.approvals),
    rejections: Number(row.rejections),
    total: Number(row.total),
    reviewers: Number(row.reviewers),
  }));
}
