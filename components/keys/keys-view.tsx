"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { createKey, revokeKey } from "@/app/(dashboard)/actions";
import type { ApiKeyDto, CreatedKeyDto } from "@/lib/contract/accounts";
import { ActionFailure, failureText, unwrap } from "../action-result";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { RevokeDialog } from "../revoke-dialog";
import { Alert, EmptyState, Panel, SectionTitle } from "../ui/alert";
import { Tag } from "../ui/badge";
import { Button } from "../ui/button";
import { Age, DateTime } from "../ui/clock";
import { CopyButton } from "../ui/copy-button";
import { cx } from "../ui/cx";
import { FieldNote, Input, Label } from "../ui/field";
import { personName, useViewer } from "../viewer";

function Secret({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <p className="text-xs font-medium text-slate-600 dark:text-slate-400">{label}</p>
      <div className="mt-1 flex items-center gap-2">
        <code
          data-testid={testId}
          className="min-w-0 flex-1 rounded-md bg-white px-3 py-2 font-mono text-sm break-all ring-1 ring-slate-300 ring-inset select-all dark:bg-slate-950 dark:ring-slate-700"
        >
          {value}
        </code>
        <CopyButton text={value} label="Copy" testId={`${testId}-copy`} />
      </div>
    </div>
  );
}

