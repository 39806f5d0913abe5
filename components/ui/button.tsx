import type { ButtonHTMLAttributes } from "react";
import { cx } from "./cx";

export type ButtonVariant = "primary" | "secondary" | "danger" | "reject" | "ghost" | "approve";
export type ButtonSize = "sm" | "md";

// The classes themselves are in app/globals.css (.btn and its variants): a button is on every
// queue row, and its utilities written out were most of the row's HTML.
const VARIANTS: Record<ButtonVariant, string> = {
  primary: "btn-primary",
  approve: "btn-approve",
  danger: "btn-danger",
  reject: "btn-reject",
  secondary: "btn-secondary",
  ghost: "btn-ghost",
};

const SIZES: Record<ButtonSize, string> = { sm: "btn-sm", md: "btn-md" };

/** The classes of a button, for links that look like one. */
export function buttonClass(variant: ButtonVariant = "secondary", size: ButtonSize = "md"): string {
  return cx("btn", VARIANTS[variant], SIZES[size]);
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
