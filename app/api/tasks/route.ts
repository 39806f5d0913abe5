// POST /api/tasks — submit a task for risk assessment and approval
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { submitTask } from "@/lib/services/requests/lifecycle";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks",
  auth: "agent",
  body: "json",
  async handler({ req, db, principal, body }) {
    const result = await submitTask(db, principal, body, {
      idempotencyKey: req.headers.get("idempotency-key"),
    });
    return {
      status: result.created ? 201 : 200,
      body: result.task,
      headers: { "Idempotent-Replayed": String(!result.created) },
    };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
