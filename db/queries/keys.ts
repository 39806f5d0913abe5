import "server-only";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, users } from "../schema";
import { databaseClock } from "./clock";

const publicColumns = {
  id: apiKeys.id,
  scope: apiKeys.scope,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  userId: apiKeys.userId,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
  expiresAt: apiKeys.expiresAt,
};

export type ApiKeyRow = {
  id: string;
  scope: string;
  name: string;
  prefix: string;
  userId: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
};

export async function insertApiKey(
  db: Executor,
  values: {
    scope: "agent" | "reviewer";
    name: string;
    prefix: string;
    keyHash: string;
    userId: string | null;
    webhookSecret: string | null;
    createdBy: string | null;
    /** From now, by the database clock; absent: the key never expires. */
    expiresInSeconds?: number;
  },
): Promise<ApiKeyRow> {
  const { expiresInSeconds, ...columns } = values;
  const [row] = await db
    .insert(apiKeys)
    .values({
      ...columns,
      expiresAt:
        expiresInSeconds === undefined
          ? null
          : sql`now() + ${expiresInSeconds} * interval '1 second'`,
    })
    .returning(publicColumns);
  if (!row) throw new Error("insert into api_keys returned no row");
  return row;
}

/**
 * An unrevoked key by the hash of its secret, with the user it belongs to and whether it has
 * expired (by the database clock, read in the same statement as `seenAt`).
 */
export async function findActiveKeyByHash(db: Executor, keyHash: string) {
  const [row] = await db
    .select({
      ...publicColumns,
      userRole: users.role,
      userEmail: users.email,
      userDisabledAt: users.disabledAt,
      // The database clock, read in the same round trip: the request's arrival.
      seenAt: databaseClock(),
      expired: sql<boolean>`coalesce(${apiKeys.expiresAt} <= clock_timestamp(), false)`,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row;
}

export async function revokeApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`clock_timestamp()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning(publicColumns);
  return row;
}

/** How often a key's `last_used_at` is stamped, at most. */
export const TOUCH_EVERY_MS = 60_000;

/** Record use at most once every TOUCH_EVERY_MS per key, so authentication stays a read. */
export async function touchApiKey(db: Executor, id: string): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, id),
        sql`(${apiKeys.lastUsedAt} IS NULL OR ${apiKeys.lastUsedAt} < now() - ${TOUCH_EVERY_MS} * interval '1 millisecond')`,
      ),
    );
}

export async function listApiKeys(db: Executor): Promise<ApiKeyRow[]> {
  return db.select(publicColumns).from(apiKeys).orderBy(asc(apiKeys.createdAt));
}

export async function findApiKeyById(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select(publicColumns).from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

/** The active agent key of that name (names are unique among them, whatever the case). */
export async function findActiveAgentKeyByName(
  db: Executor,
  name: string,
): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select(publicColumns)
    .from(apiKeys)
    .where(
      and(
        eq(apiKeys.scope, "agent"),
        isNull(apiKeys.revokedAt),
        sql`lower(${apiKeys.name}) = lower(${name})`,
      ),
    )
    .limit(1);
  return row;
}

/** Creating keys of one agent name waits here, so a name is checked and taken atomically. */
export async function lockAgentName(db: Executor, name: string): Promise<void> {
  await db.execute(
    sql`SELECT pg_advisory_xact_lock(hashtextextended(${`agent:${name.toLowerCase()}`}, 0))`,
  );
}
