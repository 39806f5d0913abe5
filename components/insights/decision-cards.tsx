// The insights page's cards on how requests closed in time: the time to a person's decision
// by level, and the share that ran out of time (the expiry rate).

import type { InsightsDto } from "@/lib/contract/insights";
import { RiskBadge } from "../ui/badge";
import { cx } from "../ui/cx";
import { AsTable, Card, Nothing, Swatch, Table, td, th } from "./blocks";
import { DecisionTimeChart } from "./charts";
import { formatCount, formatDuration, formatRate, LEVEL_COLOR } from "./format";

function timeSummary(d: InsightsDto): string {
  const parts = d.decision_time.by_level
    .filter((l) => l.decided > 0)
    .map(
      (l) =>
        `${l.level}: median ${formatDuration(l.p50_seconds)}, 90th percentile ${formatDuration(l.p90_seconds)}`,
    );
  return parts.length > 0 ? `Time to decision by level. ${parts.join("; ")}.` : "No decisions.";
}

export function DecisionTimeCard({ d, windowLong }: { d: InsightsDto; windowLong: string }) {
  const overall = d.decision_time.overall;
  return (
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
                  <td className={cx(td, "text-right")}>{formatDuration(overall.p50_seconds)}</td>
                  <td className={cx(td, "text-right")}>{formatDuration(overall.p90_seconds)}</td>
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
  );
}

export function ExpiryCard({ d }: { d: InsightsDto }) {
  const expiry = d.expiry.overall;
  return (
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
  );
}
