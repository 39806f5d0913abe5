import { z } from "zod";
import { GRANT_LIMITS } from "../hitl/types";
import { requiredText, text } from "./json";

export const createGrantSchema = z.strictObject({
  agent: requiredText(100),
  agent_name: text(100).nullish(),
  type_pattern: requiredText(200),
  environment: text(100).nullish(),
  /** The highest level it covers (never critical); by default the grantor's own highest. */
  max_level: z
    .enum(["low", "medium", "high"], { error: "expected low, medium or high (never critical)" })
    .nullish(),
  max_uses: z.int().min(1).max(GRANT_LIMITS.maxUses),
  expires_in_minutes: z.int().min(1).max(GRANT_LIMITS.maxMinutes),
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

/**
 * Whether the reader may grant a standing approval from a request, and what it would cover by
 * default; or why not (lib/services/grants/grants.ts standingApprovalOffer).
 */
export const grantOfferSchema = z.discriminatedUnion("offered", [
  z.object({
    offered: z.literal(true),
    /** The name of the key that submitted the request: the grant is bound to that key. */
    agent: z.string(),
    /** The request's sub-agent label, which the grant may be narrowed to. */
    agent_name: z.string(),
    /** The defaults: the request's exact type, and its environment (null: it has none). */
    type_pattern: z.string(),
    environment: z.string().nullable(),
    /** What the grant covers by default: the request's own level. */
    max_level: z.enum(["low", "medium", "high"]),
    /** How far the reader may widen it: their own highest grantable level. */
    max_grantable_level: z.enum(["low", "medium", "high"]),
    max_uses: z.int(),
    max_minutes: z.int(),
  }),
  z.object({ offered: z.literal(false), reason: z.string() }),
]);
export type GrantOfferDto = z.infer<typeof grantOfferSchema>;
