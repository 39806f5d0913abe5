// POST /api/hitl/actions/{id}/checkpoints — save a named checkpoint (agent keys)
// GET  /api/hitl/actions/{id}/checkpoints — an action's checkpoints, a page (≤ 100) at a time
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { actionParamsSchema } from "@/lib/contract/api";
import {
  checkpointPageQuerySchema,
  checkpointPageSchema,
  checkpointSchema,
  saveCheckpointSchema,
} from "@/lib/contract/checkpoints";
import { listCheckpoints, saveCheckpoint } from "@/lib/services/requests/checkpoints";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/actions/{id}/checkpoints",
  auth: "agent",
  params: actionParamsSchema,
  body: "json",
  doc: {
    summary: "Save a named checkpoint",
    body: saveCheckpointSchema,
    ok: { status: 201, schema: checkpointSchema },
    errors: [400, 401, 403, 404, 413, 429],
  },
  async handler({ db, principal, params, body }) {
    return { status: 201, body: await saveCheckpoint(db, principal, params.id, body) };
  },
});

export const GET = apiRoute({
  name: "GET /api/hitl/actions/{id}/checkpoints",
  auth: "key",
  params: actionParamsSchema,
  query: checkpointPageQuerySchema,
  doc: {
    summary: "An action's checkpoints in sequence, a page (at most 100) at a time",
    ok: { status: 200, schema: checkpointPageSchema },
    errors: [400, 401, 404],
  },
  async handler({ db, principal, params, query }) {
    return {
      body: checkpointPageSchema.parse(await listCheckpoints(db, principal, params.id, query)),
    };
  },
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
