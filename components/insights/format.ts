import type { RiskLevel } from "@/lib/hitl/types";
// How the insights page writes numbers, durations and times, the same on the server and in the
// browser (UTC, one locale), so the first render hydrates unchanged.

/** The badges' dot colours (components/ui/badge.tsx): emerald, amber, orange, red. */
export const LEVEL_COLOR: Record<RiskLevel, string> = {
  low: "#10b981",
  medium: "#f59e0b",
  high: "#ea580c",
  critical: "#dc2626",
};

export const OUTCOMES = [
  { key: "approved", label: "Approved", color: "#047857" },
  { key: "auto_approved", label: "Approved on arrival", color: "#6ee7b7" },
  { key: "rejected", label: "Rejected", color: "#dc2626" },
  { key: "expired", label: "Expired", color: "#94a3b8" },
  { key: "cancelled", label: "Cancelled", color: "#cbd5e1" },
] as const;

const integer = new Intl.NumberFormat("en-US");

export const formatCount = (n: number) => integer.format(n);

/** One decimal below ten, none from ten up, and no ".0": 4 min, 4.5 min, 12 min. */
function short(value: number): string {
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return String(rounded);
}

/** A duration in the unit a person would say it in: 45 s, 4 min, 1.2 h, 2.5 d. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${short(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${short(seconds / 3600)} h`;
  return `${short(seconds / 86_400)} d`;
}

/** A share as a percentage: 0 %, 0.4 %, 12 %; a dash when there was nothing to share. */
export function formatRate(rate: number | null): string {
  if (rate === null) return "—";
  const pct = rate * 100;
  if (pct === 0) return "0%";
  return `${pct < 10 ? Math.round(pct * 10) / 10 : Math.round(pct)}%`;
}

const hourLabel = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});
const dayLabel = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});
const dayTitle = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  timeZone: "UTC",
});

/** A bucket's start on the time axis: "14:00" for hours, "8 Jun" for days (UTC). */
export function bucketLabel(start: string, bucket: "hour" | "day"): string {
  const d = new Date(start);
  return bucket === "hour" ? hourLabel.format(d) : dayLabel.format(d);
}

/** A bucket in full, for tables and tooltips: "Sun 8 Jun" or "Sun 8 Jun, 14:00 UTC". */
export function bucketTitle(start: string, bucket: "hour" | "day"): string {
  const d = new Date(start);
  const day = dayTitle.format(d);
  return bucket === "hour" ? `${day}, ${hourLabel.format(d)} UTC` : day;
}

/** An instant, to the minute: "Sun 8 Jun, 14:05 UTC". */
export const formatInstant = (iso: string) => bucketTitle(iso, "hour");

// Steps a duration axis climbs in: whole seconds, minutes, hours, days.
const STEPS = [
  10,
  15,
  30,
  60,
  120,
  300,
  600,
  900,
  1800,
  3600,
  2 * 3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
  86_400,
  2 * 86_400,
  7 * 86_400,
];

/** Ticks for a duration axis up to `max` seconds, in a round unit: 0, 15 min, 30 min, 45 min. */
export function durationTicks(max: number, most = 5): number[] {
  if (max <= 0) return [0];
  const step = STEPS.find((s) => max / s <= most - 1) ?? Math.ceil(max / (most - 1));
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return ticks;
}
