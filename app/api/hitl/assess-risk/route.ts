// POST /api/hitl/assess-risk — assess an action against the active rules; stores nothing
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { assessmentSchema } from "@/lib/contract/api";
import { actionSchema } from "@/lib/contract/tasks";
import { assess } from "@/lib/hitl";
import { hitlConfig } from "@/lib/services/config";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/assess-risk",
  auth: "key",
  body: actionSchema,
  async handler({ body }) {
    return { body: assessmentSchema.parse(assess(hitlConfig().ruleSet, body)) };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
