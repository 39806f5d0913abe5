"use client";
// The queue's tabs (pending, escalated, quarantined, recently decided), each with its count.

import { cx } from "../ui/cx";
import { TABS, type Tab } from "./filters";
import type { Counts } from "./use-queue-lists";

export const TAB_LABEL: Record<Tab, string> = {
  pending: "Pending",
  escalated: "Escalated",
  quarantined: "Quarantined",
  decided: "Recently decided",
};

export function QueueTabs({
  tab,
  counts,
  onChoose,
}: {
  tab: Tab;
  counts: Counts;
  onChoose: (t: Tab) => void;
}) {
  return (
    <div
      role="tablist"
      aria-label="Queue status"
      className="mt-4 -mx-4 flex overflow-x-auto border-b border-slate-200 px-2 sm:mx-0 sm:gap-1 sm:px-0 dark:border-slate-800"
    >
      {TABS.map((t) => {
        const selected = tab === t;
        const count = t === "decided" ? null : counts[t];
        return (
          <button
            key={t}
            type="button"
            role="tab"
            aria-selected={selected}
            data-testid={`tab-${t}`}
            onClick={() => onChoose(t)}
            className={cx(
              "relative -mb-px flex h-10 shrink-0 items-center gap-1 border-b-2 px-1.5 text-[13px] font-medium whitespace-nowrap sm:gap-2 sm:px-3 sm:text-sm",
              selected
                ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100",
            )}
          >
            {t === "decided" ? (
              <>
                <span className="sm:hidden">Decided</span>
                <span className="hidden sm:inline">{TAB_LABEL[t]}</span>
              </>
            ) : (
              TAB_LABEL[t]
            )}
            {count !== null && (
              <span
                data-testid={`count-${t}`}
                className={cx(
                  "rounded-full px-1.5 text-xs tabular-nums",
                  selected
                    ? "bg-indigo-100 text-indigo-800 dark:bg-indigo-400/20 dark:text-indigo-200"
                    : "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300",
                )}
              >
                {count}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
