import { z } from "zod";
import { requiredText, text } from "./json";

// The same bounds as lib/hitl's GRANT_LIMITS (a test keeps them equal): a grant is
// time-boxed and counted, at most a week and 10,000 uses.
export const GRANT_MAX_USES = 10_000;
export const GRANT_MAX_MINUTES = 7 * 24 * 60;

export const createGrantSchema = z.strictObject({
  agent: requiredText(100),
  agent_name: text(100).nullish(),
  type_pattern: requiredText(200),
  environment: text(100).nullish(),
  /** The highest level it covers (never critical); by default the grantor's own highest. */
  max_level: z
    .enum(["low", "medium", "high"], { error: "expected low, medium or high (never critical)" })
    .nullish(),
  max_uses: z.int().min(1).max(GRANT_MAX_USES),
  expires_in_minutes: z.int().min(1).max(GRANT_MAX_MINUTES),
  reason: requiredText(2000),
});
export type CreateGrantInput = z.output<typeof createGrantSchema>;

export const grantSchema = z.object({
  id: z.uuid(),
  grantor_id: z.uuid(),
  grantor_role: z.string(),
  agent: z.string(),
  agent_name: z.string().nullable(),
  type_pattern: z.string(),
  environment: z.string().nullable(),
  max_level: z.enum(["low", "medium", "high"]),
  max_uses: z.int(),
  uses: z.int(),
  reason: z.string(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
  revoked_by: z.string().nullable(),
});
export type GrantDto = z.infer<typeof grantSchema>;
