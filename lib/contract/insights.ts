// The insights page's answer (SPEC §7), as lib/services/insights/insights.ts computes it and the page
// and its charts read it: the windows it covers, and the shape of each figure.
import { z } from "zod";
import type { RiskLevel } from "../hitl/types";

/** The length of the page's buckets, seconds. */
export const BUCKET_SECONDS = { hour: 3600, day: 24 * 3600 } as const;
const DAY = BUCKET_SECONDS.day;

export const INSIGHT_WINDOWS = {
  "24h": { seconds: DAY, bucket: "hour" },
  "7d": { seconds: 7 * DAY, bucket: "day" },
  "30d": { seconds: 30 * DAY, bucket: "day" },
} as const satisfies Record<string, { seconds: number; bucket: "hour" | "day" }>;
export type InsightWindow = keyof typeof INSIGHT_WINDOWS;
export const INSIGHT_WINDOW_NAMES = Object.keys(INSIGHT_WINDOWS) as InsightWindow[];
export const DEFAULT_INSIGHT_WINDOW: InsightWindow = "7d";

export const insightsQuerySchema = z.strictObject({
  window: z
    .enum(INSIGHT_WINDOW_NAMES as [InsightWindow, ...InsightWindow[]], {
      error: `expected one of ${INSIGHT_WINDOW_NAMES.join(", ")}`,
    })
    .default(DEFAULT_INSIGHT_WINDOW),
});
export type InsightsQuery = z.input<typeof insightsQuerySchema>;

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
