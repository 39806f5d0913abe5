// The per-request checks every entry point shares (server action, API, CLI): eligibility,
// four-eyes, quorum, justification and the claim limit, over the permissions table.
import type { Policies } from "./config-schema";
import { can } from "./permissions";
import { type Approval, type ApprovalRequest, awaitedRole } from "./request";
import { ROLE_RANK, type Role, roleWords } from "./types";

export interface Refusal {
  /** forbidden: never allowed for this actor; conflict: not in the request's current state;
   * invalid: the command itself is incomplete (a missing reason or justification). */
  code: "forbidden" | "conflict" | "invalid";
  message: string;
}

export interface Reviewer {
  id: string;
  /** The reviewer's role now, read from the user record at the moment of the decision. */
  role: Role;
}

type EligibilityRequest = Pick<
  ApprovalRequest,
  "risk_level" | "escalated_to" | "required_role" | "submitter_owner_id"
>;

/**
 * Why `reviewer` may not approve, reject or claim this request, or null if they may:
 * their role must approve its level, rank at least the role it waits for (its level's, or
 * the one it was escalated to), and they must not own the key that submitted it. Rejecting is
 * exempt from four-eyes: stopping one's own agent is always safe.
 */
export function eligibilityRefusal(
  policies: Policies,
  request: EligibilityRequest,
  reviewer: Reviewer,
  permission: "approve" | "reject" | "claim",
): Refusal | null {
  const { role } = reviewer;
  const level = request.risk_level;
  if (!can(policies, role, permission, level)) {
    return {
      code: "forbidden",
      message: `a ${roleWords(role)} may not ${permission} ${level}-risk requests`,
    };
  }
  const needed = awaitedRole(request);
  if (ROLE_RANK[role] < ROLE_RANK[needed]) {
    const why = request.escalated_to === null ? `its level requires` : `it was escalated to`;
    return {
      code: "forbidden",
      message: `${why} ${roleWords(needed)} or above; you are ${roleWords(role)}`,
    };
  }
  if (permission !== "reject" && request.submitter_owner_id === reviewer.id) {
    return {
      code: "forbidden",
      message: "you own the API key that submitted this request; someone else must review it",
    };
  }
  return null;
}

type QuorumRequest = Pick<
  ApprovalRequest,
  "risk_level" | "escalated_to" | "required_role" | "content_hash" | "edit_generation" | "approvals"
>;

/**
 * The approvals that count now: given since the last edit (to the current generation, and so
 * the current content — editing back to earlier content does not revive what an edit voided),
 * by a role that approves the level and ranks at least the awaited role, one per person.
 */
export function countingApprovals(policies: Policies, request: QuorumRequest): Approval[] {
  const needed = ROLE_RANK[awaitedRole(request)];
  const seen = new Set<string>();
  return request.approvals.filter((a) => {
    if (a.generation !== request.edit_generation || a.content_hash !== request.content_hash) {
      return false;
    }
    if (seen.has(a.approver_id)) return false;
    if (ROLE_RANK[a.role] < needed || !can(policies, a.role, "approve", request.risk_level)) {
      return false;
    }
    seen.add(a.approver_id);
    return true;
  });
}

export interface Quorum {
  have: number;
  need: number;
  met: boolean;
  /** The role an approval must come from (at least) to count now. */
  role: Role;
  /** Distinct people whose approvals count, in the order they approved. */
  approvers: string[];
}

export function quorum(
  policies: Policies,
  request: QuorumRequest & Pick<ApprovalRequest, "required_approvals">,
): Quorum {
  const approvers = countingApprovals(policies, request).map((a) => a.approver_id);
  const need = request.required_approvals;
  return {
    have: approvers.length,
    need,
    met: approvers.length >= need,
    role: awaitedRole(request),
    approvers,
  };
}

/** A justification is text with something in it, where the level requires one. */
export function justificationRefusal(
  request: Pick<ApprovalRequest, "requires_justification" | "risk_level">,
  justification: string | undefined,
): Refusal | null {
  if (!request.requires_justification || (justification ?? "").trim() !== "") return null;
  return {
    code: "invalid",
    message: `a justification is required to approve a ${request.risk_level}-risk request`,
  };
}

/** "Max claimed at once": `claimedCount` is how many open requests the reviewer holds now. */
export function claimLimitRefusal(
  policies: Policies,
  role: Role,
  claimedCount: number,
): Refusal | null {
  const max = policies[role].max_claimed;
  if (claimedCount < max) return null;
  return {
    code: "conflict",
    message: `you already hold ${claimedCount} claimed requests, the most a ${roleWords(role)} may hold at once (${max})`,
  };
}
