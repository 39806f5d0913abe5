// The insights page's body, rendered on the server with the numbers already in it: stats,
// legends and tables are plain HTML (what a screen reader and a test read), and the charts
// (charts.tsx, drawn in the browser) show the same numbers.

import Link from "next/link";
import type { ReactNode } from "react";
import type { InsightsDto, InsightWindow } from "@/lib/contract/insights";
import { visibleText } from "@/lib/hitl/text";
import { RISK_LEVELS, roleWords } from "@/lib/hitl/types";
import { EmptyState, Panel } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { cx } from "../ui/cx";
import { VisibleText } from "../ui/visible-text";
import { AgentChart, DecisionTimeChart, VolumeChart } from "./charts";
import {
  bucketTitle,
  formatCount,
  formatDuration,
  formatInstant,
  formatRate,
  LEVEL_COLOR,
  OUTCOMES,
} from "./format";

const WINDOWS: { id: InsightWindow; label: string; long: string }[] = [
  { id: "24h", label: "24 h", long: "24 hours" },
  { id: "7d", label: "7 d", long: "7 days" },
  { id: "30d", label: "30 d", long: "30 days" },
];

function WindowTabs({ current }: { current: InsightWindow }) {
  return (
    <nav aria-label="Time window">
      <ul className="inline-flex rounded-md bg-slate-100 p-0.5 ring-1 ring-slate-200 ring-inset dark:bg-slate-800/60 dark:ring-slate-700">
        {WINDOWS.map((w) => {
          const selected = w.id === current;
          return (
            <li key={w.id}>
              <Link
                href={`/insights?window=${w.id}`}
                scroll={false}
                aria-current={selected ? "page" : undefined}
                title={`The last ${w.long}`}
                data-testid={`window-${w.id}`}
                className={cx(
                  "inline-flex h-8 items-center rounded px-3 text-sm font-medium whitespace-nowrap tabular-nums",
                  selected
                    ? "bg-white text-indigo-700 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:text-indigo-300 dark:ring-slate-700"
                    : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white",
                )}
              >
                {w.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function Stat({
  label,
  value,
  detail,
  testId,
}: {
  label: string;
  value: string;
  detail: ReactNode;
  testId: string;
}) {
  return (
    <Panel as="div" className="min-w-0 px-4 py-3">
      <p className="text-xs font-medium text-slate-600 dark:text-slate-400">{label}</p>
      <p
        className="mt-1 text-2xl font-semibold tracking-tight tabular-nums text-slate-900 dark:text-white"
        data-testid={testId}
      >
        {value}
      </p>
      <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{detail}</p>
    </Panel>
  );
}

function Card({
  id,
  title,
  note,
  children,
  className,
  testId,
}: {
  id: string;
  title: string;
  note?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    // min-w-0: a grid item may shrink below its table's width (the table scrolls instead).
    <Panel aria-labelledby={id} className={cx("min-w-0 p-4", className)} data-testid={testId}>
      <h2 id={id} className="text-sm font-semibold text-slate-900 dark:text-slate-100">
        {title}
      </h2>
      {note && <p className="mt-0.5 text-xs text-slate-600 dark:text-slate-400">{note}</p>}
      <div className="mt-3">{children}</div>
    </Panel>
  );
}

const th = "px-1.5 py-1.5 font-medium whitespace-nowrap sm:px-2";
const td = "px-1.5 py-1.5 tabular-nums whitespace-nowrap sm:px-2";

function Table({
  caption,
  head,
  children,
  foot,
  testId,
}: {
  caption: string;
  head: string[];
  children: ReactNode;
  foot?: ReactNode;
  testId?: string;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a table wider than the screen scrolls; the keyboard must reach it
    <section className="overflow-x-auto" tabIndex={0} aria-label={`${caption} table`}>
      <table className="w-full text-left text-xs sm:text-sm" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="text-xs text-slate-600 dark:text-slate-400">
          <tr className="border-b border-slate-200 dark:border-slate-800">
            {head.map((h, i) => (
              <th key={h} scope="col" className={cx(th, i > 0 && "text-right")}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">{children}</tbody>
        {foot && (
          <tfoot className="border-t border-slate-200 font-medium dark:border-slate-800">
            {foot}
          </tfoot>
        )}
      </table>
    </section>
  );
}

function AsTable({ children }: { children: ReactNode }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer text-xs font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        Show as a table
      </summary>
      <div className="mt-2">{children}</div>
    </details>
  );
}

function Swatch({ color, faded }: { color: string; faded?: boolean }) {
  return (
    <span
      aria-hidden
      className="inline-block size-2.5 shrink-0 rounded-sm"
      // Faded as the chart's 90th-percentile bars: a light fill inside the colour's outline.
      style={
        faded
          ? { background: `${color}59`, boxShadow: `inset 0 0 0 1px ${color}` }
          : { background: color }
      }
    />
  );
}

function Nothing({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-md bg-slate-50 px-3 py-6 text-center text-sm text-slate-600 dark:bg-slate-800/40 dark:text-slate-400">
      {children}
    </p>
  );
}

function volumeSummary(d: InsightsDto, windowLong: string): string {
  const v = d.volume;
  const busiest = v.series.reduce<(typeof v.series)[number] | undefined>(
    (a, b) => (!a || b.total > a.total ? b : a),
    undefined,
  );
  const levels = RISK_LEVELS.map((l) => `${formatCount(v.by_level[l])} ${l}`).join(", ");
  const peak =
    busiest && busiest.total > 0
      ? `; the busiest ${d.bucket}, ${bucketTitle(busiest.start, d.bucket)}, had ${formatCount(busiest.total)}`
      : "";
  return `${formatCount(v.total)} requests in the last ${windowLong}: ${levels}${peak}.`;
}

function timeSummary(d: InsightsDto): string {
  const parts = d.decision_time.by_level
    .filter((l) => l.decided > 0)
    .map(
      (l) =>
        `${l.level}: median ${formatDuration(l.p50_seconds)}, 90th percentile ${formatDuration(l.p90_seconds)}`,
    );
  return parts.length > 0 ? `Time to decision by level. ${parts.join("; ")}.` : "No decisions.";
}

function agentSummary(d: InsightsDto): string {
  return d.agents.items
    .map(
      (a) =>
        `${visibleText(a.agent_name)}: ${a.approved} approved, ${a.auto_approved} approved on arrival, ${a.rejected} rejected, ${a.expired} expired, ${a.cancelled} cancelled`,
    )
    .join("; ");
}

export function InsightsView({ data: d }: { data: InsightsDto }) {
  const windowLong = WINDOWS.find((w) => w.id === d.window)?.long ?? d.window;
  const empty = d.volume.total === 0 && d.closed.total === 0;
  const overall = d.decision_time.overall;
  const expiry = d.expiry.overall;
  const maxReviewer = Math.max(1, ...d.reviewers.items.map((r) => r.total));

  return (
    <div data-testid="insights" data-window={d.window}>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Insights</h1>
          <p className="mt-1 max-w-2xl text-sm text-slate-600 dark:text-slate-400">
            The last {windowLong}, to {formatInstant(d.to)}. Volume counts the requests submitted;
            the rest is about the requests that closed in the window.
          </p>
        </div>
        <WindowTabs current={d.window} />
      </div>

      {empty ? (
        <div className="mt-6">
          <EmptyState title={`Nothing in the last ${windowLong}`} testId="insights-empty">
            Requests show up here as agents submit them and people decide them.
            {d.window !== "30d" && (
              <>
                {" "}
                <Link
                  href="/insights?window=30d"
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  Look at the last 30 days
                </Link>
                .
              </>
            )}
          </EmptyState>
        </div>
      ) : (
        <>
          <div className="mt-5 grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Stat
              label="Requests"
              value={formatCount(d.volume.total)}
              testId="stat-requests"
              detail={`${formatCount(d.closed.auto_approved)} approved on arrival`}
            />
            <Stat
              label="Median time to decision"
              value={formatDuration(overall.p50_seconds)}
              testId="stat-median"
              detail={`over ${formatCount(overall.decided)} decisions by people`}
            />
            <Stat
              label="90th percentile"
              value={formatDuration(overall.p90_seconds)}
              testId="stat-p90"
              detail="9 in 10 decided within this"
            />
            <Stat
              label="Expiry rate"
              value={formatRate(expiry.rate)}
              testId="stat-expiry"
              detail={`${formatCount(expiry.expired)} of ${formatCount(expiry.closed)} that waited for people`}
            />
          </div>

          <Card
            id="insights-volume"
            title="Requests by risk level"
            note={`Per ${d.bucket === "hour" ? "hour" : "day"} (UTC), approved on arrival included.`}
            className="mt-4"
            testId="card-volume"
          >
            <ul className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300">
              {RISK_LEVELS.map((l) => (
                <li
                  key={l}
                  className="inline-flex items-center gap-1.5"
                  data-testid={`volume-${l}`}
                >
                  <Swatch color={LEVEL_COLOR[l]} />
                  <span>{l}</span>
                  <span className="font-semibold tabular-nums">
                    {formatCount(d.volume.by_level[l])}
                  </span>
                </li>
              ))}
            </ul>
            <VolumeChart
              series={d.volume.series}
              bucket={d.bucket}
              title="Requests by risk level"
              summary={volumeSummary(d, windowLong)}
            />
            <AsTable>
              <Table
                caption={`Requests per ${d.bucket} and level`}
                head={[d.bucket === "hour" ? "Hour" : "Day", ...RISK_LEVELS, "total"]}
                testId="volume-table"
                foot={
                  <tr>
                    <th scope="row" className={th}>
                      Total
                    </th>
                    {RISK_LEVELS.map((l) => (
                      <td key={l} className={cx(td, "text-right")}>
                        {formatCount(d.volume.by_level[l])}
                      </td>
                    ))}
                    <td className={cx(td, "text-right")} data-testid="volume-total">
                      {formatCount(d.volume.total)}
                    </td>
                  </tr>
                }
              >
                {d.volume.series.map((b) => (
                  <tr key={b.start}>
                    <th scope="row" className={cx(th, "font-normal")}>
                      {bucketTitle(b.start, d.bucket)}
                    </th>
                    {RISK_LEVELS.map((l) => (
                      <td key={l} className={cx(td, "text-right")}>
                        {b[l]}
                      </td>
                    ))}
                    <td className={cx(td, "text-right font-medium")}>{b.total}</td>
                  </tr>
                ))}
              </Table>
            </AsTable>
          </Card>

          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            <Card
              id="insights-time"
              title="Time to decision"
              note={`From submission to a person's approval or rejection${d.closed.auto_approved > 0 ? `; the ${formatCount(d.closed.auto_approved)} approved on arrival are left out` : ""}.`}
              testId="card-time"
            >
              {overall.decided === 0 ? (
                <Nothing>No decisions by people in the last {windowLong}.</Nothing>
              ) : (
                <>
                  <p className="mb-2 flex flex-wrap gap-x-4 text-xs text-slate-700 dark:text-slate-300">
                    <span className="inline-flex items-center gap-1.5">
                      <Swatch color={LEVEL_COLOR.high} /> median
                    </span>
                    <span className="inline-flex items-center gap-1.5">
                      <Swatch color={LEVEL_COLOR.high} faded /> 90th percentile
                    </span>
                  </p>
                  <DecisionTimeChart
                    levels={d.decision_time.by_level}
                    title="Time to decision by level"
                    summary={timeSummary(d)}
                  />
                  <AsTable>
                    <Table
                      caption="Time to decision by level"
                      head={["Level", "Decided", "Median", "90th pct."]}
                      testId="time-table"
                      foot={
                        <tr>
                          <th scope="row" className={th}>
                            All levels
                          </th>
                          <td className={cx(td, "text-right")}>{formatCount(overall.decided)}</td>
                          <td className={cx(td, "text-right")}>
                            {formatDuration(overall.p50_seconds)}
                          </td>
                          <td className={cx(td, "text-right")}>
                            {formatDuration(overall.p90_seconds)}
                          </td>
                        </tr>
                      }
                    >
                      {d.decision_time.by_level.map((l) => (
                        <tr key={l.level} data-testid={`time-${l.level}`}>
                          <th scope="row" className={cx(th, "font-normal")}>
                            <RiskBadge level={l.level} />
                          </th>
                          <td className={cx(td, "text-right")}>{formatCount(l.decided)}</td>
                          <td className={cx(td, "text-right")}>{formatDuration(l.p50_seconds)}</td>
                          <td className={cx(td, "text-right")}>{formatDuration(l.p90_seconds)}</td>
                        </tr>
                      ))}
                    </Table>
                  </AsTable>
                </>
              )}
            </Card>

            <Card
              id="insights-expiry"
              title="Expiry rate"
              note="Requests that waited for people and ran out of time, of those that closed."
              testId="card-expiry"
            >
              <p className="text-3xl font-semibold tracking-tight tabular-nums">
                {formatRate(expiry.rate)}
              </p>
              <p className="text-xs text-slate-600 dark:text-slate-400">
                {formatCount(expiry.expired)} expired of {formatCount(expiry.closed)} closed
              </p>
              <ul className="mt-4 space-y-3">
                {d.expiry.by_level.map((l) => (
                  <li key={l.level} data-testid={`expiry-${l.level}`}>
                    <div className="flex items-center justify-between gap-3 text-sm">
                      <RiskBadge level={l.level} />
                      <span className="tabular-nums text-slate-700 dark:text-slate-300">
                        <span className="font-semibold text-slate-900 dark:text-white">
                          {formatRate(l.rate)}
                        </span>{" "}
                        · {formatCount(l.expired)} of {formatCount(l.closed)}
                      </span>
                    </div>
                    <div
                      aria-hidden
                      className="mt-1 h-1.5 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800"
                    >
                      <div
                        className="h-full rounded-full"
                        style={{
                          width: `${Math.round((l.rate ?? 0) * 100)}%`,
                          background: LEVEL_COLOR[l.level],
                        }}
                      />
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
          </div>

          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            <Card
              id="insights-agents"
              title="Outcomes by agent"
              note={
                d.agents.total > d.agents.items.length
                  ? `The ${d.agents.items.length} agents with most closed requests, of ${d.agents.total}.`
                  : "Closed requests per agent."
              }
              testId="card-agents"
            >
              {d.agents.items.length === 0 ? (
                <Nothing>No requests closed in the last {windowLong}.</Nothing>
              ) : (
                <>
                  <ul className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300">
                    {OUTCOMES.map((o) => (
                      <li key={o.key} className="inline-flex items-center gap-1.5">
                        <Swatch color={o.color} /> {o.label}
                      </li>
                    ))}
                  </ul>
                  <AgentChart
                    agents={d.agents.items}
                    title="Outcomes by agent"
                    summary={agentSummary(d)}
                  />
                  <AsTable>
                    <Table
                      caption="Outcomes by agent"
                      head={["Agent", ...OUTCOMES.map((o) => o.label), "Total"]}
                      testId="agents-table"
                    >
                      {d.agents.items.map((a) => (
                        <tr key={a.agent_name} data-testid="agent-row">
                          <th scope="row" className={cx(th, "font-normal")}>
                            <VisibleText text={a.agent_name} />
                          </th>
                          {OUTCOMES.map((o) => (
                            <td key={o.key} className={cx(td, "text-right")}>
                              {formatCount(a[o.key])}
                            </td>
                          ))}
                          <td className={cx(td, "text-right font-medium")}>
                            {formatCount(a.total)}
                          </td>
                        </tr>
                      ))}
                    </Table>
                  </AsTable>
                </>
              )}
            </Card>

            <Card
              id="insights-reviewers"
              title="Busiest reviewers"
              note={
                d.reviewers.total > d.reviewers.items.length
                  ? `The ${d.reviewers.items.length} people who decided most, of ${d.reviewers.total}. Every approval counts, also one of two a critical request needs.`
                  : "Every approval counts, also one of two a critical request needs."
              }
              testId="card-reviewers"
            >
              {d.reviewers.items.length === 0 ? (
                <Nothing>Nobody decided anything in the last {windowLong}.</Nothing>
              ) : (
                <Table
                  caption="Busiest reviewers"
                  head={["Person", "Approvals", "Rejections", "Total"]}
                  testId="reviewers-table"
                >
                  {d.reviewers.items.map((r) => (
                    <tr key={r.user_id} data-testid="reviewer-row">
                      <th scope="row" className="px-1.5 py-2 text-left font-normal sm:px-2">
                        <span className="block max-w-[10rem] truncate font-medium text-slate-900 sm:max-w-[14rem] dark:text-slate-100">
                          {r.email}
                        </span>
                        <span className="text-xs text-slate-600 dark:text-slate-400">
                          {roleWords(r.role)}
                          {r.name ? ` · ${r.name}` : ""}
                        </span>
                        <span
                          aria-hidden
                          className="mt-1 block h-1 rounded-full bg-indigo-500/80"
                          style={{ width: `${Math.max(4, (r.total / maxReviewer) * 100)}%` }}
                        />
                      </th>
                      <td className={cx(td, "text-right")}>{formatCount(r.approvals)}</td>
                      <td className={cx(td, "text-right")}>{formatCount(r.rejections)}</td>
                      <td className={cx(td, "text-right font-semibold")}>{formatCount(r.total)}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </Card>
          </div>
        </>
      )}
    </div>
  );
}
