// POST /api/hitl/assess-risk — assess an action against the active rules; stores nothing

import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { assessmentSchema } from "@/lib/contract/api";
import { actionSchema } from "@/lib/contract/tasks";
import { assessAction } from "@/lib/services/rules/rules";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/assess-risk",
  auth: "key",
  body: actionSchema,
  doc: {
    summary: "Assess an action; stores nothing",
    ok: { status: 200, schema: assessmentSchema },
    errors: [400, 401, 413, 422],
  },
  async handler({ principal, body }) {
    return { body: assessAction(principal, body) };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
