// POST /api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume — mark resumed (once; again → 409)
import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { markCheckpointResumed } from "@/lib/services/checkpoints";
import { assertActionAccess } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume",
  auth: "agent",
  params: z.object({
    id: z.uuid({ error: "expected a uuid" }),
    checkpoint: z.uuid({ error: "expected a checkpoint id (uuid)" }),
  }),
  async handler({ db, principal, params }) {
    await assertActionAccess(db, { kind: "agent", keyId: principal.keyId }, params.id);
    return {
      body: await markCheckpointResumed(db, params.id, params.checkpoint, {
        actor_type: "agent",
        actor_id: principal.keyId,
      }),
    };
  },
});
