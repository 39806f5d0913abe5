// API keys: shown once, stored as a sha256 hash, revocable, scoped to `agent` or `reviewer`.
//
// Who may call what:
// - createApiKey: the operator (an agent key names its owner; a reviewer key any user), or a
//   person whose role manages keys: their agent keys are owned by them, and their reviewer
//   keys act as them (nobody mints a key acting as someone else).
// - revokeApiKey, listApiKeys: the operator, or a person whose role manages keys.
// - authenticateApiKey: anyone holding a key; it is how a caller becomes a principal.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  type ApiKeyRow,
  findActiveAgentKeyByName,
  findActiveKeyByHash,
  insertApiKey,
  listApiKeys as listApiKeyRows,
  lockAgentName,
  revokeApiKey as revokeApiKeyRow,
  TOUCH_EVERY_MS,
  touchApiKey,
} from "@/db/queries/keys";
import { findUserByEmail, findUserById } from "@/db/queries/users";
import type { ApiKeyDto, CreatedKeyDto } from "@/lib/contract/accounts";
import { apiKeyDto } from "@/lib/services/dto";
import { ServiceError } from "@/lib/services/errors";
import {
  type AgentPrincipal,
  auditActor,
  type Principal,
  requireOperatorOr,
  type UserPrincipal,
} from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";
import { emailSchema } from "./users";

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

/** The longest a reviewer key may be made to last: ten years (longer: leave out the expiry). */
export const MAX_KEY_LIFETIME_SECONDS = 3650 * 24 * 60 * 60;

const createKeyInput = z.union([
  z.object({ agent: agentNameSchema, owner: emailSchema.optional() }),
  z.object({
    user: emailSchema,
    expires_in_seconds: z
      .int({ error: "expected a whole number of seconds" })
      .positive("must be positive")
      .max(MAX_KEY_LIFETIME_SECONDS, "must be at most ten years")
      .optional(),
  }),
]);

/**
 * `{ agent, owner? }` creates an agent key (owned by `owner` — by the creating person when a
 * person creates it — who then never approves what it submits); `{ user, expires_in_seconds? }`
 * creates a reviewer key acting as that user, refused once it expires (never, without one).
 * Agent names are unique among active agent keys, in any case: grants and the queue name
 * agents.
 */
export async function createApiKey(
  db: Database,
  principal: Principal,
  input: z.input<typeof createKeyInput>,
): Promise<CreatedKeyDto> {
  const data = parseInput(createKeyInput, input);
  const key = generateApiKey();
  return db.transaction(async (tx) => {
    const creator = await requireOperatorOr(tx, principal, "manage_keys", "create API keys");
    const self = creator ? await findUserById(tx, creator.id) : undefined;
    let row: ApiKeyRow;
    let webhookSecret: string | undefined;
    if ("agent" in data) {
      let ownerEmail = data.owner;
      if (self) {
        if (ownerEmail !== undefined && ownerEmail !== self.email) {
          throw new ServiceError(
            "forbidden",
            "A key you create is owned by you; leave out the owner",
          );
        }
        ownerEmail = self.email;
      }
      if (ownerEmail === undefined) {
        throw new ServiceError(
          "invalid",
          "An agent key needs an owner (--owner EMAIL): four-eyes keeps them from approving what it submits",
          [{ path: "owner", message: "is required for an agent key" }],
        );
      }
      const owner = await findUserByEmail(tx, ownerEmail);
      if (!owner || owner.disabledAt) {
        throw new ServiceError("not_found", `No active user with email ${ownerEmail}`);
      }
      await lockAgentName(tx, data.agent);
      const taken = await findActiveAgentKeyByName(tx, data.agent);
      if (taken) {
        throw new ServiceError(
          "conflict",
          `An active agent key is already named "${taken.name}" (id ${taken.id}); revoke it first or choose another name`,
        );
      }
      webhookSecret = `whsec_${randomBytes(32).toString("base64url")}`;
      row = await insertApiKey(tx, {
        scope: "agent",
        name: data.agent,
        prefix: key.slice(0, PREFIX_SHOWN),
        keyHash: hashApiKey(key),
        userId: owner.id,
        webhookSecret,
        createdBy: creator?.id ?? null,
      });
    } else {
      if (self && data.user !== self.email) {
        throw new ServiceError(
          "forbidden",
          "A reviewer key acts as its creator; you may make one only for yourself",
        );
      }
      const user = await findUserByEmail(tx, data.user);
      if (!user) throw new ServiceError("not_found", `No user with email ${data.user}`);
      row = await insertApiKey(tx, {
        scope: "reviewer",
        name: user.email,
        prefix: key.slice(0, PREFIX_SHOWN),
        keyHash: hashApiKey(key),
        userId: user.id,
        webhookSecret: null,
        createdBy: creator?.id ?? null,
        expiresInSeconds: data.expires_in_seconds,
      });
    }
    await appendAuditEvents(tx, [
      {
        ...auditActor(principal),
        type: "key.created",
        payload: {
          key_id: row.id,
          scope: row.scope,
          name: row.name,
          prefix: row.prefix,
          user_id: row.userId,
          ...(row.expiresAt ? { expires_at: row.expiresAt.toISOString() } : {}),
        },
      },
    ]);
    return {
      ...apiKeyDto(row),
      key,
      ...(webhookSecret ? { webhook_secret: webhookSecret } : {}),
    };
  });
}

