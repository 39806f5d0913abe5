// GET /api/hitl/risk-rules — the active levels, rules, modifiers and role policies

import { otherMethods } from "@/lib/api/fallback";
import { apiRoute } from "@/lib/api/route";
import { riskRulesSchema } from "@/lib/contract/api";
import { getRiskRules } from "@/lib/services/rules/rules";

export const dynamic = "force-dynamic";

export const GET = apiRoute({
  name: "GET /api/hitl/risk-rules",
  auth: "key",
  doc: {
    summary: "The active levels, rules, modifiers and policies",
    ok: { status: 200, schema: riskRulesSchema },
    errors: [401],
  },
  async handler({ principal }) {
    return { body: getRiskRules(principal) };
  },
});

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
