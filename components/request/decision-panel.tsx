"use client";
// Where the reader decides on the request: the "Decision" panel beside it (the quorum, and a
// button for each thing their role may do), and the same approve and reject at the foot of a
// phone's screen.

import type { RequestDetailDto } from "@/lib/contract/api";
import { roleWords } from "@/lib/hitl/types";
import { failureText } from "../action-result";
import { Quorum } from "../queue/quorum";
import { useDecide } from "../queue/use-decide";
import { Alert, Panel, SectionTitle } from "../ui/alert";
import { Button } from "../ui/button";
import { useAnnounce } from "../ui/clock";
import { useViewer } from "../viewer";
import type { RequestAbilities } from "./abilities";
import type { Standing } from "./standing";
import type { RequestDecisions } from "./use-request-decisions";

export function DecisionPanel({
  r,
  standing,
  may,
  decisions,
}: {
  r: RequestDetailDto;
  /** The server's verdict on whether the reader may approve it now. */
  standing: Standing | null | undefined;
  may: RequestAbilities;
  decisions: RequestDecisions;
}) {
  const viewer = useViewer();
  const announce = useAnnounce();
  const claim = useDecide();
  const {
    open,
    actionable,
    canApproveAsIs,
    grantOffer,
    grantRefusal,
    canEdit,
    escalate,
    quarantine,
    release,
    mineClaimed,
    claimable,
    left,
  } = may;
  const { changed, editing, setDialog, setEditing, setGranting } = decisions;
  return (
    <Panel className="p-4 sm:p-5 lg:sticky lg:top-4" data-testid="decision-panel">
      <SectionTitle>Decision</SectionTitle>
      <div className="mt-3 flex items-center justify-between gap-3">
        <Quorum have={r.approvals.have} need={r.approvals.need} className="text-sm" />
        <span className="text-xs text-slate-500 dark:text-slate-400">
          from {roleWords(r.required_role)} or above
        </span>
      </div>
      {open && left > 0 && (
        <p className="mt-2 text-sm text-slate-700 dark:text-slate-300" data-testid="still-needed">
          {left} more approval{left === 1 ? "" : "s"} needed
          {r.approvals.need > 1 ? ", each from a different person" : ""}.
        </p>
      )}
      {r.requires_justification && open && (
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          A justification is required to approve.
        </p>
      )}
      {open && standing && !standing.actionable && standing.reason && (
        <Alert tone="info" className="mt-3" testId="not-actionable">
          {standing.reason}
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
            <Button onClick={() => setEditing(true)} data-testid="edit-approve" disabled={changed}>
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
                <Button size="sm" onClick={() => setDialog("escalate")} data-testid="escalate">
                  Escalate
                </Button>
              )}
              {quarantine && (
                <Button size="sm" onClick={() => setDialog("quarantine")} data-testid="quarantine">
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
          {!actionable && !escalate && !quarantine && !release && !claimable && !mineClaimed && (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              {viewer.user.role === "viewer"
                ? "Your role reads requests; it decides nothing."
                : "There is nothing your role can do on this request."}
            </p>
          )}
        </div>
      )}
    </Panel>
  );
}

/** Approve (or edit, then approve) and reject, fixed to the foot of a phone's screen. */
export function DecisionBar({
  may,
  decisions,
}: {
  may: RequestAbilities;
  decisions: RequestDecisions;
}) {
  const { canApproveAsIs, canEdit } = may;
  const { changed, setDialog, setEditing } = decisions;
  return (
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
  );
}
