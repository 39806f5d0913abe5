// GET /api/hitl/risk-rules — the active levels, rules, modifiers and role policies
import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { riskRulesSchema } from "@/lib/contract/api";
import { hitlConfig } from "@/lib/services/config";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/hitl/risk-rules",
  auth: "key",
  async handler() {
    return { body: riskRulesSchema.parse(hitlConfig().ruleSet.view) };
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
