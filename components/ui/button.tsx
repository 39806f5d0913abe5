import type { ButtonHTMLAttributes } from "react";
import { cx } from "./cx";

export type ButtonVariant = "primary" | "secondary" | "danger" | "reject" | "ghost" | "approve";
export type ButtonSize = "sm" | "md";

const VARIANTS: Record<ButtonVariant, string> = {
  primary:
    "bg-indigo-600 text-white shadow-sm hover:bg-indigo-700 disabled:bg-indigo-600/50 dark:bg-indigo-600 dark:hover:bg-indigo-500 dark:disabled:bg-indigo-600/40",
  approve:
    "bg-emerald-700 text-white shadow-sm hover:bg-emerald-800 disabled:bg-emerald-700/50 dark:bg-emerald-700 dark:hover:bg-emerald-600 dark:disabled:bg-emerald-700/40",
  danger:
    "bg-red-700 text-white shadow-sm hover:bg-red-800 disabled:bg-red-700/50 dark:bg-red-700 dark:hover:bg-red-600 dark:disabled:bg-red-700/40",
  reject:
    "bg-white text-red-700 shadow-sm ring-1 ring-inset ring-red-300 hover:bg-red-50 disabled:text-red-300 dark:bg-slate-800 dark:text-red-300 dark:ring-red-400/40 dark:hover:bg-red-950/40",
  secondary:
    "bg-white text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50 disabled:text-slate-400 dark:bg-slate-800 dark:text-slate-100 dark:ring-slate-600 dark:hover:bg-slate-700 dark:disabled:text-slate-500",
  ghost:
    "text-slate-700 hover:bg-slate-100 disabled:text-slate-400 dark:text-slate-300 dark:hover:bg-slate-800 dark:disabled:text-slate-600",
};

const SIZES: Record<ButtonSize, string> = {
  sm: "h-8 gap-1.5 px-2.5 text-sm",
  md: "h-10 gap-2 px-4 text-sm",
};

/** The classes of a button, for links that look like one. */
export function buttonClass(variant: ButtonVariant = "secondary", size: ButtonSize = "md"): string {
  return cx(
    "inline-flex shrink-0 items-center justify-center rounded-md font-medium whitespace-nowrap disabled:cursor-not-allowed",
    VARIANTS[variant],
    SIZES[size],
  );
}

export function Button({
  variant = "secondary",
  size = "md",
  className,
  type = "button",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type={type} className={cx(buttonClass(variant, size), className)} {...props} />;
}

/** A keyboard hint shown inside or beside a control. */
export function Kbd({ children }: { children: string }) {
  return (
    <kbd className="hidden rounded border border-current/25 px-1 font-mono text-[11px] leading-4 opacity-70 sm:inline">
      {children}
    </kbd>
  );
}
