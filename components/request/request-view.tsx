"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { RequestDetailDto } from "@/lib/contract/api";
import type { GrantOfferDto } from "@/lib/contract/grants";
import { isOpenStatus } from "@/lib/hitl/types";
import { failureText } from "../action-result";
import { ApproveAndGrantDialog } from "../grants/approve-and-grant-dialog";
import { useGrantOffer } from "../grants/use-grant-offer";
import { POLL_MS } from "../live";
import { queryKeys } from "../query-keys";
import { read } from "../reads";
import { Timeline } from "../timeline";
import { Alert, Panel, SectionTitle } from "../ui/alert";
import { buttonClass } from "../ui/button";
import { useViewer } from "../viewer";
import { requestAbilities } from "./abilities";
import { ActionPanel } from "./action-panel";
import { ApprovalsPanel } from "./approvals-panel";
import { DecisionBar, DecisionPanel } from "./decision-panel";
import { RequestDecisionDialog } from "./request-decision-dialog";
import { RequestBreadcrumb, RequestHeader } from "./request-header";
import { ChangedNotice, ClosedNotice, FlashNotice } from "./request-notices";
import { RiskPanel } from "./risk-panel";
import { type Standing, useStanding } from "./standing";
import { useRequestDecisions } from "./use-request-decisions";

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
  const query = useQuery({
    queryKey: queryKeys.request(initial.id),
    queryFn: ({ signal }) => read("request", { id: initial.id }, signal),
    initialData: initial,
    refetchInterval: POLL_MS,
  });
  const r = query.data;
  const open = isOpenStatus(r.status);
  const standing = useStanding(r.id, open, initialStanding);
  const offer = useGrantOffer(r, open, initial.risk.level, initialOffer);
  const decisions = useRequestDecisions(r, initial.content_hash);
  const may = requestAbilities(viewer, r, standing.data, offer.data);

  const inputs = (r.edited_inputs ?? r.action_details.inputs ?? {}) as Record<string, unknown>;

  return (
    <div>
      <RequestBreadcrumb r={r} />
      <RequestHeader r={r} open={open} />
      <FlashNotice r={r} flash={decisions.flash} granted={decisions.granted} />
      {decisions.changed && (
        <ChangedNotice onReviewed={() => decisions.setSeenHash(r.content_hash)} />
      )}
      {query.error && (
        <Alert tone="error" className="mt-4">
          Could not refresh this request: {failureText(query.error)}
        </Alert>
      )}
      {!open && <ClosedNotice r={r} />}

      <div className="mt-6 grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <ActionPanel
          r={r}
          open={open}
          canEdit={may.canEdit}
          inputs={inputs}
          decisions={decisions}
        />
        <RiskPanel r={r} />

        <aside
          className="space-y-6 lg:col-start-2 lg:row-span-3 lg:row-start-1"
          aria-label="Decision"
        >
          <DecisionPanel r={r} standing={standing.data} may={may} decisions={decisions} />
          <ApprovalsPanel r={r} />
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

      <RequestDecisionDialog r={r} inputs={inputs} decisions={decisions} />
      {may.grantOffer && (
        <ApproveAndGrantDialog
          open={decisions.granting}
          request={r}
          offer={may.grantOffer}
          seenHash={decisions.seenHash}
          onClose={() => decisions.setGranting(false)}
          onDone={decisions.approvedAndGranted}
        />
      )}
      <Link href="/queue" className={`${buttonClass("ghost", "sm")} mt-8`}>
        ← Back to the queue
      </Link>
      {may.actionable && !decisions.editing && (
        // On a phone the decision stays within reach of a thumb while the inputs scroll by.
        <DecisionBar may={may} decisions={decisions} />
      )}
    </div>
  );
}
