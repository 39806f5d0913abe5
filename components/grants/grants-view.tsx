"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { revokeGrant } from "@/app/(dashboard)/grant-actions";
import type { GrantDto } from "@/lib/contract/grants";
import { roleWords } from "@/lib/hitl/types";
import { failureText, unwrap } from "../action-result";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { RevokeDialog } from "../revoke-dialog";
import { Alert, EmptyState } from "../ui/alert";
import { Button } from "../ui/button";
import { DateTime, useNow } from "../ui/clock";
import { useViewer } from "../viewer";
import { GrantSection } from "./grant-list";
import { NewGrantForm } from "./new-grant-form";
import { grantableMax, grantState } from "./terms";

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
