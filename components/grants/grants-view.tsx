"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { createGrant, revokeGrant } from "@/app/(dashboard)/grant-actions";
import { createGrantSchema, type GrantDto } from "@/lib/contract/grants";
import { GRANT_LIMITS, roleWords } from "@/lib/hitl/types";
import { failureText, unwrap } from "../action-result";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { RevokeDialog } from "../revoke-dialog";
import { Alert, EmptyState, Panel, SectionTitle } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { Age, Countdown, DateTime, useNow } from "../ui/clock";
import { cx } from "../ui/cx";
import { Input, Select } from "../ui/field";
import { VisibleText } from "../ui/visible-text";
import { personName, useViewer } from "../viewer";
import { ExpiresPreview, Field, GrantTermsFields, Scope, UsageBar, useTerms } from "./grant-fields";
import {
  checkFields,
  emptyTerms,
  endedAt,
  type FieldErrors,
  type GrantState,
  grantableMax,
  grantState,
  mayRevoke,
  serverFieldErrors,
  termsInput,
} from "./terms";

const { maxUses: MAX_USES, maxMinutes: MAX_MINUTES } = GRANT_LIMITS;

const STATE_BADGE: Record<GrantState, { label: string; className: string }> = {
  active: {
    label: "active",
    className:
      "bg-emerald-50 text-emerald-800 ring-emerald-600/25 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30",
  },
  used_up: {
    label: "used up",
    className:
      "bg-amber-50 text-amber-900 ring-amber-600/30 dark:bg-amber-400/10 dark:text-amber-200 dark:ring-amber-400/30",
  },
  expired: {
    label: "expired",
    className:
      "bg-slate-100 text-slate-700 ring-slate-500/25 dark:bg-slate-400/10 dark:text-slate-300 dark:ring-slate-400/30",
  },
  revoked: {
    label: "revoked",
    className:
      "bg-red-50 text-red-800 ring-red-600/25 dark:bg-red-400/10 dark:text-red-300 dark:ring-red-400/30",
  },
};

function StateBadge({ state }: { state: GrantState }) {
  const badge = STATE_BADGE[state];
  return (
    <span
      data-testid="grant-state"
      className={cx(
        "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        badge.className,
      )}
    >
      {badge.label}
    </span>
  );
}

export function GrantsView({
  initial,
  agents,
}: {
  initial: GrantDto[];
  /** Active agent keys' names for the form; null when this reader may not grant. */
  agents: string[] | null;
}) {
  const viewer = useViewer();
  const client = useQueryClient();
  const now = useNow();
  const grants = useQuery({
    queryKey: queryKeys.grants,
    queryFn: ({ signal }) => read("grants", {}, signal),
    initialData: initial,
    refetchInterval: POLL_MS,
  });
  const maxLevel = grantableMax(viewer);
  const mayGrant = agents !== null && maxLevel !== null;
  const list = grants.data ?? [];
  const withState = list.map((g) => ({ g, state: grantState(g, now) }));
  const active = withState.filter((x) => x.state === "active");
  const ended = withState.filter((x) => x.state !== "active");
  const [formOpen, setFormOpen] = useState(list.length === 0);
  const [created, setCreated] = useState<GrantDto | null>(null);

  const [revoking, setRevoking] = useState<GrantDto | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(revokeGrant({ id })),
    onSuccess: () => setRevoking(null),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.grants }),
  });

  return (
    <div>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight">Standing approvals</h1>
          <p className="mt-0.5 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
            A standing approval lets one agent&apos;s matching actions pass on arrival, a set number
            of times until it expires — within the rights of the person who gave it, and never for
            critical actions. Give one here, or from a request with “Approve this and the next ones
            like it”.
          </p>
        </div>
        {mayGrant && !formOpen && (
          <Button variant="primary" onClick={() => setFormOpen(true)} data-testid="grant-new">
            New standing approval
          </Button>
        )}
      </div>

      {created && (
        <Alert tone="success" className="mt-4" testId="grant-created">
          Granted: {created.agent} may run <span className="font-mono">{created.type_pattern}</span>
          {created.environment ? ` in ${created.environment}` : ""}, {created.max_uses} time
          {created.max_uses === 1 ? "" : "s"}, until <DateTime iso={created.expires_at} />.
        </Alert>
      )}

      {mayGrant && formOpen && (
        <NewGrantForm
          agents={agents}
          maxLevel={maxLevel}
          onCancel={() => setFormOpen(false)}
          onCreated={(g) => {
            setCreated(g);
            setFormOpen(false);
          }}
        />
      )}
      {!mayGrant && (
        <p
          className="mt-4 text-sm text-slate-600 dark:text-slate-400"
          data-testid="grants-read-only"
        >
          {viewer.user.role === "viewer"
            ? "Your role reads standing approvals; it grants and revokes none."
            : `As a ${roleWords(viewer.user.role)} you may not grant standing approvals; tech leads and devops engineers may.`}
        </p>
      )}

      {grants.error && (
        <Alert tone="error" className="mt-4">
          Could not refresh the list: {failureText(grants.error)}
        </Alert>
      )}

      {list.length === 0 ? (
        <div className="mt-6">
          <EmptyState title="No standing approvals yet" testId="grants-empty">
            When an agent keeps asking for the same thing — the same deploy to staging, the same
            report — a reviewer can approve the next few ahead of time instead of one by one: “this
            agent may run <span className="font-mono">deploy</span> in{" "}
            <span className="font-mono">staging</span> up to 20 times in the next 2 hours”. Each use
            is counted and audited, and a standing approval can be revoked at any time.
            {mayGrant ? " Create one above, or from a request’s decision panel." : ""}
          </EmptyState>
        </div>
      ) : (
        <>
          <GrantSection
            id="grants-active"
            title="In force"
            empty="None in force now."
            items={active}
            onRevoke={setRevoking}
          />
          <GrantSection
            id="grants-ended"
            title="Ended"
            empty="None has ended yet."
            items={ended}
            onRevoke={setRevoking}
          />
        </>
      )}

      <RevokeDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title="Revoke this standing approval?"
        description={
          revoking ? (
            <>
              {revoking.agent}&apos;s next{" "}
              <span className="font-mono">{revoking.type_pattern}</span> requests
              {revoking.environment ? ` in ${revoking.environment}` : ""} will wait for a person
              again, from now on. What it already approved stays approved.
            </>
          ) : null
        }
        revoke={revoke}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        testId="grant-revoke-dialog"
        confirmTestId="grant-revoke-confirm"
      />
    </div>
  );
}

