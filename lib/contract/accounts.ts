// Reviewer accounts and API keys as the CLI and the keys page show them: never a hash.
import { z } from "zod";

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(["viewer", "developer", "tech_lead", "devops_engineer"]),
  name: z.string().nullable(),
  disabled: z.boolean(),
  /** When the account was disabled; null while it is enabled. */
  disabled_at: z.iso.datetime().nullable(),
  /** Who disabled it: the operator, or a sign-in whose groups no longer grant a role. */
  disabled_by: z.enum(["operator", "identity_provider"]).nullable(),
});
export type UserDto = z.infer<typeof userSchema>;

export const apiKeySchema = z.object({
  id: z.uuid(),
  scope: z.enum(["agent", "reviewer"]),
  /** The agent's name (agent keys) or the user's email (reviewer keys). */
  name: z.string(),
  /** The first characters of the key, to tell keys apart. */
  prefix: z.string(),
  /** The owner (agent keys) or the user the key acts as (reviewer keys). */
  user_id: z.uuid().nullable(),
  created_at: z.iso.datetime(),
  last_used_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  /** Reviewer keys may expire; null: never. */
  expires_at: z.iso.datetime().nullable(),
});
export type ApiKeyDto = z.infer<typeof apiKeySchema>;

/** A key just made: the secret and, for agent keys, the webhook secret, shown this once. */
export const createdKeySchema = apiKeySchema.extend({
  key: z.string(),
  webhook_secret: z.string().optional(),
});
export type CreatedKeyDto = z.infer<typeof createdKeySchema>;
