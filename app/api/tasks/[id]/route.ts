// GET /api/tasks/{id} — the task and its request; ?wait=N holds until the status changes
import { z } from "zod";
import { taskDto } from "@/lib/api/dto";
import { taskReader } from "@/lib/api/principals";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { waitForStatusChange } from "@/lib/services/changes";
import { getTaskView } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/tasks/{id}",
  auth: "key",
  params: idParamsSchema,
  query: z.strictObject({ wait: z.coerce.number().int().min(0).max(60).default(0) }),
  async handler({ req, db, principal, params, query }) {
    const reader = taskReader(principal);
    let view = await getTaskView(db, reader, params.id);
    if (query.wait > 0) {
      await waitForStatusChange(params.id, view.request.status, query.wait * 1000, req.signal);
      view = await getTaskView(db, reader, params.id);
    }
    return { body: taskDto(view) };
  },
});