function GrantSection({
  id,
  title,
  empty,
  items,
  onRevoke,
}: {
  id: string;
  title: string;
  empty: string;
  items: { g: GrantDto; state: GrantState }[];
  onRevoke: (g: GrantDto) => void;
}) {
  return (
    <section aria-labelledby={id} className="mt-8" data-testid={id}>
      <h2 id={id} className="text-base font-semibold">
        {title}{" "}
        <span className="font-normal text-slate-500 dark:text-slate-400">({items.length})</span>
      </h2>
      <Panel className="mt-3 overflow-hidden">
        {items.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500 dark:text-slate-400">{empty}</p>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800">
            {items.map(({ g, state }) => (
              <GrantRow key={g.id} g={g} state={state} onRevoke={onRevoke} />
            ))}
          </ul>
        )}
      </Panel>
    </section>
  );
}

function GrantRow({
  g,
  state,
  onRevoke,
}: {
  g: GrantDto;
  state: GrantState;
  onRevoke: (g: GrantDto) => void;
}) {
  const viewer = useViewer();
  const live = state === "active";
  const end = endedAt(g, state);
  return (
    <li
      data-testid="grant-row"
      data-id={g.id}
      data-state={state}
      className={cx(
        "flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-start sm:gap-4",
        !live && "bg-slate-50 dark:bg-slate-950/40",
      )}
    >
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <StateBadge state={state} />
          <span className="font-medium break-all" data-testid="grant-agent">
            {g.agent}
          </span>
          {g.agent_name && (
            <span className="text-xs text-slate-500 dark:text-slate-400">
              as <VisibleText text={g.agent_name} />
            </span>
          )}
          <span aria-hidden className="text-slate-400">
            ·
          </span>
          <span className="font-mono text-sm break-all" data-testid="grant-type">
            {g.type_pattern}
          </span>
          <span className="text-xs text-slate-500 dark:text-slate-400">in</span>
          <Scope value={g.environment} any="any environment" />
          <span className="inline-flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
            up to <RiskBadge level={g.max_level} />
          </span>
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-x-5 gap-y-1.5">
          <UsageBar uses={g.uses} max={g.max_uses} ended={!live} />
          <span className="text-xs text-slate-600 dark:text-slate-400">
            {live ? (
              <span className="inline-flex items-center gap-1">
                <span>left</span>
                <Countdown
                  expiresAt={g.expires_at}
                  startedAt={g.created_at}
                  label={`${g.agent} ${g.type_pattern} standing approval`}
                />
              </span>
            ) : end ? (
              <>
                {state === "revoked" ? "revoked" : "expired"} <DateTime iso={end} />
                {state === "revoked" && g.revoked_by && <> by {personName(viewer, g.revoked_by)}</>}
              </>
            ) : (
              <>
                would have run until <DateTime iso={g.expires_at} />
              </>
            )}
          </span>
        </div>
        <p className="mt-1.5 text-xs text-slate-500 dark:text-slate-400">
          by{" "}
          <span className="text-slate-700 dark:text-slate-300" data-testid="grant-grantor">
            {personName(viewer, g.grantor_id)}
          </span>{" "}
          ({roleWords(g.grantor_role)}) · created <Age iso={g.created_at} />
        </p>
        <p className="mt-1 text-sm break-words text-slate-700 dark:text-slate-300">“{g.reason}”</p>
      </div>
      {live && mayRevoke(viewer, g) && (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => onRevoke(g)}
          data-testid="grant-revoke"
          className="self-start"
        >
          Revoke
        </Button>
      )}
    </li>
  );
}

function NewGrantForm({
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
