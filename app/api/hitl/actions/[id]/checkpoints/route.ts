// POST /api/hitl/actions/{id}/checkpoints — save a named checkpoint (agent keys)
// GET  /api/hitl/actions/{id}/checkpoints — list an action's checkpoints
import { z } from "zod";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { checkpointSchema } from "@/lib/contract/checkpoints";
import { listCheckpoints, saveCheckpoint } from "@/lib/services/checkpoints";

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
  async handler({ db, principal, params }) {
    return {
      body: {
        items: z.array(checkpointSchema).parse(await listCheckpoints(db, principal, params.id)),
      },
    };
  },
});

export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);
