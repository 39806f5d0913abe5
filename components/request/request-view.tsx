"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import type { RequestDetailDto } from "@/lib/contract/api";
import type { GrantDto, GrantOfferDto } from "@/lib/contract/grants";
import { type PersonDto, personWords, viaWords } from "@/lib/contract/tasks";
import { visibleText } from "@/lib/hitl/text";
import { isOpenStatus, roleWords } from "@/lib/hitl/types";
import { failureText } from "../action-result";
import { ApproveAndGrantDialog } from "../grants/approve-and-grant-dialog";
import { useGrantOffer } from "../grants/use-grant-offer";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { DecisionDialog } from "../queue/decision-dialog";
import { Quorum } from "../queue/quorum";
import { type DecisionKind, useDecide } from "../queue/use-decide";
import { read } from "../reads";
import { Timeline } from "../timeline";
import { Alert, Panel, SectionTitle } from "../ui/alert";
import { RiskBadge, StatusBadge, Tag } from "../ui/badge";
import { Button, buttonClass } from "../ui/button";
import { Age, Countdown, DateTime, useAnnounce } from "../ui/clock";
import { JsonDiff } from "../ui/json-diff";
import { JsonTree } from "../ui/json-tree";
import { VisibleText } from "../ui/visible-text";
import { can, canEscalate, personName, useViewer } from "../viewer";
import { InputsEditor } from "./inputs-editor";
import { type Standing, useStanding } from "./standing";

function Fact({
  label,
  children,
  wrap,
}: {
  label: string;
  children: React.ReactNode;
  wrap?: boolean;
}) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd
        className={`mt-0.5 text-sm text-slate-900 dark:text-slate-100 ${wrap ? "break-all" : "truncate"}`}
      >
        {children}
      </dd>
    </div>
  );
}

/** A person by name and email, and "(you)" for the reader: never an id. */
function PersonWords({ person }: { person: PersonDto }) {
  const viewer = useViewer();
  return (
    <>
      <VisibleText text={personWords(person)} />
      {person.id === viewer.user.id ? " (you)" : null}
    </>
  );
}

/** Where the task's graph is, once its request closed. */
function executionWords(r: RequestDetailDto): string {
  switch (r.execution) {
    case "waiting":
      // Closed, and the agent's graph not yet told: it goes on only if it was approved.
      return r.status === "approved" ? "resuming…" : "telling the agent…";
    case "running":
      return "running";
    case "completed":
      return r.status === "approved" ? "executed" : "not executed";
    case "failed":
      return "failed (hitl outbox list)";
  }
}

