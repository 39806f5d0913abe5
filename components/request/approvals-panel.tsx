"use client";
// The request page's "Approvals" panel: who approved it, when and how, with their
// justification, and whether each approval still counts after an edit.

import type { RequestDetailDto } from "@/lib/contract/api";
import { viaWords } from "@/lib/contract/tasks";
import { roleWords } from "@/lib/hitl/types";
import { Panel, SectionTitle } from "../ui/alert";
import { DateTime } from "../ui/clock";
import { VisibleText } from "../ui/visible-text";
import { PersonWords } from "./facts";

export function ApprovalsPanel({ r }: { r: RequestDetailDto }) {
  return (
    <Panel className="p-4 sm:p-5" aria-labelledby="approvals-title" data-testid="approvals">
      <SectionTitle id="approvals-title">Approvals</SectionTitle>
      {r.approvals_given.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">None yet.</p>
      ) : (
        <ul className="mt-3 space-y-3">
          {r.approvals_given.map((a) => (
            <li key={`${a.approver_id}-${a.at}`} data-testid="approval" className="text-sm">
              <p className="flex flex-wrap items-baseline gap-x-2">
                <span
                  className={a.counts ? "font-medium" : "font-medium text-slate-500 line-through"}
                >
                  <PersonWords person={a.approver} />
                </span>
                <span className="text-xs text-slate-500 dark:text-slate-400">
                  {roleWords(a.role)}
                </span>
              </p>
              <p className="text-xs text-slate-500 dark:text-slate-400">
                <DateTime iso={a.at} />
                {a.via ? (
                  <span data-testid="approval-via">
                    {" · "}
                    {viaWords(a.via)}
                  </span>
                ) : null}
                {" · "}
                {a.counts ? (
                  <span className="text-emerald-700 dark:text-emerald-400">counts</span>
                ) : (
                  <span>voided by a later edit</span>
                )}
              </p>
              {a.justification && (
                <p className="mt-1 break-words text-slate-700 dark:text-slate-300">
                  “<VisibleText text={a.justification} />”
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
