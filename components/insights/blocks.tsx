// The insights page's building blocks: a stat, a titled card, a table that scrolls on a
// narrow screen, "Show as a table", a legend's swatch and the words for an empty card.

import type { ReactNode } from "react";
import { Panel } from "../ui/alert";
import { cx } from "../ui/cx";

export function Stat({
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

export function Card({
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

/** The tables' header and data cells' classes. */
export const th = "px-1.5 py-1.5 font-medium whitespace-nowrap sm:px-2";
export const td = "px-1.5 py-1.5 tabular-nums whitespace-nowrap sm:px-2";

export function Table({
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

export function AsTable({ children }: { children: ReactNode }) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer text-xs font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        Show as a table
      </summary>
      <div className="mt-2">{children}</div>
    </details>
  );
}

export function Swatch({ color, faded }: { color: string; faded?: boolean }) {
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

export function Nothing({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-md bg-slate-50 px-3 py-6 text-center text-sm text-slate-600 dark:bg-slate-800/40 dark:text-slate-400">
      {children}
    </p>
  );
}
