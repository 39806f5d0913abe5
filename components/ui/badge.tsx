import type { ReactNode } from "react";
import type { RiskLevel } from "@/lib/hitl/types";
import { cx } from "./cx";

// In app/globals.css (.badge-risk-*): a badge is on every queue row.
const RISK: Record<RiskLevel, string> = {
  low: "badge-risk-low",
  medium: "badge-risk-medium",
  high: "badge-risk-high",
  critical: "badge-risk-critical",
};

const RISK_DOT: Record<RiskLevel, string> = {
  low: "bg-emerald-500",
  medium: "bg-amber-500",
  high: "bg-orange-500",
  critical: "bg-white",
};

export function RiskBadge({ level, className }: { level: RiskLevel; className?: string }) {
  return (
    <span
      data-testid="risk-badge"
      data-level={level}
      className={cx("badge-risk", RISK[level], className)}
    >
      <span aria-hidden className={cx("size-1.5 rounded-full", RISK_DOT[level])} />
      {level}
    </span>
  );
}

const STATUS: Record<string, string> = {
  pending:
    "bg-sky-50 text-sky-800 ring-sky-600/25 dark:bg-sky-400/10 dark:text-sky-300 dark:ring-sky-400/30",
  escalated:
    "bg-violet-50 text-violet-800 ring-violet-600/25 dark:bg-violet-400/10 dark:text-violet-300 dark:ring-violet-400/30",
  quarantined:
    "bg-fuchsia-50 text-fuchsia-800 ring-fuchsia-600/25 dark:bg-fuchsia-400/10 dark:text-fuchsia-300 dark:ring-fuchsia-400/30",
  approved:
    "bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30",
  rejected:
    "bg-red-50 text-red-800 ring-red-600/25 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/30",
  expired:
    "bg-slate-100 text-slate-700 ring-slate-500/25 dark:bg-slate-400/10 dark:text-slate-300 dark:ring-slate-400/30",
  cancelled:
    "bg-slate-100 text-slate-700 ring-slate-500/25 dark:bg-slate-400/10 dark:text-slate-300 dark:ring-slate-400/30",
};

export function StatusBadge({ status, className }: { status: string; className?: string }) {
  return (
    <span
      data-testid="status-badge"
      data-status={status}
      className={cx(
        "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        STATUS[status] ?? STATUS.expired,
        className,
      )}
    >
      {status}
    </span>
  );
}

/** A quiet label: roles, environments, counts. */
export function Tag({ children, className }: { children: ReactNode; className?: string }) {
  return <span className={cx("tag", className)}>{children}</span>;
}
