"use client";
import { type ReactNode, useId, useState } from "react";
import { Tag } from "../ui/badge";
import { DateTime, formatRemaining, useNow } from "../ui/clock";
import { cx } from "../ui/cx";
import { FieldNote, Input, Label, Textarea } from "../ui/field";
import { DURATIONS, type FieldErrors, type GrantTerms, minutesOf, withoutEdited } from "./terms";

/**
 * The terms being filled in, and the page's own verdict on them (set on submit); editing a
 * field clears its error, and `onEdit` lets the form drop the server's last answer too.
 */
export function useTerms(initial: () => GrantTerms, onEdit: () => void) {
  const [terms, setTerms] = useState(initial);
  const [checked, setChecked] = useState<FieldErrors>({});
  const set = (patch: Partial<GrantTerms>) => {
    setTerms((t) => ({ ...t, ...patch }));
    setChecked((c) => withoutEdited(c, patch));
    onEdit();
  };
  return { terms, set, checked, setChecked };
}

/** One labelled field with its note, which turns into the field's error when there is one. */
export function Field({
  label,
  hint,
  note,
  error,
  children,
}: {
  label: string;
  hint?: string;
  note?: ReactNode;
  error?: string;
  children: (ids: { id: string; describedBy: string; invalid: true | undefined }) => ReactNode;
}) {
  const id = useId();
  const noteId = useId();
  return (
    <div>
      <Label htmlFor={id} hint={hint}>
        {label}
      </Label>
      {children({ id, describedBy: noteId, invalid: error ? true : undefined })}
      {(error || note) && (
        <FieldNote id={noteId} error={Boolean(error)}>
          {error ?? note}
        </FieldNote>
      )}
    </div>
  );
}

/** 15 min · 1 hour · 4 hours · 1 day · custom minutes. */
function DurationField({
  terms,
  set,
  error,
  maxMinutes,
}: {
  terms: GrantTerms;
  set: (patch: Partial<GrantTerms>) => void;
  error?: string;
  maxMinutes: number;
}) {
  const name = useId();
  const customId = useId();
  const noteId = useId();
  const choices = [
    ...DURATIONS.map((d) => ({ value: String(d.minutes), label: d.label })),
    {
      value: "custom",
      label: "Custom",
    },
  ];
  return (
    <fieldset aria-describedby={noteId}>
      <legend className="mb-1 block text-sm font-medium text-slate-800 dark:text-slate-200">
        For
      </legend>
      <div className="flex flex-wrap gap-1.5" data-testid="grant-duration">
        {choices.map((c) => (
          <label
            key={c.value}
            className={cx(
              "inline-flex h-8 cursor-pointer items-center rounded-md px-2.5 text-sm font-medium ring-1 ring-inset has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-indigo-500",
              terms.duration === c.value
                ? "bg-indigo-50 text-indigo-800 ring-indigo-500 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-400"
                : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-600 dark:hover:bg-slate-800",
            )}
          >
            <input
              type="radio"
              name={name}
              value={c.value}
              checked={terms.duration === c.value}
              onChange={() => set({ duration: c.value })}
              className="sr-only"
              data-testid={`grant-duration-${c.value}`}
            />
            {c.label}
          </label>
        ))}
      </div>
      {terms.duration === "custom" && (
        <div className="mt-2 flex items-center gap-2">
          <Input
            id={customId}
            type="number"
            inputMode="numeric"
            min={1}
            max={maxMinutes}
            className="w-28"
            value={terms.custom_minutes}
            onChange={(e) => set({ custom_minutes: e.target.value })}
            aria-invalid={error ? true : undefined}
            aria-describedby={noteId}
            data-testid="grant-custom-minutes"
          />
          <label htmlFor={customId} className="text-sm text-slate-700 dark:text-slate-300">
            minutes
          </label>
        </div>
      )}
      <FieldNote id={noteId} error={Boolean(error)}>
        {error ?? `At most a week (${maxMinutes.toLocaleString("en")} minutes).`}
      </FieldNote>
    </fieldset>
  );
}

