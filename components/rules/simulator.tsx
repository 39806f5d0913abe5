"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useState } from "react";
import { roleWords } from "@/lib/hitl/types";
import { ActionFailure, failureText } from "../action-result";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { Alert, Panel, SectionTitle } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { FieldNote, Input, Label, Textarea } from "../ui/field";

const EXAMPLE = {
  type: "deploy",
  operation: "deploy",
  environment: "production",
  resource_type: "service",
  description: "Deploy the auth service",
  inputs: '{\n  "version": "2.14.0"\n}',
};

type Form = typeof EXAMPLE;

function toAction(f: Form): { action: Record<string, unknown> | null; error: string | null } {
  let inputs: unknown;
  if (f.inputs.trim()) {
    try {
      inputs = JSON.parse(f.inputs);
    } catch {
      return { action: null, error: "Inputs are not valid JSON yet" };
    }
    if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
      return { action: null, error: "Inputs must be a JSON object" };
    }
  }
  const action: Record<string, unknown> = { type: f.type.trim(), description: f.description };
  for (const k of ["operation", "environment", "resource_type"] as const) {
    if (f[k].trim()) action[k] = f[k].trim();
  }
  if (inputs) action.inputs = inputs;
  return { action, error: null };
}

/** Type an action, see how it would be assessed: nothing is stored. */
export function Simulator() {
  const [form, setForm] = useState<Form>(EXAMPLE);
  const [debounced, setDebounced] = useState(form);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(form), 300);
    return () => clearTimeout(t);
  }, [form]);
  const { action, error: localError } = useMemo(() => toAction(debounced), [debounced]);
  const ready = action !== null && String(action.type ?? "") !== "";
  const result = useQuery({
    queryKey: queryKeys.assessment(action),
    queryFn: ({ signal }) => read("assessment", { action }, signal),
    enabled: ready,
    placeholderData: (prev) => prev,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const ids = {
    type: useId(),
    operation: useId(),
    environment: useId(),
    resource_type: useId(),
    description: useId(),
    inputs: useId(),
  };
  const set = (k: keyof Form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));
  const a = result.data;
  const fieldErrors =
    result.error instanceof ActionFailure && Array.isArray(result.error.details)
      ? (result.error.details as { path: string; message: string }[])
      : [];
  return (
    <Panel className="p-4 sm:p-5" aria-labelledby="sim-title" data-testid="simulator">
      <SectionTitle id="sim-title">Try an action</SectionTitle>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Describe an action as an agent would; the assessment updates as you type. Nothing is
        submitted.
      </p>
      <div className="mt-4 grid gap-6 md:grid-cols-2">
        <form className="grid grid-cols-2 gap-3" onSubmit={(e) => e.preventDefault()}>
          <div className="col-span-2">
            <Label htmlFor={ids.type}>Type</Label>
            <Input
              id={ids.type}
              value={form.type}
              onChange={set("type")}
              data-testid="sim-type"
              className="font-mono"
            />
          </div>
          <div>
            <Label htmlFor={ids.operation}>Operation</Label>
            <Input
              id={ids.operation}
              value={form.operation}
              onChange={set("operation")}
              data-testid="sim-operation"
            />
          </div>
          <div>
            <Label htmlFor={ids.environment}>Environment</Label>
            <Input
              id={ids.environment}
              value={form.environment}
              onChange={set("environment")}
              data-testid="sim-environment"
            />
          </div>
          <div className="col-span-2">
            <Label htmlFor={ids.resource_type}>Resource type</Label>
            <Input
              id={ids.resource_type}
              value={form.resource_type}
              onChange={set("resource_type")}
              data-testid="sim-resource-type"
            />
          </div>
          <div className="col-span-2">
            <Label htmlFor={ids.description}>Description</Label>
            <Input
              id={ids.description}
              value={form.description}
              onChange={set("description")}
              data-testid="sim-description"
            />
          </div>
          <div className="col-span-2">
            <Label htmlFor={ids.inputs} hint="JSON object">
              Inputs
            </Label>
            <Textarea
              id={ids.inputs}
              rows={5}
              value={form.inputs}
              onChange={set("inputs")}
              spellCheck={false}
              className="font-mono text-[13px]"
              data-testid="sim-inputs"
              aria-invalid={localError ? true : undefined}
            />
            {localError && <FieldNote error>{localError}</FieldNote>}
          </div>
        </form>
        <div aria-live="polite" aria-busy={result.isFetching} data-testid="sim-result">
          {!ready && !localError && (
            <p className="text-sm text-slate-500">Give the action a type to assess it.</p>
          )}
          {result.error && (
            <Alert tone="error">
              {fieldErrors.length > 0
                ? fieldErrors
                    .map((f) => `${f.path.replace(/^action\./, "")}: ${f.message}`)
                    .join("; ")
                : failureText(result.error)}
            </Alert>
          )}
          {a && ready && !result.error && (
            <div className={result.isFetching ? "opacity-70" : undefined}>
              <div className="flex flex-wrap items-center gap-3">
                <RiskBadge level={a.level} className="text-sm" />
                <span className="font-mono text-sm tabular-nums" data-testid="sim-score">
                  score {a.score.toFixed(2)}
                </span>
              </div>
              <p
                className="mt-3 text-sm text-slate-800 dark:text-slate-200"
                data-testid="sim-outcome"
              >
                {a.requires_approval
                  ? `Waits for ${a.required_approvals === 1 ? "one approval" : `${a.required_approvals} approvals from different people`} from ${roleWords(a.required_role)} or above, for up to ${a.timeout_minutes} minutes${a.requires_justification ? "; a justification is required" : ""}.`
                  : "Approved on arrival: no person needs to look at it."}
              </p>
              <h3 className="mt-4 text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
                Reasons
              </h3>
              {a.reasons.length ? (
                <ul className="mt-1 list-disc space-y-0.5 pl-5 text-sm">
                  {a.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              ) : (
                <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
                  No rule matched: the default level applies.
                </p>
              )}
              <h3 className="mt-4 text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
                Rules that fired
              </h3>
              <p className="mt-1 flex flex-wrap gap-1.5" data-testid="sim-rules">
                {a.matched_rules.length ? (
                  a.matched_rules.map((id) => (
                    <a
                      key={id}
                      href={`#rule-${id}`}
                      className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs hover:underline dark:bg-slate-800"
                    >
                      {id}
                    </a>
                  ))
                ) : (
                  <span className="text-sm text-slate-600 dark:text-slate-400">none</span>
                )}
              </p>
            </div>
          )}
        </div>
      </div>
    </Panel>
  );
}
