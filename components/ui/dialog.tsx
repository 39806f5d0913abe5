"use client";
import { type ReactNode, useEffect, useId, useRef } from "react";
import { cx } from "./cx";

/**
 * A modal on the native <dialog>: the browser traps focus, closes on Escape and puts it in the
 * top layer. On a phone it sits at the bottom of the screen, within reach of a thumb.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  testId,
  wide,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the backdrop click mirrors Escape, which <dialog> handles itself
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop lands on the dialog element itself.
        if (e.target === e.currentTarget) onClose();
      }}
      className={cx(
        "m-0 mt-auto w-full max-w-none rounded-t-xl bg-white p-0 text-slate-900 shadow-xl ring-1 ring-slate-200 sm:m-auto sm:rounded-xl dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-700",
        wide ? "sm:max-w-3xl" : "sm:max-w-lg",
      )}
    >
      {open && (
        <div className="max-h-[85dvh] overflow-y-auto p-5 sm:p-6">
          <h2 id={titleId} className="text-base font-semibold">
            {title}
          </h2>
          {description && (
            <div className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</div>
          )}
          <div className="mt-4">{children}</div>
        </div>
      )}
    </dialog>
  );
}
