// POST /api/tasks — submit a task for risk assessment and approval
import { submitResponse } from "@/lib/api/dto";
import { agentCaller } from "@/lib/api/principals";
import { apiRoute } from "@/lib/api/route";
import { submitTask } from "@/lib/services/lifecycle";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks",
  auth: "agent",
  body: "json",
  async handler({ req, db, principal, body }) {
    const result = await submitTask(db, agentCaller(principal), body, {
      idempotencyKey: req.headers.get("idempotency-key"),
    });
    return {
      status: result.created ? 201 : 200,
      body: submitResponse(result.row, result.task.threadId),
      headers: { "Idempotent-Replayed": String(!result.created) },
    };
  },
});