export function KeysView({ initial }: { initial: ApiKeyDto[] }) {
  const viewer = useViewer();
  const client = useQueryClient();
  const keys = useQuery({
    queryKey: queryKeys.keys,
    queryFn: ({ signal }) => read("keys", {}, signal),
    initialData: initial,
  });
  const [created, setCreated] = useState<CreatedKeyDto | null>(null);
  const [name, setName] = useState("");
  const nameId = useId();
  const nameNote = useId();
  const create = useMutation({
    mutationFn: (input: { agent: string } | { reviewer: true }) => unwrap(createKey(input)),
    onSuccess: (k) => {
      setCreated(k);
      setName("");
    },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.keys }),
  });
  const [revoking, setRevoking] = useState<ApiKeyDto | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(revokeKey({ id })),
    onSuccess: () => setRevoking(null),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.keys }),
  });
  const nameError =
    create.error instanceof ActionFailure && Array.isArray(create.error.details)
      ? (create.error.details as { path: string; message: string }[]).find((d) =>
          d.path.endsWith("agent"),
        )?.message
      : undefined;
  const list = keys.data ?? [];
  const active = list.filter((k) => !k.revoked_at);
  const revoked = list.filter((k) => k.revoked_at);

  return (
    <div>
      <h1 className="text-xl font-semibold tracking-tight">API keys</h1>
      <p className="mt-0.5 max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Agents submit actions with an agent key; a reviewer key lets a person (or their bot) decide
        over the API with their own role. Airlock stores only a hash: a key is shown once, when it
        is made.
      </p>

      {created && (
        <Panel
          className="mt-6 p-4 ring-2 ring-amber-400 sm:p-5 dark:ring-amber-500/70"
          data-testid="created-key"
        >
          <SectionTitle>
            {created.scope === "agent"
              ? `Agent key for ${created.name}`
              : `Reviewer key for ${created.name}`}
          </SectionTitle>
          <Alert tone="warning" className="mt-3">
            Copy it now and keep it somewhere safe: it is shown only this once. If it is lost,
            revoke it and make another.
          </Alert>
          <div className="mt-4 space-y-3">
            <Secret label="API key" value={created.key} testId="created-key-value" />
            {created.webhook_secret && (
              <Secret
                label="Webhook signing secret"
                value={created.webhook_secret}
                testId="created-webhook-secret"
              />
            )}
          </div>
          <div className="mt-4 flex justify-end">
            <Button
              variant="primary"
              onClick={() => setCreated(null)}
              data-testid="created-key-done"
            >
              I have stored it
            </Button>
          </div>
        </Panel>
      )}

      <div className="mt-6 grid gap-4 md:grid-cols-2">
        <Panel className="p-4 sm:p-5" aria-labelledby="new-agent-key">
          <SectionTitle id="new-agent-key">New agent key</SectionTitle>
          <form
            className="mt-3"
            onSubmit={(e) => {
              e.preventDefault();
              if (name.trim()) create.mutate({ agent: name.trim() });
            }}
          >
            <Label htmlFor={nameId}>Agent name</Label>
            <div className="flex gap-2">
              <Input
                id={nameId}
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="e.g. deploy-bot"
                autoComplete="off"
                aria-describedby={nameNote}
                aria-invalid={nameError ? true : undefined}
                data-testid="key-agent-name"
              />
              <Button
                type="submit"
                variant="primary"
                disabled={!name.trim() || create.isPending}
                data-testid="key-create-agent"
              >
                Create
              </Button>
            </div>
            <FieldNote id={nameNote} error={Boolean(nameError)}>
              {nameError ??
                "Letters, digits, '.', '_' or '-'. You own the key: you will not be able to approve what it submits."}
            </FieldNote>
          </form>
        </Panel>
        <Panel className="p-4 sm:p-5" aria-labelledby="new-reviewer-key">
          <SectionTitle id="new-reviewer-key">New reviewer key</SectionTitle>
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
            Acts as you ({viewer.user.email}) with your current role, for scripts and review bots.
          </p>
          <Button
            className="mt-3"
            onClick={() => create.mutate({ reviewer: true })}
            disabled={create.isPending}
            data-testid="key-create-reviewer"
          >
            Create a reviewer key for me
          </Button>
        </Panel>
      </div>
      {create.error && !nameError && (
        <Alert tone="error" className="mt-3">
          {failureText(create.error)}
        </Alert>
      )}

      <section aria-labelledby="keys-title" className="mt-8">
        <h2 id="keys-title" className="text-base font-semibold">
          Keys{" "}
          <span className="font-normal text-slate-500 dark:text-slate-400">
            ({active.length} active)
          </span>
        </h2>
        {keys.error && (
          <Alert tone="error" className="mt-3">
            {failureText(keys.error)}
          </Alert>
        )}
        <Panel className="mt-3 overflow-hidden">
          {list.length === 0 ? (
            <div className="p-4">
              <EmptyState title="No keys yet">
                Create an agent key above and give it to your agent.
              </EmptyState>
            </div>
          ) : (
            <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="keys-list">
              {[...active, ...revoked].map((k) => (
                <li
                  key={k.id}
                  data-testid="key-row"
                  data-id={k.id}
                  className={cx(
                    "flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:gap-4",
                    k.revoked_at && "bg-slate-50 dark:bg-slate-950/40",
                  )}
                >
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2">
                      <span className="truncate font-medium">{k.name}</span>
                      <Tag>{k.scope}</Tag>
                      {k.revoked_at && (
                        <Tag className="bg-red-100 text-red-800 dark:bg-red-400/15 dark:text-red-300">
                          revoked
                        </Tag>
                      )}
                    </p>
                    <p className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-500 dark:text-slate-400">
                      <span className="font-mono">{k.prefix}…</span>
                      <span>
                        created <DateTime iso={k.created_at} />
                      </span>
                      <span>
                        {k.last_used_at ? (
                          <>
                            used <Age iso={k.last_used_at} />
                          </>
                        ) : (
                          "never used"
                        )}
                      </span>
                      {k.user_id && (
                        <span>
                          {k.scope === "agent" ? "owner" : "acts as"}{" "}
                          {personName(viewer, k.user_id)}
                        </span>
                      )}
                    </p>
                  </div>
                  {!k.revoked_at && (
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => setRevoking(k)}
                      data-testid="key-revoke"
                      className="self-start sm:self-auto"
                    >
                      Revoke
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </section>

      <RevokeDialog
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        title={`Revoke the key “${revoking?.name ?? ""}”?`}
        description="Anything using it stops working at once. This cannot be undone."
        revoke={revoke}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        testId="revoke-dialog"
        confirmTestId="revoke-confirm"
      />
    </div>
  );
}
