"use client";
// The grants page's form for a new standing approval: which agent, and the terms (what, where,
// how many times, for how long, why), checked here and again on the server.

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { createGrant } from "@/app/(dashboard)/grant-actions";
import { createGrantSchema, type GrantDto } from "@/lib/contract/grants";
import { GRANT_LIMITS } from "@/lib/hitl/types";
import { failureText, unwrap } from "../action-result";
import { queryKeys } from "../query-keys";
import { Alert, Panel, SectionTitle } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { Input, Select } from "../ui/field";
import { ExpiresPreview, Field, GrantTermsFields, useTerms } from "./grant-fields";
import {
  checkFields,
  emptyTerms,
  type FieldErrors,
  type grantableMax,
  serverFieldErrors,
  termsInput,
} from "./terms";

const { maxUses: MAX_USES, maxMinutes: MAX_MINUTES } = GRANT_LIMITS;

export function NewGrantForm({
  agents,
  maxLevel,
  onCancel,
  onCreated,
}: {
  agents: string[];
  maxLevel: NonNullable<ReturnType<typeof grantableMax>>;
  onCancel: () => void;
  onCreated: (g: GrantDto) => void;
}) {
  const client = useQueryClient();
  const [agent, setAgent] = useState(agents.length === 1 ? (agents[0] ?? "") : "");
  const create = useMutation({
    mutationFn: (input: Parameters<typeof createGrant>[0]) => unwrap(createGrant(input)),
    onSuccess: (g) => onCreated(g),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.grants }),
  });
  const { terms, set, checked, setChecked } = useTerms(
    () => emptyTerms(),
    () => create.error && create.reset(),
  );
  const serverErrors = serverFieldErrors(create.error);
  const errors: FieldErrors = { ...serverErrors, ...checked };
  const fieldless = create.error && Object.keys(serverErrors).length === 0;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const input = { agent, ...termsInput(terms) };
    const found = checkFields(createGrantSchema, input);
    setChecked(found);
    if (Object.keys(found).length > 0) return;
    create.reset();
    create.mutate(input);
  }

  return (
    <Panel className="mt-6 p-4 sm:p-5" aria-labelledby="new-grant-title" data-testid="grant-form">
      <SectionTitle id="new-grant-title">New standing approval</SectionTitle>
      <form onSubmit={submit} noValidate className="mt-3 space-y-4">
        <GrantTermsFields
          terms={terms}
          set={set}
          errors={errors}
          maxUses={MAX_USES}
          maxMinutes={MAX_MINUTES}
          leading={
            <Field
              label="Agent"
              note="Its API key; a key made later under the same name inherits nothing."
              error={
                errors.agent && agents.length > 0 && agent === "" ? "choose an agent" : errors.agent
              }
            >
              {({ id, describedBy, invalid }) =>
                agents.length > 0 ? (
                  <Select
                    id={id}
                    value={agent}
                    onChange={(e) => {
                      setAgent(e.target.value);
                      setChecked(({ agent: _, ...rest }) => rest);
                    }}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    data-testid="grant-agent-select"
                  >
                    <option value="">Choose an agent…</option>
                    {agents.map((a) => (
                      <option key={a} value={a}>
                        {a}
                      </option>
                    ))}
                  </Select>
                ) : (
                  <Input
                    id={id}
                    value={agent}
                    onChange={(e) => {
                      setAgent(e.target.value);
                      setChecked(({ agent: _, ...rest }) => rest);
                    }}
                    placeholder="the name its key was created with"
                    autoComplete="off"
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    data-testid="grant-agent-input"
                  />
                )
              }
            </Field>
          }
        />
        <p className="flex flex-wrap items-center gap-1.5 text-sm text-slate-600 dark:text-slate-400">
          Covers requests up to <RiskBadge level={maxLevel} /> (your own limit; never critical) ·
          expires <ExpiresPreview terms={terms} />
        </p>
        {fieldless && (
          <Alert tone="error" testId="grant-form-error">
            {failureText(create.error)}
          </Alert>
        )}
        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button onClick={onCancel} data-testid="grant-form-cancel">
            Cancel
          </Button>
          <Button
            type="submit"
            variant="primary"
            disabled={create.isPending}
            data-testid="grant-create"
          >
            {create.isPending ? "Granting…" : "Grant"}
          </Button>
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          To approve one request and the next ones like it, open it from the{" "}
          <Link href="/queue" className="underline underline-offset-2">
            queue
          </Link>
          .
        </p>
      </form>
    </Panel>
  );
}
