// POST /api/tasks/{id}/cancel — the submitting agent withdraws an open request
import { taskDto } from "@/lib/api/dto";
import { agentCaller } from "@/lib/api/principals";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { cancelTaskSchema } from "@/lib/contract/tasks";
import { decideRequest } from "@/lib/services/lifecycle";
import { getTaskView } from "@/lib/services/tasks";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks/{id}/cancel",
  auth: "agent",
  params: idParamsSchema,
  body: cancelTaskSchema.optional().default({}),
  async handler({ db, principal, params, body }) {
    const reader = { kind: "agent" as const, keyId: principal.keyId };
    const { request } = await getTaskView(db, reader, params.id);
    await decideRequest(
      db,
      request.id,
      { type: "cancel", reason: body.reason },
      {
        kind: "agent",
        caller: agentCaller(principal),
      },
    );
    return { body: taskDto(await getTaskView(db, reader, params.id)) };
  },
});
