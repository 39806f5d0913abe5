import type { ReactNode } from "react";
import { cx } from "./cx";

type Tone = "error" | "warning" | "info" | "success";

const TONES: Record<Tone, string> = {
  error:
    "bg-red-50 text-red-900 ring-red-600/20 dark:bg-red-950/50 dark:text-red-200 dark:ring-red-500/30",
  warning:
    "bg-amber-50 text-amber-900 ring-amber-600/25 dark:bg-amber-950/40 dark:text-amber-200 dark:ring-amber-500/30",
  info: "bg-slate-100 text-slate-800 ring-slate-500/15 dark:bg-slate-800/60 dark:text-slate-200 dark:ring-slate-600/50",
  success:
    "bg-emerald-50 text-emerald-900 ring-emerald-600/20 dark:bg-emerald-950/40 dark:text-emerald-200 dark:ring-emerald-500/30",
};

/** An inline message. Errors are announced (role=alert); the rest are read in place. */
export function Alert({
  tone = "info",
  title,
  children,
  className,
  testId,
}: {
  tone?: Tone;
  title?: ReactNode;
  children?: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : undefined}
      data-testid={testId}
      className={cx("rounded-md px-3 py-2 text-sm ring-1 ring-inset", TONES[tone], className)}
    >
      {title && <p className="font-medium">{title}</p>}
      {children && (
        <div className={cx(title ? "mt-0.5" : undefined, "break-words")}>{children}</div>
      )}
    </div>
  );
}

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div
      data-testid={testId}
      className="rounded-lg border border-dashed border-slate-300 px-6 py-12 text-center dark:border-slate-700"
    >
      <p className="font-medium text-slate-800 dark:text-slate-200">{title}</p>
      {children && (
        <div className="mx-auto mt-1 max-w-md text-sm text-slate-600 dark:text-slate-400">
          {children}
        </div>
      )}
    </div>
  );
}

/** A card-like surface. */
export function Panel({
  children,
  className,
  as: As = "section",
  ...rest
}: {
  children: ReactNode;
  className?: string;
  as?: "section" | "div" | "aside";
  "aria-labelledby"?: string;
  "data-testid"?: string;
}) {
  return (
    <As
      className={cx(
        "rounded-lg bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800",
        className,
      )}
      {...rest}
    >
      {children}
    </As>
  );
}

export function SectionTitle({
  id,
  children,
  aside,
}: {
  id?: string;
  children: ReactNode;
  aside?: ReactNode;
}) {
  return (
    <div className="flex items-center justify-between gap-3">
      <h2 id={id} className="text-sm font-semibold text-slate-900 dark:text-slate-100">
        {children}
      </h2>
      {aside}
    </div>
  );
}
