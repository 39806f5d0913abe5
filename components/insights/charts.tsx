"use client";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  LabelList,
  type LabelProps,
  Tooltip,
  type TooltipContentProps,
  XAxis,
  YAxis,
} from "recharts";
import type { AgentOutcomes, DecisionTime, VolumeBucket } from "@/lib/contract/insights";
import { visibleText } from "@/lib/hitl/text";
// The insights' charts (recharts). Each draws numbers the page also states in text or a table
// beside it, so the charts are for the eye and the text is for everyone: the SVG gets a title
// and a summary, and its keyboard layer (arrow keys move the tooltip) stays on. Colours are the
// risk badges' and the outcomes'; axes and grid take the text colour, so dark mode needs
// nothing of its own.
import { RISK_LEVELS, type RiskLevel } from "@/lib/hitl/types";

import {
  bucketLabel,
  bucketTitle,
  durationTicks,
  formatCount,
  formatDuration,
  LEVEL_COLOR,
  OUTCOMES,
} from "./format";

const tick = { fill: "currentColor", fontSize: 12 };
const axisLine = { stroke: "currentColor", strokeOpacity: 0.3 };
const cursor = { fill: "currentColor", fillOpacity: 0.08 };

interface TooltipRow {
  name: string;
  value: string;
  color: string;
}

