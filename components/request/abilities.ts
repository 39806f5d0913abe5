// What the reader may do on a request now, from its state, their role, the server's verdict
// and the grant offer: worked out in one place, so the decision panel, the phone's bar and the
// dialogs agree.

import type { RequestDetailDto } from "@/lib/contract/api";
import type { GrantOfferDto } from "@/lib/contract/grants";
import { isOpenStatus } from "@/lib/hitl/types";
import { can, canEscalate, type ViewerInfo } from "../viewer";
import type { Standing } from "./standing";

export interface RequestAbilities {
  /** Nothing is decided on it yet. */
  open: boolean;
  /** The server says the reader may approve or reject it now. */
  actionable: boolean;
  canApproveAsIs: boolean;
  /** The standing approval the reader may grant with their approval; never for critical. */
  grantOffer: Extract<GrantOfferDto, { offered: true }> | null;
  /** Why no standing approval is offered, when the server said why. */
  grantRefusal: string | null;
  canEdit: boolean;
  escalate: boolean;
  quarantine: boolean;
  release: boolean;
  mineClaimed: boolean;
  claimable: boolean;
  /** Approvals still needed. */
  left: number;
}

export function requestAbilities(
  viewer: ViewerInfo,
  r: RequestDetailDto,
  standing: Standing | null | undefined,
  offer: GrantOfferDto | undefined,
): RequestAbilities {
  const open = isOpenStatus(r.status);
  const actionable = open && (standing?.actionable ?? false);
  return {
    open,
    actionable,
    canApproveAsIs: actionable && r.allowed_decisions.includes("approve"),
    grantOffer: r.risk.level !== "critical" && offer?.offered ? offer : null,
    grantRefusal: offer && !offer.offered ? offer.reason : null,
    canEdit: actionable && r.allowed_decisions.includes("edit"),
    escalate: open && canEscalate(viewer, r),
    quarantine: (r.status === "pending" || r.status === "escalated") && can(viewer, "quarantine"),
    release: r.status === "quarantined" && can(viewer, "release"),
    mineClaimed: r.claimed_by === viewer.user.id,
    claimable:
      open && r.status !== "quarantined" && !r.claimed_by && can(viewer, "claim", r.risk.level),
    left: Math.max(0, r.approvals.need - r.approvals.have),
  };
}
