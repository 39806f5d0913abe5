// POST /api/hitl/assess-risk — assess an action against the active rules; stores nothing
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { actionSchema } from "@/lib/contract/tasks";
import { assessAction } from "@/lib/services/rules/rules";

export const dynamic = "force-dynamic";

export const POST = apiRoute({
  name: "POST /api/hitl/assess-risk",
  auth: "key",
  body: actionSchema,
  async handler({ principal, body }) {
    return { body: assessAction(principal, body) };
  },
});

export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(["POST"]);