/** The terms both forms ask for: how many, how long, which actions, and why. */
export function GrantTermsFields({
  terms,
  set,
  errors,
  maxUses,
  maxMinutes,
  usesLabel = "Uses",
  usesNote,
  reasonNote = "Recorded in the audit log with the standing approval.",
  leading,
}: {
  terms: GrantTerms;
  set: (patch: Partial<GrantTerms>) => void;
  errors: FieldErrors;
  maxUses: number;
  maxMinutes: number;
  usesLabel?: string;
  usesNote?: string;
  reasonNote?: string;
  /** A field to lead the first row with (the agent, on the Grants page). */
  leading?: ReactNode;
}) {
  return (
    <>
      <div className={cx("grid gap-4 sm:grid-cols-2", leading ? "lg:grid-cols-3" : undefined)}>
        {leading && <div className="sm:col-span-2 lg:col-span-1">{leading}</div>}
        <Field
          label="Action type"
          note={
            <>
              <code>*</code> matches any run of characters, <code>?</code> one; any case.
            </>
          }
          error={errors.type_pattern}
        >
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              value={terms.type_pattern}
              onChange={(e) => set({ type_pattern: e.target.value })}
              placeholder="e.g. deploy or DOCUMENT.GENERATE_*"
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              aria-describedby={describedBy}
              aria-invalid={invalid}
              data-testid="grant-type-pattern"
            />
          )}
        </Field>
        <Field
          label="Environment"
          hint="optional"
          note="Empty: any environment."
          error={errors.environment}
        >
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              value={terms.environment}
              onChange={(e) => set({ environment: e.target.value })}
              placeholder="any"
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              data-testid="grant-environment"
            />
          )}
        </Field>
      </div>
      <div className="grid gap-4 sm:grid-cols-[8rem_minmax(0,1fr)]">
        <Field
          label={usesLabel}
          note={usesNote ?? `1 to ${maxUses.toLocaleString("en")}.`}
          error={errors.max_uses}
        >
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              type="number"
              inputMode="numeric"
              min={1}
              max={maxUses}
              value={terms.max_uses}
              onChange={(e) => set({ max_uses: e.target.value })}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              data-testid="grant-max-uses"
            />
          )}
        </Field>
        <DurationField
          terms={terms}
          set={set}
          error={errors.expires_in_minutes}
          maxMinutes={maxMinutes}
        />
      </div>
      <Field label="Reason" hint="required" note={reasonNote} error={errors.reason}>
        {({ id, describedBy, invalid }) => (
          <Textarea
            id={id}
            rows={2}
            maxLength={2000}
            value={terms.reason}
            onChange={(e) => set({ reason: e.target.value })}
            placeholder="Why these may run without asking, e.g. release day for the auth service"
            aria-describedby={describedBy}
            aria-invalid={invalid}
            aria-required
            data-testid="grant-reason"
          />
        )}
      </Field>
    </>
  );
}

/** "expires 14:05:10 (in 1h 00m)", live, for terms not yet granted. */
export function ExpiresPreview({ terms }: { terms: GrantTerms }) {
  const now = useNow();
  const minutes = minutesOf(terms);
  if (!Number.isInteger(minutes) || minutes < 1) return <span>—</span>;
  const at = new Date(now + minutes * 60_000).toISOString();
  return (
    <span data-testid="grant-expires-preview">
      <DateTime iso={at} />{" "}
      <span className="text-slate-500 dark:text-slate-400">
        (in {formatRemaining(minutes * 60_000)})
      </span>
    </span>
  );
}

/** "3 of 10" with a bar. */
export function UsageBar({ uses, max, ended }: { uses: number; max: number; ended?: boolean }) {
  const share = max > 0 ? Math.min(1, uses / max) : 0;
  return (
    <span className="inline-flex min-w-0 items-center gap-2" data-testid="grant-usage">
      <span
        aria-hidden
        className="h-1.5 w-20 shrink-0 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        <span
          className={cx(
            "block h-full rounded-full",
            ended
              ? "bg-slate-400 dark:bg-slate-500"
              : share >= 1
                ? "bg-amber-500"
                : "bg-indigo-500 dark:bg-indigo-400",
          )}
          style={{ width: `${Math.round(share * 100)}%` }}
        />
      </span>
      <span className="text-xs whitespace-nowrap text-slate-700 tabular-nums dark:text-slate-300">
        <span data-testid="grant-usage-text">
          {uses} of {max}
        </span>{" "}
        used
      </span>
    </span>
  );
}

/** A scope's value, or a quiet "any" when it is unset. */
export function Scope({
  value,
  any = "any",
  testId,
}: {
  value: string | null;
  any?: string;
  testId?: string;
}) {
  return value === null ? (
    <span className="text-xs text-slate-500 dark:text-slate-400" data-testid={testId}>
      {any}
    </span>
  ) : (
    <Tag className="font-mono">
      <span data-testid={testId}>{value}</span>
    </Tag>
  );
}
