// The insights page's body, rendered on the server with the numbers already in it: stats,
// legends and tables are plain HTML (what a screen reader and a test read), and the charts
// (charts.tsx, drawn in the browser) show the same numbers.

import Link from "next/link";
import type { InsightsDto } from "@/lib/contract/insights";
import { EmptyState } from "../ui/alert";
import { Stat } from "./blocks";
import { DecisionTimeCard, ExpiryCard } from "./decision-cards";
import { formatCount, formatDuration, formatInstant, formatRate } from "./format";
import { AgentsCard, ReviewersCard } from "./people-cards";
import { VolumeCard } from "./volume-card";
import { WINDOWS, WindowTabs } from "./window-tabs";

export function InsightsView({ data: d }: { data: InsightsDto }) {
  const windowLong = WINDOWS.find((w) => w.id === d.window)?.long ?? d.window;
  const empty = d.volume.total === 0 && d.closed.total === 0;
  const overall = d.decision_time.overall;
  const expiry = d.expiry.overall;

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

          <VolumeCard d={d} windowLong={windowLong} />

          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            <DecisionTimeCard d={d} windowLong={windowLong} />
            <ExpiryCard d={d} />
          </div>

          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            <AgentsCard d={d} windowLong={windowLong} />
            <ReviewersCard d={d} windowLong={windowLong} />
          </div>
        </>
      )}
    </div>
  );
}