export function RequestView({
  initial,
  initialStanding,
  initialOffer,
}: {
  initial: RequestDetailDto;
  initialStanding: Standing | null;
  /** Whether the reader may grant a standing approval from it (and approve with it). */
  initialOffer: GrantOfferDto | null;
}) {
  const viewer = useViewer();
  const client = useQueryClient();
  const announce = useAnnounce();
  const query = useQuery({
    queryKey: queryKeys.request(initial.id),
    queryFn: ({ signal }) => read("request", { id: initial.id }, signal),
    initialData: initial,
    refetchInterval: POLL_MS,
  });
  const r = query.data;
  const open = isOpenStatus(r.status);
  const standing = useStanding(r.id, open, initialStanding);
  const actionable = open && (standing.data?.actionable ?? false);
  const offer = useGrantOffer(r, open, initial.risk.level, initialOffer);

  // What the reviewer has read: an approval carries it, so a change since is refused (409).
  const [seenHash, setSeenHash] = useState(initial.content_hash);
  const changed = r.content_hash !== seenHash;
  // After our own edit-then-approve, the new version is the one this reviewer saw.
  const [adoptNext, setAdoptNext] = useState(false);
  useEffect(() => {
    if (adoptNext && changed) {
      setSeenHash(r.content_hash);
      setAdoptNext(false);
    }
  }, [adoptNext, changed, r.content_hash]);

  const [dialog, setDialog] = useState<DecisionKind | null>(null);
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState<Record<string, unknown> | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [showOriginal, setShowOriginal] = useState(false);
  const [granting, setGranting] = useState(false);
  const [granted, setGranted] = useState<GrantDto | null>(null);
  const claim = useDecide();

  const inputs = (r.edited_inputs ?? r.action_details.inputs ?? {}) as Record<string, unknown>;
  const original = (r.action_details.inputs ?? {}) as Record<string, unknown>;
  const canApproveAsIs = actionable && r.allowed_decisions.includes("approve");
  const grantOffer = r.risk.level !== "critical" && offer.data?.offered ? offer.data : null;
  const grantRefusal = offer.data && !offer.data.offered ? offer.data.reason : null;
  const canEdit = actionable && r.allowed_decisions.includes("edit");
  const escalate = open && canEscalate(viewer, r);
  const quarantine =
    (r.status === "pending" || r.status === "escalated") && can(viewer, "quarantine");
  const release = r.status === "quarantined" && can(viewer, "release");
  const mineClaimed = r.claimed_by === viewer.user.id;
  const claimable =
    open && r.status !== "quarantined" && !r.claimed_by && can(viewer, "claim", r.risk.level);
  const left = Math.max(0, r.approvals.need - r.approvals.have);
  const target = { ...r, requires_justification: r.requires_justification };

  function done(message: string) {
    if (edited) setAdoptNext(true);
    setFlash(message);
    setGranted(null);
    setEdited(null);
    setEditing(false);
  }

  return (
    <div>
      <nav
        aria-label="Breadcrumb"
        className="flex min-w-0 items-center gap-1.5 text-sm text-slate-500 dark:text-slate-400"
      >
        <Link
          href="/queue"
          className="hover:text-slate-900 hover:underline dark:hover:text-slate-100"
        >
          Queue
        </Link>
        <span aria-hidden>/</span>
        <Link
          href={`/workflows/${encodeURIComponent(r.workflow_id)}`}
          className="truncate hover:text-slate-900 hover:underline dark:hover:text-slate-100"
        >
          <VisibleText text={r.workflow_id} />
        </Link>
      </nav>

      <header className="mt-3">
        <div className="flex flex-wrap items-center gap-2">
          <RiskBadge level={r.risk.level} />
          <StatusBadge status={r.status} />
          {r.escalated_to && open && <Tag>escalated to {roleWords(r.escalated_to)}</Tag>}
          {r.auto_approved && <Tag>approved on arrival</Tag>}
        </div>
        <h1
          className="mt-2 font-mono text-xl font-semibold break-all sm:text-2xl"
          data-testid="request-type"
        >
          <VisibleText text={r.action.type} />
        </h1>
        <p
          className="mt-1 max-w-3xl text-slate-700 dark:text-slate-300"
          data-testid="request-description"
        >
          {r.action.description ? (
            <VisibleText text={r.action.description} />
          ) : (
            <span className="italic text-slate-500">The agent gave no description.</span>
          )}
        </p>
        <dl className="mt-4 grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3 lg:grid-cols-6">
          <Fact label="Agent">
            <VisibleText text={r.agent_name} />
          </Fact>
          <Fact label="Workflow">
            <Link
              className="underline decoration-slate-300 underline-offset-2 dark:decoration-slate-600"
              href={`/workflows/${encodeURIComponent(r.workflow_id)}`}
            >
              <VisibleText text={r.workflow_id} />
            </Link>
          </Fact>
          <Fact label="Submitted">
            <Age iso={r.created_at} />
          </Fact>
          <Fact label={open ? "Expires in" : "Decided"}>
            {open ? (
              <Countdown
                expiresAt={r.expires_at}
                startedAt={r.created_at}
                label={visibleText(r.action.type)}
                className="text-sm"
                onExpire={() =>
                  void client.invalidateQueries({ queryKey: queryKeys.request(r.id) })
                }
              />
            ) : r.decided_at ? (
              <DateTime iso={r.decided_at} />
            ) : (
              "—"
            )}
          </Fact>
          <Fact label="Priority">{r.priority}</Fact>
          {open ? (
            <Fact label="Claimed by">
              {r.claimed_by ? personName(viewer, r.claimed_by) : "nobody"}
            </Fact>
          ) : (
            <Fact label="Execution">
              <span data-testid="request-execution">{executionWords(r)}</span>
            </Fact>
          )}
        </dl>
      </header>

      <div aria-live="polite" className="empty:hidden">
        {flash && (
          <Alert
            tone={
              r.status === "approved"
                ? "success"
                : r.status === "rejected" || r.status === "quarantined"
                  ? "warning"
                  : "info"
            }
            className="mt-4"
            testId="request-flash"
          >
            {flash}
            {granted && (
              <>
                {" "}
                <Link href="/grants" className="font-medium underline underline-offset-2">
                  See it on the Grants page
                </Link>
              </>
            )}
          </Alert>
        )}
      </div>
      {changed && (
        <Alert
          tone="warning"
          className="mt-4"
          testId="request-changed"
          title="This request changed while you were reading it"
        >
          <p>
            Its inputs are not what you first saw (a reviewer edited them, and approvals given
            before no longer count); the page shows the latest. Read it again before you approve.
          </p>
          <Button
            size="sm"
            className="mt-2"
            onClick={() => setSeenHash(r.content_hash)}
            data-testid="request-reviewed"
          >
            I have reviewed the latest version
          </Button>
        </Alert>
      )}
      {query.error && (
        <Alert tone="error" className="mt-4">
          Could not refresh this request: {failureText(query.error)}
        </Alert>
      )}
      {!open && (
        <Alert tone="info" className="mt-4" testId="request-closed">
          This request is {r.status}
          {r.decided_at ? (
            <>
              {" "}
              (<DateTime iso={r.decided_at} />)
            </>
          ) : null}
          {r.decider ? (
            <span data-testid="request-decider">
              {" "}
              by <PersonWords person={r.decider} />
              {r.decided_via ? ` ${viaWords(r.decided_via)}` : null}
            </span>
          ) : null}
          {r.status_reason ? (
            <>
              : <VisibleText text={r.status_reason.replace(/[.\s]+$/, "")} />.
            </>
          ) : (
            "."
          )}{" "}
          Nothing more can be decided on it.
        </Alert>
      )}

      <div className="mt-6 grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Panel className="p-4 sm:p-5" aria-labelledby="action-title">
          <SectionTitle
            id="action-title"
            aside={
              canEdit && !editing ? (
                <Button size="sm" onClick={() => setEditing(true)} data-testid="edit-inputs">
                  Edit inputs
                </Button>
              ) : null
            }
          >
            Action
          </SectionTitle>
          <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4">
            <Fact label="Type" wrap>
              <span className="font-mono">
                <VisibleText text={r.action_details.type} />
              </span>
            </Fact>
            <Fact label="Operation">
              <VisibleText text={r.action_details.operation ?? "—"} />
            </Fact>
            <Fact label="Environment">
              <VisibleText text={r.action_details.environment ?? "—"} />
            </Fact>
            <Fact label="Resource">
              <VisibleText text={r.action_details.resource_type ?? "—"} />
            </Fact>
          </dl>
          <div className="mt-4 flex flex-wrap items-center justify-between gap-2">
            <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
              {r.edited_inputs ? "Inputs, as edited by a reviewer" : "Inputs"}
            </h3>
            {r.edited_inputs && (
              <button
                type="button"
                className="text-xs text-indigo-700 hover:underline dark:text-indigo-300"
                onClick={() => setShowOriginal((s) => !s)}
                aria-expanded={showOriginal}
              >
                {showOriginal ? "Hide the agent's original" : "Compare with the agent's original"}
              </button>
            )}
          </div>
          {editing ? (
            <div className="mt-2">
              <InputsEditor
                current={inputs}
                onCancel={() => setEditing(false)}
                onReview={(v) => {
                  setEdited(v);
                  setDialog("approve");
                }}
              />
            </div>
          ) : (
            <div className="mt-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 ring-inset dark:bg-slate-950 dark:ring-slate-800">
              {Object.keys(inputs).length === 0 ? (
                <p className="text-sm text-slate-500 dark:text-slate-400">
                  The agent sent no inputs.
                </p>
              ) : (
                <JsonTree value={inputs} label="Inputs" testId="inputs-tree" />
              )}
            </div>
          )}
          {showOriginal && r.edited_inputs && (
            <div className="mt-3">
              <JsonDiff before={original} after={r.edited_inputs} />
            </div>
          )}
          {r.action_details.context && Object.keys(r.action_details.context).length > 0 && (
            <details className="mt-4">
              <summary className="cursor-pointer text-xs font-medium tracking-wide text-slate-500 uppercase dark:text-slate-400">
                Context from the agent
              </summary>
              <div className="mt-2 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200 ring-inset dark:bg-slate-950 dark:ring-slate-800">
                <JsonTree value={r.action_details.context} label="Context" />
              </div>
            </details>
          )}
          {open && !r.allowed_decisions.includes("edit") && (
            <p className="mt-3 text-xs text-slate-500 dark:text-slate-400">
              The agent does not accept edited inputs for this action: approve it as it is, or
              reject it.
            </p>
          )}
        </Panel>

        <Panel className="p-4 sm:p-5" aria-labelledby="risk-title" data-testid="risk">
          <SectionTitle id="risk-title">Why it needs a person</SectionTitle>
          <div className="mt-3 flex items-center gap-3">
            <div
              className="h-2 flex-1 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              aria-hidden
            >
              <div
                className="h-full rounded-full bg-gradient-to-r from-amber-400 via-orange-500 to-red-600"
                style={{ width: `${Math.round(r.risk.score * 100)}%` }}
              />
            </div>
            <span className="font-mono text-sm tabular-nums">score {r.risk.score.toFixed(2)}</span>
          </div>
          {r.risk.reasons.length > 0 ? (
            <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-800 dark:text-slate-200">
              {r.risk.reasons.map((reason) => (
                <li key={reason}>
                  <VisibleText text={reason} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
              No rule matched; unmatched actions get the default level.
            </p>
          )}
          {r.risk.matched_rules.length > 0 && (
            <p className="mt-3 flex flex-wrap items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400">
              Rules that fired:
              {r.risk.matched_rules.map((id) => (
                <Link
                  key={id}
                  href={`/rules#rule-${id}`}
                  className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-700 hover:underline dark:bg-slate-800 dark:text-slate-300"
                >
                  {id}
                </Link>
              ))}
            </p>
          )}
          <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
            Rule set {r.rule_set_version}
          </p>
        </Panel>

        <aside
          className="space-y-6 lg:col-start-2 lg:row-span-3 lg:row-start-1"
          aria-label="Decision"
        >
          <Panel className="p-4 sm:p-5 lg:sticky lg:top-4" data-testid="decision-panel">
            <SectionTitle>Decision</SectionTitle>
            <div className="mt-3 flex items-center justify-between gap-3">
              <Quorum have={r.approvals.have} need={r.approvals.need} className="text-sm" />
              <span className="text-xs text-slate-500 dark:text-slate-400">
                from {roleWords(r.required_role)} or above
              </span>
            </div>
            {open && left > 0 && (
              <p
                className="mt-2 text-sm text-slate-700 dark:text-slate-300"
                data-testid="still-needed"
              >
                {left} more approval{left === 1 ? "" : "s"} needed
                {r.approvals.need > 1 ? ", each from a different person" : ""}.
              </p>
            )}
            {r.requires_justification && open && (
              <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
                A justification is required to approve.
              </p>
            )}
            {open && standing.data && !standing.data.actionable && standing.data.reason && (
              <Alert tone="info" className="mt-3" testId="not-actionable">
                {standing.data.reason}
              </Alert>
            )}
            {open && (
              <div className="mt-4 grid gap-2">
                {canApproveAsIs && (
                  <Button
                    variant="approve"
                    onClick={() => setDialog("approve")}
                    data-testid="approve"
                    disabled={changed}
                  >
                    Approve
                  </Button>
                )}
                {canApproveAsIs && grantOffer && (
                  <Button
                    variant="secondary"
                    onClick={() => setGranting(true)}
                    data-testid="approve-and-grant"
                    disabled={changed}
                  >
                    Approve + the next ones like it…
                  </Button>
                )}
                {canApproveAsIs && !grantOffer && grantRefusal && (
                  <p
                    className="text-xs text-slate-500 dark:text-slate-400"
                    data-testid="grant-not-offered"
                  >
                    No standing approval from here: {grantRefusal.replace(/[.\s]+$/, "")}.
                  </p>
                )}
                {canEdit && !editing && (
                  <Button
                    onClick={() => setEditing(true)}
                    data-testid="edit-approve"
                    disabled={changed}
                  >
                    Edit, then approve
                  </Button>
                )}
                {actionable && (
                  <Button variant="reject" onClick={() => setDialog("reject")} data-testid="reject">
                    Reject
                  </Button>
                )}
                {(escalate || quarantine || release) && (
                  <div className="mt-1 grid grid-cols-2 gap-2">
                    {escalate && (
                      <Button
                        size="sm"
                        onClick={() => setDialog("escalate")}
                        data-testid="escalate"
                      >
                        Escalate
                      </Button>
                    )}
                    {quarantine && (
                      <Button
                        size="sm"
                        onClick={() => setDialog("quarantine")}
                        data-testid="quarantine"
                      >
                        Quarantine
                      </Button>
                    )}
                    {release && (
                      <Button size="sm" onClick={() => setDialog("release")} data-testid="release">
                        Release
                      </Button>
                    )}
                  </div>
                )}
                {(claimable || mineClaimed) && (
                  <Button
                    size="sm"
                    variant="ghost"
                    data-testid={mineClaimed ? "unclaim" : "claim"}
                    disabled={claim.isPending}
                    onClick={() =>
                      claim.mutate(
                        { kind: mineClaimed ? "unclaim" : "claim", id: r.id },
                        {
                          onSuccess: () =>
                            announce(mineClaimed ? "Unclaimed" : "Claimed; it is yours to decide"),
                        },
                      )
                    }
                  >
                    {mineClaimed ? "Unclaim" : "Claim it for yourself"}
                  </Button>
                )}
                {claim.error && <Alert tone="error">{failureText(claim.error)}</Alert>}
                {changed && (
                  <p className="text-xs text-amber-800 dark:text-amber-300">
                    Approving is paused until you confirm you have read the latest version.
                  </p>
                )}
                {!actionable &&
                  !escalate &&
                  !quarantine &&
                  !release &&
                  !claimable &&
                  !mineClaimed && (
                    <p className="text-sm text-slate-600 dark:text-slate-400">
                      {viewer.user.role === "viewer"
                        ? "Your role reads requests; it decides nothing."
                        : "There is nothing your role can do on this request."}
                    </p>
                  )}
              </div>
            )}
          </Panel>

          <Panel className="p-4 sm:p-5" aria-labelledby="approvals-title" data-testid="approvals">
            <SectionTitle id="approvals-title">Approvals</SectionTitle>
            {r.approvals_given.length === 0 ? (
              <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">None yet.</p>
            ) : (
              <ul className="mt-3 space-y-3">
                {r.approvals_given.map((a) => (
                  <li key={`${a.approver_id}-${a.at}`} data-testid="approval" className="text-sm">
                    <p className="flex flex-wrap items-baseline gap-x-2">
                      <span
                        className={
                          a.counts ? "font-medium" : "font-medium text-slate-500 line-through"
                        }
                      >
                        <PersonWords person={a.approver} />
                      </span>
                      <span className="text-xs text-slate-500 dark:text-slate-400">
                        {roleWords(a.role)}
                      </span>
                    </p>
                    <p className="text-xs text-slate-500 dark:text-slate-400">
                      <DateTime iso={a.at} />
                      {a.via ? (
                        <span data-testid="approval-via">
                          {" · "}
                          {viaWords(a.via)}
                        </span>
                      ) : null}
                      {" · "}
                      {a.counts ? (
                        <span className="text-emerald-700 dark:text-emerald-400">counts</span>
                      ) : (
                        <span>voided by a later edit</span>
                      )}
                    </p>
                    {a.justification && (
                      <p className="mt-1 break-words text-slate-700 dark:text-slate-300">
                        “<VisibleText text={a.justification} />”
                      </p>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Panel>
        </aside>

        <Panel className="p-4 sm:p-5" aria-labelledby="timeline-title">
          <SectionTitle
            id="timeline-title"
            aside={
              <Link
                href={`/workflows/${encodeURIComponent(r.workflow_id)}`}
                className="text-xs text-indigo-700 hover:underline dark:text-indigo-300"
              >
                Whole workflow
              </Link>
            }
          >
            Timeline
          </SectionTitle>
          <div className="mt-4">
            <Timeline events={r.events} />
          </div>
        </Panel>
      </div>

      <DecisionDialog
        kind={dialog}
        target={dialog ? target : null}
        onClose={() => {
          setDialog(null);
          setEdited(null);
        }}
        onDone={(message) => done(message)}
        editedInputs={dialog === "approve" && edited ? edited : undefined}
        seenHash={dialog === "approve" ? seenHash : undefined}
        preface={
          dialog === "approve" && edited ? (
            <div className="mb-4">
              <JsonDiff before={inputs} after={edited} testId="edit-diff" />
            </div>
          ) : undefined
        }
      />
      {grantOffer && (
        <ApproveAndGrantDialog
          open={granting}
          request={r}
          offer={grantOffer}
          seenHash={seenHash}
          onClose={() => setGranting(false)}
          onDone={({ request, grant }) => {
            const left = request.approvals.need - request.approvals.have;
            setFlash(
              `${
                request.status === "approved"
                  ? "Approved"
                  : `Your approval is recorded (${left} more needed)`
              }, and the next ${grant.max_uses} like it will pass on arrival until ${new Date(
                grant.expires_at,
              ).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })}.`,
            );
            setGranted(grant);
          }}
        />
      )}
      <Link href="/queue" className={`${buttonClass("ghost", "sm")} mt-8`}>
        ← Back to the queue
      </Link>
      {actionable && !editing && (
        // On a phone the decision stays within reach of a thumb while the inputs scroll by.
        <div className="fixed inset-x-0 bottom-0 z-10 flex gap-2 border-t border-slate-200 bg-white/95 px-4 py-3 backdrop-blur lg:hidden dark:border-slate-800 dark:bg-slate-900/95">
          {canApproveAsIs ? (
            <Button
              variant="approve"
              className="flex-1"
              onClick={() => setDialog("approve")}
              disabled={changed}
              data-testid="bar-approve"
            >
              Approve
            </Button>
          ) : canEdit ? (
            <Button
              className="flex-1"
              onClick={() => setEditing(true)}
              disabled={changed}
              data-testid="bar-edit"
            >
              Edit, then approve
            </Button>
          ) : null}
          <Button
            variant="reject"
            className="flex-1"
            onClick={() => setDialog("reject")}
            data-testid="bar-reject"
          >
            Reject
          </Button>
        </div>
      )}
    </div>
  );
}
