import type {
  InputHTMLAttributes,
  ReactNode,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from "react";
import { cx } from "./cx";

const control =
  "block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none focus-visible:outline-none aria-invalid:ring-red-500 disabled:opacity-60 dark:bg-slate-900 dark:text-slate-100 dark:ring-slate-600 dark:placeholder:text-slate-500";

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={cx(control, "h-10", className)} {...props} />;
}

export function Textarea({ className, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement>) {
  return <textarea className={cx(control, className)} {...props} />;
}

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={cx(control, "h-10 pr-8", className)} {...props} />;
}

export function Label({
  htmlFor,
  children,
  hint,
}: {
  htmlFor: string;
  children: ReactNode;
  hint?: ReactNode;
}) {
  return (
    <label
      htmlFor={htmlFor}
      className="mb-1 block text-sm font-medium text-slate-800 dark:text-slate-200"
    >
      {children}
      {hint && (
        <span className="ml-1.5 font-normal text-slate-500 dark:text-slate-400">{hint}</span>
      )}
    </label>
  );
}

export function FieldNote({
  id,
  children,
  error,
}: {
  id?: string;
  children: ReactNode;
  error?: boolean;
}) {
  return (
    <p
      id={id}
      className={cx(
        "mt-1 text-xs",
        error ? "text-red-700 dark:text-red-400" : "text-slate-500 dark:text-slate-400",
      )}
    >
      {children}
    </p>
  );
}
