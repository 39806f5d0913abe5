"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { approveRequestAndGrant } from "@/app/(dashboard)/grant-actions";
import type { RequestDetailDto } from "@/lib/contract/api";
import type { GrantDto, GrantOfferDto } from "@/lib/contract/grants";
import { createGrantSchema } from "@/lib/contract/grants";
import { failureText, unwrap } from "../action-result";
import { queryKeys } from "../query-keys";
import { Alert } from "../ui/alert";
import { RiskBadge } from "../ui/badge";
import { Button } from "../ui/button";
import { useAnnounce } from "../ui/clock";
import { Dialog } from "../ui/dialog";
import { VisibleText } from "../ui/visible-text";
import { ExpiresPreview, GrantTermsFields, Scope, useTerms } from "./grant-fields";
import { checkFields, emptyTerms, type FieldErrors, serverFieldErrors, termsInput } from "./terms";

type Offer = Extract<GrantOfferDto, { offered: true }>;

function Covers({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd className="mt-0.5 break-all">{children}</dd>
    </div>
  );
}

export interface ApprovedAndGranted {
  request: { status: string; approvals: { have: number; need: number } };
  grant: GrantDto;
}

/**
 * "Approve this and the next N like it for T": the terms, what exactly they cover, and one
 * submit that approves the request and grants the standing approval together (or neither).
 */
export function ApproveAndGrantDialog({
  open,
  request,
  offer,
  seenHash,
  onClose,
  onDone,
}: {
  open: boolean;
  request: RequestDetailDto;
  offer: Offer;
  seenHash: string;
  onClose: () => void;
  onDone: (result: ApprovedAndGranted) => void;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Approve this and the next ones like it"
      description="Approves this request now, and lets the agent's next matching requests pass on arrival, as many times and for as long as you say. Both happen together, or neither does."
      testId="grant-dialog"
      wide
    >
      {open && (
        <GrantForm
          key={request.id}
          request={request}
          offer={offer}
          seenHash={seenHash}
          onClose={onClose}
          onDone={onDone}
        />
      )}
    </Dialog>
  );
}

