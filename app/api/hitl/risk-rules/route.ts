// GET /api/hitl/risk-rules — the active levels, rules, modifiers and role policies
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { getRiskRules } from "@/lib/services/rules/rules";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/hitl/risk-rules",
  auth: "key",
  async handler({ principal }) {
    return { body: getRiskRules(principal) };
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
