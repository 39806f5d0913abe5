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
import type { Database } from "@/db/client";
import { databaseNow } from "@/db/queries/clock";
import {
  type InsightsRange,
  readAgents,
  readClosedStats,
  readReviewers,
  readVolume,
} from "@/db/queries/insights";
import {
  BUCKET_SECONDS,
  type DecisionTime,
  type ExpiryRate,
  INSIGHT_WINDOWS,
  type InsightsDto,
  type InsightsQuery,
  insightsQuerySchema,
  type LevelCounts,
  type VolumeBucket,
} from "@/lib/contract/insights";
import { RISK_LEVELS, type RiskLevel } from "@/lib/hitl";
import { type Principal, requireViewer } from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";

/** How many agents and reviewers the page lists (the busiest first). */
const INSIGHTS_LIST_LIMIT = 10;

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
  const bucketSeconds = BUCKET_SECONDS[spec.bucket];
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
