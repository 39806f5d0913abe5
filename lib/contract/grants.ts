import { z } from "zod";
import { GRANT_LIMITS } from "@/lib/hitl";
import { requiredText, text } from "./json";

export const createGrantSchema = z.strictObject({
  agent: requiredText(100),
  agent_name: text(100).nullish(),
  type_pattern: requiredText(200),
  environment: text(100).nullish(),
  max_uses: z.int().min(1).max(GRANT_LIMITS.maxUses),
  expires_in_minutes: z.int().min(1).max(GRANT_LIMITS.maxMinutes),
  reason: requiredText(2000),
});
export type CreateGrantInput = z.output<typeof createGrantSchema>;