export async function revokeApiKey(
  db: Database,
  principal: Principal,
  id: string,
): Promise<ApiKeyDto> {
  const keyId = parseInput(z.uuid({ error: "expected a key id (uuid)" }), id);
  return db.transaction(async (tx) => {
    await requireOperatorOr(tx, principal, "manage_keys", "revoke API keys");
    const row = await revokeApiKeyRow(tx, keyId);
    if (!row) throw new ServiceError("not_found", `No active key with id ${keyId}`);
    await appendAuditEvents(tx, [
      {
        ...auditActor(principal),
        type: "key.revoked",
        payload: { key_id: row.id, name: row.name },
      },
    ]);
    return apiKeyDto(row);
  });
}

export async function listApiKeys(db: Database, principal: Principal): Promise<ApiKeyDto[]> {
  await requireOperatorOr(db, principal, "manage_keys", "list API keys");
  return (await listApiKeyRows(db)).map(apiKeyDto);
}

/** Who a key is: its agent, or (reviewer keys) the person it acts as. */
export type KeyPrincipal = AgentPrincipal | UserPrincipal;

const KEY_SHAPE = /^alk_[A-Za-z0-9_-]{43}$/;

/**
 * The principal for a bearer key, or null for an unknown, malformed or revoked key; an expired
 * key, or a reviewer key whose person is disabled, is refused ("unauthorized") saying so. The
 * lookup is by the key's hash through a unique index, so timing reveals nothing about other
 * keys; the key's expiry and its person are read now, at every request, and the role is read
 * again by every service the person calls.
 */
export async function authenticateApiKey(db: Database, key: string): Promise<KeyPrincipal | null> {
  if (!KEY_SHAPE.test(key)) return null;
  const row = await findActiveKeyByHash(db, hashApiKey(key));
  if (!row) return null;
  if (row.expired) {
    throw new ServiceError(
      "unauthorized",
      `The API key expired at ${row.expiresAt?.toISOString()}; ask for a new one`,
    );
  }
  // The row says when the key was last stamped: within the minute, skip the round trip.
  if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
    void touchApiKey(db, row.id).catch(() => {});
  }
  if (row.scope === "agent") {
    return {
      kind: "agent",
      keyId: row.id,
      agent: row.name,
      ownerId: row.userId,
      seenAt: row.seenAt,
    };
  }
  // A reviewer key is its user: a disabled user's key stops working with them.
  if (!row.userId) return null;
  if (row.userDisabledAt) {
    throw new ServiceError("unauthorized", "The API key's account is disabled");
  }
  return { kind: "user", userId: row.userId, via: { channel: "api" } };
}
