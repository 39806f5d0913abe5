// The insights page's cards on who: the outcomes of each agent's requests, and the reviewers
// who decided most.

import type { InsightsDto } from "@/lib/contract/insights";
import { visibleText } from "@/lib/hitl/text";
import { roleWords } from "@/lib/hitl/types";
import { cx } from "../ui/cx";
import { VisibleText } from "../ui/visible-text";
import { AsTable, Card, Nothing, Swatch, Table, td, th } from "./blocks";
import { AgentChart } from "./charts";
import { formatCount, OUTCOMES } from "./format";

function agentSummary(d: InsightsDto): string {
  return d.agents.items
    .map(
      (a) =>
        `${visibleText(a.agent_name)}: ${a.approved} approved, ${a.auto_approved} approved on arrival, ${a.rejected} rejected, ${a.expired} expired, ${a.cancelled} cancelled`,
    )
    .join("; ");
}

export function AgentsCard({ d, windowLong }: { d: InsightsDto; windowLong: string }) {
  return (
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
          <AgentChart agents={d.agents.items} title="Outcomes by agent" summary={agentSummary(d)} />
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
                  <td className={cx(td, "text-right font-medium")}>{formatCount(a.total)}</td>
                </tr>
              ))}
            </Table>
          </AsTable>
        </>
      )}
    </Card>
  );
}

export function ReviewersCard({ d, windowLong }: { d: InsightsDto; windowLong: string }) {
  const maxReviewer = Math.max(1, ...d.reviewers.items.map((r) => r.total));
  return (
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
  );
}
