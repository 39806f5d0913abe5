// POST /api/tasks/{id}/cancel — the submitting agent withdraws an open request
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { idParamsSchema } from "@/lib/contract/api";
import { cancelTaskSchema, taskSchema } from "@/lib/contract/tasks";
import { decideRequest } from "@/lib/services/requests/lifecycle";
import { getTask } from "@/lib/services/requests/tasks";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks/{id}/cancel",
  auth: "agent",
  params: idParamsSchema,
  body: cancelTaskSchema.optional().default({}),
  doc: {
    summary: "The submitting agent withdraws an open request",
    body: cancelTaskSchema,
    bodyOptional: true,
    ok: { status: 200, schema: taskSchema },
    errors: [400, 401, 403, 404, 409],
  },
  async handler({ db, principal, params, body }) {
    const task = await getTask(db, principal, params.id);
    await decideRequest(db, principal, task.approval_request_id, {
      type: "cancel",
      reason: body.reason,
    });
    return { body: await getTask(db, principal, params.id) };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
