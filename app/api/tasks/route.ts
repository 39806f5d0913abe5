// POST /api/tasks — submit a task for risk assessment and approval

import { z } from "zod";
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { submitTaskResponseSchema, submitTaskSchema } from "@/lib/contract/tasks";
import { submitTask } from "@/lib/services/requests/lifecycle";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/tasks",
  auth: "agent",
  body: "json",
  doc: {
    summary: "Submit a task (honours Idempotency-Key)",
    body: submitTaskSchema,
    headers: z.object({ "Idempotency-Key": z.string().max(200).optional() }),
    ok: {
      status: 201,
      schema: submitTaskResponseSchema,
      description: "Created; 200 with Idempotent-Replayed: true for a retry",
    },
    errors: [400, 401, 403, 413, 422, 429, 503],
  },
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
