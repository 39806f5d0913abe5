// GET /api/hitl/actions/{id}/checkpoints/{name} — the latest checkpoint of that name

import { z } from "zod";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { ACTION_ID_DESCRIPTION } from "@/lib/contract/api";
import { checkpointSchema } from "@/lib/contract/checkpoints";
import { requiredText } from "@/lib/contract/json";
import { getLatestCheckpoint } from "@/lib/services/requests/checkpoints";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/hitl/actions/{id}/checkpoints/{name}",
  auth: "key",
  // The folder is [checkpoint] (shared with .../{checkpoint_id}/resume); the contract calls
  // this segment {name}, and so do error details.
  params: z.preprocess(
    (p) => ({
      id: (p as Record<string, unknown>).id,
      name: (p as Record<string, unknown>).checkpoint,
    }),
    z.object({ id: z.uuid({ error: "expected a uuid" }), name: requiredText(200) }),
  ),
  doc: {
    summary: "The latest checkpoint of a name",
    params: z.object({ id: z.uuid().describe(ACTION_ID_DESCRIPTION), name: z.string() }),
    ok: { status: 200, schema: checkpointSchema },
    errors: [401, 404],
  },
  async handler({ db, principal, params }) {
    return { body: await getLatestCheckpoint(db, principal, params.id, params.name) };
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
