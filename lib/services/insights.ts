// The insights page (SPEC §7): over the last 24 hours, 7 or 30 days, how many requests arrived
// at each level, how long people took to decide them, how many ran out of time, how each agent
// fared and who decided most — aggregates read from indexes (db/queries/insights.ts).
//
// What counts as what:
// - volume: every request created in the window, auto-approved ones included, per hour (24 h)
//   or per UTC day (7 d, 30 d);
// - the rest is about requests that closed in the window (decided_at in it);
// - time to decision: from submission to the decision of a person (approved or rejected);
//   requests approved on arrival (by their level's policy or a standing approval) are left
//   out of it and counted on their own, and expired or cancelled ones have no decision;
// - expiry rate: expired / closed, among the requests that waited for people.
//
// Who may call it: any person, or the operator (as for the queue and the audit).
import { z } from "zod";
import type { Database } from "@/db/client";
import { databaseNow } from "@/db/queries/clock";
import {
  type InsightsRange,
  readAgents,
  readClosedStats,
  readReviewers,
  readVolume,
} from "@/db/queries/insights";
import { RISK_LEVELS, type RiskLevel } from "@/lib/hitl";
import { type Principal, requireViewer } from "./principal";
import { parseInput } from "./validation";

const HOUR = 3600;
const DAY = 24 * HOUR;

export const INSIGHT_WINDOWS = {
  "24h": { seconds: DAY, bucket: "hour" },
  "7d": { seconds: 7 * DAY, bucket: "day" },
  "30d": { seconds: 30 * DAY, bucket: "day" },
} as const satisfies Record<string, { seconds: number; bucket: "hour" | "day" }>;
export type InsightWindow = keyof typeof INSIGHT_WINDOWS;
export const INSIGHT_WINDOW_NAMES = Object.keys(INSIGHT_WINDOWS) as InsightWindow[];
export const DEFAULT_INSIGHT_WINDOW: InsightWindow = "7d";

/** How many agents and reviewers the page lists (the busiest first). */
const INSIGHTS_LIST_LIMIT = 10;

export const insightsQuerySchema = z.strictObject({
  window: z
    .enum(INSIGHT_WINDOW_NAMES as [InsightWindow, ...InsightWindow[]], {
      error: `expected one of ${INSIGHT_WINDOW_NAMES.join(", ")}`,
    })
    .default(DEFAULT_INSIGHT_WINDOW),
});
type InsightsQuery = z.input<typeof insightsQuerySchema>;

export type LevelCounts = Record<RiskLevel, number>;

export interface VolumeBucket extends LevelCounts {
  /** The bucket's start (UTC); it ends where the next begins. */
  start: string;
  total: number;
}

export interface DecisionTime {
  /** Requests people approved or rejected. */
  decided: number;
  /** Null when nothing was decided. */
  p50_seconds: number | null;
  p90_seconds: number | null;
}

export interface ExpiryRate {
  /** Requests that waited for people and closed (approved, rejected, expired or cancelled). */
  closed: number;
  expired: number;
  /** expired / closed, 0..1; null when nothing closed. */
  rate: number | null;
}

export interface AgentOutcomes {
  agent_name: string;
  approved: number;
  auto_approved: number;
  rejected: number;
  expired: number;
  cancelled: number;
  total: number;
}

export interface ReviewerActivity {
  user_id: string;
  email: string;
  name: string | null;
  role: string;
  /** Approvals given (each vote, also one of a quorum another approval completed). */
  approvals: number;
  rejections: number;
  total: number;
}

export interface InsightsDto {
  window: InsightWindow;
  /** The window, both ends included. */
  from: string;
  to: string;
  bucket: "hour" | "day";
  volume: { total: number; by_level: LevelCounts; series: VolumeBucket[] };
  /** Requests closed in the window, and those of them approved on arrival. */
  closed: { total: number; auto_approved: number };
  decision_time: { overall: DecisionTime; by_level: (DecisionTime & { level: RiskLevel })[] };
  expiry: { overall: ExpiryRate; by_level: (ExpiryRate & { level: RiskLevel })[] };
  /** The agents that closed most requests; `total` is how many closed any. */
  agents: { items: AgentOutcomes[]; total: number };
  /** The people who decided most; `total` is how many decided anything. */
  reviewers: { items: ReviewerActivity[]; total: number };
}

