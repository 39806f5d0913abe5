// POST /api/hitl/actions/{id}/checkpoints — save a named checkpoint (agent keys)
// GET  /api/hitl/actions/{id}/checkpoints — list an action's checkpoints
import { z } from "zod";
import { taskReader } from "@/lib/api/principals";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { checkpointSchema } from "@/lib/contract/checkpoints";
import { listCheckpoints, saveCheckpoint } from "@/lib/services/checkpoints";
import { assertActionAccess } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/actions/{id}/checkpoints",
  auth: "agent",
  params: idParamsSchema,
  body: "json",
  async handler({ db, principal, params, body }) {
    await assertActionAccess(db, taskReader(principal), params.id);
    const saved = await saveCheckpoint(db, params.id, body, {
      actor_type: "agent",
      actor_id: principal.keyId,
    });
    return { status: 201, body: saved };
  },
});

export const GET = apiRoute({
  name: "GET /api/hitl/actions/{id}/checkpoints",
  auth: "key",
  params: idParamsSchema,
  async handler({ db, principal, params }) {
    await assertActionAccess(db, taskReader(principal), params.id);
    return {
      body: { items: z.array(checkpointSchema).parse(await listCheckpoints(db, params.id)) },
    };
  },
});
