// The request page's "Why it needs a person" panel: the risk score, the reasons, and the
// rules that fired.

import Link from "next/link";
import type { RequestDetailDto } from "@/lib/contract/api";
import { Panel, SectionTitle } from "../ui/alert";
import { VisibleText } from "../ui/visible-text";

export function RiskPanel({ r }: { r: RequestDetailDto }) {
  return (
    <Panel className="p-4 sm:p-5" aria-labelledby="risk-title" data-testid="risk">
      <SectionTitle id="risk-title">Why it needs a person</SectionTitle>
      <div className="mt-3 flex items-center gap-3">
        <div
          className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
          aria-hidden
        >
          <div
            className="h-full rounded-full bg-gradient-to-r from-amber-400 via-orange-500 to-red-600"
            style={{ width: `${Math.round(r.risk.score * 100)}%` }}
          />
        </div>
        <span className="font-mono text-sm tabular-nums">score {r.risk.score.toFixed(2)}</span>
      </div>
      {r.risk.reasons.length > 0 ? (
        <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-800 dark:text-slate-200">
          {r.risk.reasons.map((reason) => (
            <li key={reason}>
              <VisibleText text={reason} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
          No rule matched; unmatched actions get the default level.
        </p>
      )}
      {r.risk.matched_rules.length > 0 && (
        <p className="mt-3 flex flex-wrap items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400">
          Rules that fired:
          {r.risk.matched_rules.map((id) => (
            <Link
              key={id}
              href={`/rules#rule-${id}`}
              className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-700 hover:underline dark:bg-slate-800 dark:text-slate-300"
            >
              {id}
            </Link>
          ))}
        </p>
      )}
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        Rule set {r.rule_set_version}
      </p>
    </Panel>
  );
}