function TooltipBox({ title, rows }: { title: string; rows: TooltipRow[] }) {
  return (
    <div className="rounded-md bg-white px-3 py-2 text-xs text-slate-800 shadow-lg ring-1 ring-slate-200 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-700">
      <p className="font-medium">{title}</p>
      <ul className="mt-1 space-y-0.5">
        {rows.map((r) => (
          <li key={r.name} className="flex items-center gap-2 tabular-nums">
            <span aria-hidden className="size-2 rounded-sm" style={{ background: r.color }} />
            <span className="flex-1">{r.name}</span>
            <span className="font-medium">{r.value}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

type VolumePoint = VolumeBucket & { label: string };

/** Requests created per hour or day, stacked by level. */
export function VolumeChart({
  series,
  bucket,
  title,
  summary,
}: {
  series: VolumeBucket[];
  bucket: "hour" | "day";
  title: string;
  summary: string;
}) {
  const data: VolumePoint[] = series.map((b) => ({ ...b, label: bucketLabel(b.start, bucket) }));
  const content = ({ active, payload }: TooltipContentProps) => {
    const point = payload?.[0]?.payload as VolumePoint | undefined;
    if (!active || !point) return null;
    return (
      <TooltipBox
        title={`${bucketTitle(point.start, bucket)} · ${formatCount(point.total)}`}
        rows={[...RISK_LEVELS].reverse().map((l) => ({
          name: l,
          value: formatCount(point[l]),
          color: LEVEL_COLOR[l],
        }))}
      />
    );
  };
  return (
    <div className="h-64 w-full text-slate-500 dark:text-slate-400" data-testid="chart-volume">
      <BarChart
        responsive
        style={{ width: "100%", height: "100%" }}
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        title={title}
        desc={summary}
        barCategoryGap={bucket === "hour" ? "15%" : "25%"}
      >
        <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis
          dataKey="label"
          tick={tick}
          tickLine={false}
          axisLine={axisLine}
          interval="preserveStartEnd"
          minTickGap={12}
        />
        <YAxis allowDecimals={false} width={36} tick={tick} tickLine={false} axisLine={false} />
        <Tooltip content={content} cursor={cursor} isAnimationActive={false} />
        {RISK_LEVELS.map((l, i) => (
          <Bar
            key={l}
            dataKey={l}
            name={l}
            stackId="volume"
            fill={LEVEL_COLOR[l]}
            isAnimationActive={false}
            radius={i === RISK_LEVELS.length - 1 ? [2, 2, 0, 0] : 0}
          />
        ))}
      </BarChart>
    </div>
  );
}

type TimePoint = DecisionTime & { level: RiskLevel };

/**
 * A duration over its bar, on one line (recharts' own label wraps to the bar's width); none
 * over bars too narrow to hold it (a phone), where the tooltip and the table still say it.
 */
function DurationLabel({ x, y, width, value }: LabelProps) {
  if (typeof value !== "number" || Number(width) < 30) return null;
  return (
    <text
      x={Number(x) + Number(width) / 2}
      y={Number(y) - 5}
      textAnchor="middle"
      fill="currentColor"
      fontSize={11}
    >
      {formatDuration(value)}
    </text>
  );
}

/** Median and 90th percentile of the time people took, per level; bars in the level's colour. */
export function DecisionTimeChart({
  levels,
  title,
  summary,
}: {
  levels: TimePoint[];
  title: string;
  summary: string;
}) {
  const content = ({ active, payload }: TooltipContentProps) => {
    const point = payload?.[0]?.payload as TimePoint | undefined;
    if (!active || !point) return null;
    const color = LEVEL_COLOR[point.level];
    return (
      <TooltipBox
        title={`${point.level} · ${formatCount(point.decided)} decided`}
        rows={[
          { name: "median", value: formatDuration(point.p50_seconds), color },
          {
            name: "90th percentile",
            value: formatDuration(point.p90_seconds),
            color: `${color}80`,
          },
        ]}
      />
    );
  };
  const ticks = durationTicks(Math.max(0, ...levels.map((l) => l.p90_seconds ?? 0)));

  return (
    <div
      className="h-60 w-full text-slate-500 dark:text-slate-400"
      data-testid="chart-decision-time"
    >
      <BarChart
        responsive
        style={{ width: "100%", height: "100%" }}
        data={levels}
        margin={{ top: 20, right: 8, bottom: 0, left: 0 }}
        title={title}
        desc={summary}
        barGap={3}
        barCategoryGap="18%"
      >
        <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis dataKey="level" tick={tick} tickLine={false} axisLine={axisLine} />
        <YAxis
          width={60}
          tick={tick}
          tickLine={false}
          axisLine={false}
          ticks={ticks}
          domain={[0, ticks.at(-1) ?? 0]}
          tickFormatter={(v: number) => formatDuration(v)}
        />
        <Tooltip content={content} cursor={cursor} isAnimationActive={false} />
        <Bar dataKey="p50_seconds" name="median" isAnimationActive={false} radius={[2, 2, 0, 0]}>
          {levels.map((l) => (
            <Cell key={l.level} fill={LEVEL_COLOR[l.level]} />
          ))}
          <LabelList dataKey="p50_seconds" content={DurationLabel} />
        </Bar>
        <Bar
          dataKey="p90_seconds"
          name="90th percentile"
          isAnimationActive={false}
          radius={[2, 2, 0, 0]}
        >
          {levels.map((l) => (
            <Cell
              key={l.level}
              fill={LEVEL_COLOR[l.level]}
              fillOpacity={0.35}
              stroke={LEVEL_COLOR[l.level]}
            />
          ))}
          <LabelList dataKey="p90_seconds" content={DurationLabel} />
        </Bar>
      </BarChart>
    </div>
  );
}

/** Outcomes per agent as horizontal stacked bars, the busiest on top. */
export function AgentChart({
  agents,
  title,
  summary,
}: {
  agents: AgentOutcomes[];
  title: string;
  summary: string;
}) {
  const content = ({ active, payload }: TooltipContentProps) => {
    const point = payload?.[0]?.payload as AgentOutcomes | undefined;
    if (!active || !point) return null;
    return (
      <TooltipBox
        title={`${visibleText(point.agent_name)} · ${formatCount(point.total)} closed`}
        rows={OUTCOMES.map((o) => ({
          name: o.label,
          value: formatCount(point[o.key]),
          color: o.color,
        }))}
      />
    );
  };
  // A bar a row, whatever the number of agents.
  const height = 24 + agents.length * 34;
  return (
    <div
      className="w-full text-slate-500 dark:text-slate-400"
      style={{ height }}
      data-testid="chart-agents"
    >
      <BarChart
        responsive
        layout="vertical"
        style={{ width: "100%", height: "100%" }}
        data={agents}
        margin={{ top: 0, right: 8, bottom: 0, left: 0 }}
        title={title}
        desc={summary}
        barCategoryGap="24%"
      >
        <CartesianGrid horizontal={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis
          type="number"
          allowDecimals={false}
          tick={tick}
          tickLine={false}
          axisLine={axisLine}
        />
        <YAxis
          type="category"
          dataKey="agent_name"
          width={104}
          tickFormatter={(name: string) => visibleText(name)}
          tick={tick}
          tickLine={false}
          axisLine={false}
        />
        <Tooltip content={content} cursor={cursor} isAnimationActive={false} />
        {OUTCOMES.map((o) => (
          <Bar
            key={o.key}
            dataKey={o.key}
            name={o.label}
            stackId="outcome"
            fill={o.color}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </div>
  );
}
