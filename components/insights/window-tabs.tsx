// The insights page's time windows (24 hours, 7 days, 30 days) and the links that switch
// between them; the window is in the URL, so the server renders each one.

import Link from "next/link";
import type { InsightWindow } from "@/lib/contract/insights";
import { cx } from "../ui/cx";

export const WINDOWS: { id: InsightWindow; label: string; long: string }[] = [
  { id: "24h", label: "24 h", long: "24 hours" },
  { id: "7d", label: "7 d", long: "7 days" },
  { id: "30d", label: "30 d", long: "30 days" },
];

export function WindowTabs({ current }: { current: InsightWindow }) {
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
