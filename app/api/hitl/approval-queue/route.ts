// GET /api/hitl/approval-queue — open requests this reviewer key may decide, newest risk first
import { apiRoute } from "@/lib/api/route";
import { queueQuerySchema, queueResponseSchema } from "@/lib/contract/api";
import type { Role } from "@/lib/hitl";
import { getQueue } from "@/lib/services/queue";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/hitl/approval-queue",
  auth: "reviewer",
  query: queueQuerySchema,
  async handler({ db, principal, query }) {
    const queue = await getQueue(db, {
      // The role is the user's now (read with the key), not when the key was made.
      role: principal.role as Role,
      status: query.status,
      riskLevel: query.risk_level,
      agentName: query.agent,
      workflowId: query.workflow_id,
      cursor: query.cursor,
      limit: query.limit,
    });
    return { body: queueResponseSchema.parse(queue) };
  },
});
