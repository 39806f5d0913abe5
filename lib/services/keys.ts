// API keys: shown once, stored as a sha256 hash, revocable, scoped to `agent` or `reviewer`.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  type ApiKeyRow,
  findActiveKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey as revokeApiKeyRow,
  touchApiKey,
} from "@/db/queries/keys";
import { findUserByEmail } from "@/db/queries/users";
import { type AuditActor, SYSTEM_ACTOR } from "./actor";
import { ServiceError } from "./errors";
import { emailSchema } from "./users";
import { parseInput } from "./validation";

const KEY_PREFIX = "alk_";
const PREFIX_SHOWN = KEY_PREFIX.length + 8;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export const agentNameSchema = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' or '-'");

const createKeyInput = z.union([
  z.object({ agent: agentNameSchema, owner: emailSchema.optional() }),
  z.object({ user: emailSchema }),
]);

export interface CreatedKey {
  id: string;
  key: string;
  /** Agent keys only: signs the webhooks sent to this agent. */
  webhook_secret?: string;
  scope: "agent" | "reviewer";
  name: string;
}

/**
 * `{ agent, owner? }` creates an agent key (owned by `owner`, who then never approves what
 * it submits); `{ user }` creates a reviewer key acting as that user.
 */
export async function createApiKey(
  db: Database,
  input: z.input<typeof createKeyInput>,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<CreatedKey> {
  const data = parseInput(createKeyInput, input);
  const key = generateApiKey();
  return db.transaction(async (tx) => {
    let row: ApiKeyRow;
    let webhookSecret: string | undefined;
    if ("agent" in data) {
      const owner = data.owner ? await findUserByEmail(tx, data.owner) : undefined;
      if (data.owner && !owner)
        throw new ServiceError("not_found", `No user with email ${data.owner}`);
      webhookSecret = `whsec_${randomBytes(32).toString("base64url")}`;
      row = await insertApiKey(tx, {
        scope: "agent",
        name: data.agent,
        prefix: key.slice(0, PREFIX_SHOWN),
        keyHash: hashApiKey(key),
        userId: owner?.id ?? null,
        webhookSecret,
        createdBy: actor.actor_type === "user" ? actor.actor_id : null,
      });
    } else {
      const user = await findUserByEmail(tx, data.user);
      if (!user) throw new ServiceError("not_found", `No user with email ${data.user}`);
      row = await insertApiKey(tx, {
        scope: "reviewer",
        name: user.email,
        prefix: key.slice(0, PREFIX_SHOWN),
        keyHash: hashApiKey(key),
        userId: user.id,
        webhookSecret: null,
        createdBy: actor.actor_type === "user" ? actor.actor_id : null,
      });
    }
    await appendAuditEvents(tx, [
      {
        ...actor,
        type: "key.created",
        payload: {
          key_id: row.id,
          scope: row.scope,
          name: row.name,
          prefix: row.prefix,
          user_id: row.userId,
        },
      },
    ]);
    return {
      id: row.id,
      key,
      scope: row.scope as "agent" | "reviewer",
      name: row.name,
      ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
    };
  });
}

export async function revokeApiKey(
  db: Database,
  id: string,
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<ApiKeyRow> {
  const keyId = parseInput(z.uuid({ error: "expected a key id (uuid)" }), id);
  return db.transaction(async (tx) => {
    const row = await revokeApiKeyRow(tx, keyId);
    if (!row) throw new ServiceError("not_found", `No active key with id ${keyId}`);
    await appendAuditEvents(tx, [
      { ...actor, type: "key.revoked", payload: { key_id: row.id, name: row.name } },
    ]);
    return row;
  });
}

export { listApiKeys };

/** Who is calling: an agent key, or a reviewer key acting as its user with the user's current role. */
export type KeyPrincipal =
  | { kind: "agent"; keyId: string; agent: string; ownerId: string | null }
  | { kind: "reviewer"; keyId: string; userId: string; email: string; role: string };

const KEY_SHAPE = /^alk_[A-Za-z0-9_-]{43}$/;

/**
 * The principal for a bearer key, or null for an unknown, malformed or revoked key. The
 * lookup is by the key's hash through a unique index, so timing reveals nothing about
 * other keys; the role is read from the user row now, not from when the key was made.
 */
export async function authenticateApiKey(db: Database, key: string): Promise<KeyPrincipal | null> {
  if (!KEY_SHAPE.test(key)) return null;
  const row = await findActiveKeyByHash(db, hashApiKey(key));
  if (!row) return null;
  void touchApiKey(db, row.id).catch(() => {});
  if (row.scope === "agent") {
    return { kind: "agent", keyId: row.id, agent: row.name, ownerId: row.userId };
  }
  // A reviewer key is its user: a disabled user's key stops working with them.
  if (!row.userId || !row.userRole || !row.userEmail || row.userDisabledAt) return null;
  return {
    kind: "reviewer",
    keyId: row.id,
    userId: row.userId,
    email: row.userEmail,
    role: row.userRole,
  };
}