// Percentiles interpolate in floating point (1920.0000000000007 s): milliseconds are plenty.
const toMilliseconds = (seconds: number | null) =>
  seconds === null ? null : Math.round(seconds * 1000) / 1000;

const zeroCounts = (): LevelCounts => ({ low: 0, medium: 0, high: 0, critical: 0 });
const levelOf = (rank: number): RiskLevel => {
  const level = RISK_LEVELS[rank];
  if (!level) throw new Error(`unknown risk rank ${rank}`);
  return level;
};

export async function getInsights(
  db: Database,
  principal: Principal,
  query: InsightsQuery = {},
  options: { now?: Date } = {},
): Promise<InsightsDto> {
  const q = parseInput(insightsQuerySchema, query);
  await requireViewer(db, principal, "read insights");
  const spec = INSIGHT_WINDOWS[q.window];
  const to = options.now ?? (await databaseNow(db));
  const from = new Date(to.getTime() - spec.seconds * 1000);
  const bucketSeconds = spec.bucket === "hour" ? HOUR : DAY;
  const range: InsightsRange = { from, to, bucketSeconds };

  const [volumeRows, statRows, agentRows, reviewerRows] = await Promise.all([
    readVolume(db, range),
    readClosedStats(db, range),
    readAgents(db, range, INSIGHTS_LIST_LIMIT),
    readReviewers(db, range, INSIGHTS_LIST_LIMIT),
  ]);

  // Every bucket of the window, empty ones too, so the chart's time axis has no holes.
  const first = Math.floor(from.getTime() / 1000 / bucketSeconds);
  const last = Math.floor(to.getTime() / 1000 / bucketSeconds);
  const series: VolumeBucket[] = [];
  for (let b = first; b <= last; b++) {
    series.push({
      start: new Date(b * bucketSeconds * 1000).toISOString(),
      ...zeroCounts(),
      total: 0,
    });
  }
  const byLevel = zeroCounts();
  for (const row of volumeRows) {
    const bucket = series[row.bucket - first];
    if (!bucket) continue;
    const level = levelOf(row.rank);
    bucket[level] += row.n;
    bucket.total += row.n;
    byLevel[level] += row.n;
  }

  const overall = statRows.find((r) => r.rank === null);
  const perLevel = new Map(
    statRows.filter((r) => r.rank !== null).map((r) => [levelOf(r.rank as number), r]),
  );
  const time = (r: (typeof statRows)[number] | undefined): DecisionTime => ({
    decided: r?.decided ?? 0,
    p50_seconds: r && r.decided > 0 ? toMilliseconds(r.p50) : null,
    p90_seconds: r && r.decided > 0 ? toMilliseconds(r.p90) : null,
  });
  const expiry = (r: (typeof statRows)[number] | undefined): ExpiryRate => ({
    closed: r?.waited ?? 0,
    expired: r?.expired ?? 0,
    rate: r && r.waited > 0 ? r.expired / r.waited : null,
  });

  return {
    window: q.window,
    from: from.toISOString(),
    to: to.toISOString(),
    bucket: spec.bucket,
    volume: {
      total: Object.values(byLevel).reduce((a, b) => a + b, 0),
      by_level: byLevel,
      series,
    },
    closed: { total: overall?.closed ?? 0, auto_approved: overall?.auto_approved ?? 0 },
    decision_time: {
      overall: time(overall),
      by_level: RISK_LEVELS.map((level) => ({ level, ...time(perLevel.get(level)) })),
    },
    expiry: {
      overall: expiry(overall),
      by_level: RISK_LEVELS.map((level) => ({ level, ...expiry(perLevel.get(level)) })),
    },
    agents: {
      items: agentRows.map(({ agents: _, ...row }) => row),
      total: agentRows[0]?.agents ?? 0,
    },
    reviewers: {
      items: reviewerRows.map(({ reviewers: _, ...row }) => row),
      total: reviewerRows[0]?.reviewers ?? 0,
    },
  };
}
