// The queue's "recently decided" tab: approved, rejected, expired and cancelled requests,
// newest decision first. The queue service reads open requests only; this is its closed twin.
//
// Who may call it: any person, or the operator (as for the queue).
import { z } from "zod";
import type { Database } from "@/db/client";
import { listRecentlyDecided } from "@/db/queries/recent";
import { listApprovalsFor } from "@/db/queries/requests";
import type { RecentResponse } from "@/lib/contract/api";
import { text } from "@/lib/contract/json";
import { RISK_LEVELS } from "@/lib/hitl";
import { requestSummary } from "@/lib/services/dto";
import { type Principal, requireViewer } from "@/lib/services/principal";
import { hitlConfig } from "@/lib/services/rules/config";
import { parseInput } from "@/lib/services/validation";

export const recentQuerySchema = z.strictObject({
  risk_level: z.enum(RISK_LEVELS).optional(),
  agent: text(100).optional(),
  workflow_id: text(200).optional(),
  include_auto_approved: z.boolean().default(false),
  /** The `next_before` of the previous page. */
  before: z
    .strictObject({
      decided_at: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/, "expected a UTC time"),
      id: z.uuid(),
    })
    .optional(),
  limit: z.int().min(1).max(100).default(50),
});
export type RecentQuery = z.input<typeof recentQuerySchema>;

export async function getRecentlyDecided(
  db: Database,
  principal: Principal,
  query: RecentQuery = {},
): Promise<RecentResponse> {
  const q = parseInput(recentQuerySchema, query);
  await requireViewer(db, principal, "read decided requests");
  const { rows, more, last } = await listRecentlyDecided(
    db,
    {
      riskLevel: q.risk_level,
      agentName: q.agent,
      workflowId: q.workflow_id,
      includeAutoApproved: q.include_auto_approved,
    },
    {
      after: q.before ? { decidedAt: q.before.decided_at, id: q.before.id } : null,
      limit: q.limit,
    },
  );
  const approvals = await listApprovalsFor(
    db,
    rows.map((r) => r.id),
  );
  const { policies } = hitlConfig().ruleSet;
  const items = rows.map((r) => requestSummary(policies, r, approvals.get(r.id) ?? []));
  return {
    items,
    next_before: more && last ? { decided_at: last.decidedAt, id: last.id } : null,
  };
}
