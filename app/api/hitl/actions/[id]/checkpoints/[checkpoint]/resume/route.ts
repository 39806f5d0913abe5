// POST /api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume — mark resumed (once; again → 409)

import { z } from "zod";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { ACTION_ID_DESCRIPTION } from "@/lib/contract/api";
import { checkpointSchema } from "@/lib/contract/checkpoints";
import { markCheckpointResumed } from "@/lib/services/requests/checkpoints";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume",
  auth: "agent",
  // The folder is [checkpoint]; the contract calls this segment {checkpoint_id}.
  params: z.preprocess(
    (p) => ({
      id: (p as Record<string, unknown>).id,
      checkpoint_id: (p as Record<string, unknown>).checkpoint,
    }),
    z.object({
      id: z.uuid({ error: "expected a uuid" }),
      checkpoint_id: z.uuid({ error: "expected a checkpoint id (uuid)" }),
    }),
  ),
  doc: {
    summary: "Mark a checkpoint resumed (once)",
    params: z.object({ id: z.uuid().describe(ACTION_ID_DESCRIPTION), checkpoint_id: z.uuid() }),
    ok: { status: 200, schema: checkpointSchema },
    errors: [401, 403, 404, 409],
  },
  async handler({ db, principal, params }) {
    return { body: await markCheckpointResumed(db, principal, params.id, params.checkpoint_id) };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