function GrantForm({
  request: r,
  offer,
  seenHash,
  onClose,
  onDone,
}: {
  request: RequestDetailDto;
  offer: Offer;
  seenHash: string;
  onClose: () => void;
  onDone: (result: ApprovedAndGranted) => void;
}) {
  const client = useQueryClient();
  const announce = useAnnounce();
  // By default it covers what was approved: this request's sub-agent label and its level.
  const [sameLabel, setSameLabel] = useState(true);
  const [wider, setWider] = useState(false);
  const labelId = useId();
  const widerId = useId();
  const canWiden = offer.max_grantable_level !== offer.max_level;
  const maxLevel = wider && canWiden ? offer.max_grantable_level : offer.max_level;
  const mutation = useMutation({
    mutationFn: () =>
      unwrap(
        approveRequestAndGrant({
          id: r.id,
          ...termsInput(terms),
          same_agent_name: sameLabel,
          max_level: maxLevel,
          seen_hash: seenHash,
        }),
      ),
    onSettled: () => {
      for (const queryKey of [
        queryKeys.queue.all,
        queryKeys.recent.all,
        queryKeys.request(r.id),
        queryKeys.standing.all,
        queryKeys.workflow.all,
        queryKeys.grants,
        queryKeys.grantOffer.of(r.id),
      ]) {
        void client.invalidateQueries({ queryKey });
      }
    },
  });
  const { terms, set, checked, setChecked } = useTerms(
    () =>
      emptyTerms({
        type_pattern: offer.type_pattern,
        environment: offer.environment ?? "",
      }),
    () => mutation.error && mutation.reset(),
  );
  const errors: FieldErrors = { ...serverFieldErrors(mutation.error), ...checked };
  const fieldless = mutation.error && Object.keys(serverFieldErrors(mutation.error)).length === 0;
  const left = r.approvals.need - r.approvals.have;
  const uses = Number(terms.max_uses);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const found = checkFields(createGrantSchema, { agent: offer.agent, ...termsInput(terms) });
    setChecked(found);
    if (Object.keys(found).length > 0) return;
    mutation.reset();
    mutation.mutate(undefined, {
      onSuccess: (result) => {
        announce(`Approved; the next ${result.grant.max_uses} like it will pass on arrival`);
        onDone(result);
        onClose();
      },
    });
  }

  return (
    <form onSubmit={submit} noValidate className="space-y-4">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        <RiskBadge level={r.risk.level} />
        <span className="min-w-0 font-mono break-all">
          <VisibleText text={r.action.type} />
        </span>
        <span className="min-w-0 break-words text-slate-600 dark:text-slate-400">
          <VisibleText text={r.action.description} />
        </span>
      </div>
      {left > 1 && (
        <Alert tone="info" testId="grant-quorum-note">
          This request needs {r.approvals.need} approvals from different people: yours counts once,
          and it waits for {left - 1} more. The standing approval does not wait: each of the next
          ones like it is approved on arrival, on your authority alone.
        </Alert>
      )}

      <GrantTermsFields
        terms={terms}
        set={set}
        errors={errors}
        maxUses={offer.max_uses}
        maxMinutes={offer.max_minutes}
        usesLabel="Next"
        usesNote="requests like it"
        reasonNote={
          r.requires_justification
            ? "Recorded with your approval (as its justification) and with the standing approval."
            : "Recorded with your approval and with the standing approval."
        }
      />
      <div className="flex items-start gap-2">
        <input
          id={labelId}
          type="checkbox"
          checked={sameLabel}
          onChange={(e) => setSameLabel(e.target.checked)}
          className="mt-0.5 size-4 rounded border-slate-300 accent-indigo-600"
          data-testid="grant-same-agent-name"
        />
        <label htmlFor={labelId} className="text-sm text-slate-700 dark:text-slate-300">
          Only when the agent acts as{" "}
          <span className="font-mono">
            <VisibleText text={r.agent_name} />
          </span>{" "}
          (the label this request carries)
        </label>
      </div>
      {canWiden && (
        <div className="flex items-start gap-2">
          <input
            id={widerId}
            type="checkbox"
            checked={wider}
            onChange={(e) => setWider(e.target.checked)}
            className="mt-0.5 size-4 rounded border-slate-300 accent-indigo-600"
            data-testid="grant-wider-level"
          />
          <label htmlFor={widerId} className="text-sm text-slate-700 dark:text-slate-300">
            Also requests of a higher risk, up to <RiskBadge level={offer.max_grantable_level} />{" "}
            (this one is <RiskBadge level={offer.max_level} />)
          </label>
        </div>
      )}

      <section
        aria-label="What it covers"
        className="rounded-md bg-slate-50 p-3 text-sm ring-1 ring-slate-200 ring-inset dark:bg-slate-950 dark:ring-slate-800"
        data-testid="grant-covers"
      >
        <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
          It will approve on arrival
        </h3>
        <dl className="mt-2 grid gap-x-6 gap-y-2 sm:grid-cols-2">
          <Covers label="Agent key">
            <span className="font-mono" data-testid="grant-covers-agent">
              {offer.agent}
            </span>
            {sameLabel && (
              <span className="text-slate-500 dark:text-slate-400">
                {" "}
                as <VisibleText text={r.agent_name} />
              </span>
            )}
          </Covers>
          <Covers label="Action type">
            <Scope value={terms.type_pattern.trim() || null} testId="grant-covers-type" />
          </Covers>
          <Covers label="Environment">
            <Scope
              value={terms.environment.trim() || null}
              any="any environment"
              testId="grant-covers-environment"
            />
          </Covers>
          <Covers label="Risk">
            <span className="inline-flex flex-wrap items-center gap-1.5">
              up to <RiskBadge level={maxLevel} />
              <span className="text-slate-500 dark:text-slate-400">
                {maxLevel === offer.max_level ? "this request's level" : "your limit"}; never
                critical
              </span>
            </span>
          </Covers>
          <Covers label="How many">
            <span data-testid="grant-covers-uses">
              {Number.isInteger(uses) && uses > 0
                ? `the next ${uses} request${uses === 1 ? "" : "s"} like it`
                : "—"}
            </span>
          </Covers>
          <Covers label="Expires">
            <ExpiresPreview terms={terms} />
          </Covers>
        </dl>
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
          It stops when it is used up, when it expires, when it is revoked (on the Grants page), or
          as soon as your role may no longer approve that level.
        </p>
      </section>

      {fieldless && (
        <Alert tone="error" testId="grant-error">
          {failureText(mutation.error)}
        </Alert>
      )}
      {!fieldless && mutation.error && (
        <Alert tone="error" testId="grant-error">
          Nothing was approved or granted: fix the fields marked above.
        </Alert>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button onClick={onClose} data-testid="grant-cancel">
          Cancel
        </Button>
        <Button
          type="submit"
          variant="approve"
          disabled={mutation.isPending}
          data-testid="grant-confirm"
        >
          {mutation.isPending ? "Working…" : "Approve and grant"}
        </Button>
      </div>
    </form>
  );
}
