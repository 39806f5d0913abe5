// The active rule set, read and tried: the rule viewer, its simulator and the assess-risk route.
//
// Who may call what: any key or any person (the rules are not secret to anyone inside);
// nothing is stored.
import {
  type AssessmentDto,
  assessmentSchema,
  type RiskRulesDto,
  riskRulesSchema,
} from "@/lib/contract/api";
import { actionSchema } from "@/lib/contract/tasks";
import { assess } from "@/lib/hitl";
import { ServiceError } from "@/lib/services/errors";
import type { Principal } from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";
import { hitlConfig } from "./config";

function requireInside(principal: Principal, what: string): void {
  if (principal.kind === "system")
    throw new ServiceError("forbidden", `The system does not ${what}`);
}

/** How an action would be assessed now; stores nothing. */
export function assessAction(principal: Principal, action: unknown): AssessmentDto {
  requireInside(principal, "assess actions");
  return assessmentSchema.parse(assess(hitlConfig().ruleSet, parseInput(actionSchema, action)));
}

/** The active levels, rules, modifiers, role policies and permission table. */
export function getRiskRules(principal: Principal): RiskRulesDto {
  requireInside(principal, "read the rules");
  return riskRulesSchema.parse(hitlConfig().ruleSet.view);
}
