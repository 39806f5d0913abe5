// The insights page's "Requests by risk level" card: the totals by level, the chart of requests
// per hour or day, and the same numbers as a table.

import type { InsightsDto } from "@/lib/contract/insights";
import { RISK_LEVELS } from "@/lib/hitl/types";
import { cx } from "../ui/cx";
import { AsTable, Card, Swatch, Table, td, th } from "./blocks";
import { VolumeChart } from "./charts";
import { bucketTitle, formatCount, LEVEL_COLOR } from "./format";

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

export function VolumeCard({ d, windowLong }: { d: InsightsDto; windowLong: string }) {
  return (
    <Card
      id="insights-volume"
      title="Requests by risk level"
      note={`Per ${d.bucket === "hour" ? "hour" : "day"} (UTC), approved on arrival included.`}
      className="mt-4"
      testId="card-volume"
    >
      <ul className="mb-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300">
        {RISK_LEVELS.map((l) => (
          <li key={l} className="inline-flex items-center gap-1.5" data-testid={`volume-${l}`}>
            <Swatch color={LEVEL_COLOR[l]} />
            <span>{l}</span>
            <span className="font-semibold tabular-nums">{formatCount(d.volume.by_level[l])}</span>
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
  );
}
