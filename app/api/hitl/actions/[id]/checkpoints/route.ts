// POST /api/hitl/actions/{id}/checkpoints — save a named checkpoint (agent keys)
// GET  /api/hitl/actions/{id}/checkpoints — an action's checkpoints, a page (≤ 100) at a time
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { checkpointPageQuerySchema, checkpointPageSchema } from "@/lib/contract/checkpoints";
import { listCheckpoints, saveCheckpoint } from "@/lib/services/requests/checkpoints";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/actions/{id}/checkpoints",
  auth: "agent",
  params: idParamsSchema,
  body: "json",
  async handler({ db, principal, params, body }) {
    return { status: 201, body: await saveCheckpoint(db, principal, params.id, body) };
  },
});

export const GET = apiRoute({
  name: "GET /api/hitl/actions/{id}/checkpoints",
  auth: "key",
  params: idParamsSchema,
  query: checkpointPageQuerySchema,
  async handler({ db, principal, params, query }) {
    return {
      body: checkpointPageSchema.parse(await listCheckpoints(db, principal, params.id, query)),
    };
  },
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
