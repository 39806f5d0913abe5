import "server-only";
import { and, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import type { Grant, RiskLevel, Role } from "@/lib/hitl";
import type { Executor } from "../client";
import { standingApprovals, users } from "../schema";

type GrantRow = typeof standingApprovals.$inferSelect;

export function toGrant(row: GrantRow): Grant {
  return {
    id: row.id,
    grantor_id: row.grantorId,
    grantor_role: row.grantorRole as Role,
    agent: row.agent,
    agent_name: row.agentName,
    type_pattern: row.typePattern,
    environment: row.environment,
    max_level: row.maxLevel as RiskLevel,
    max_uses: row.maxUses,
    uses: row.uses,
    reason: row.reason,
    created_at: row.createdAt,
    expires_at: row.expiresAt,
    revoked_at: row.revokedAt,
    revoked_by: row.revokedBy,
  };
}

export async function insertGrant(db: Executor, grant: Grant, agentKeyId: string): Promise<Grant> {
  const [row] = await db
    .insert(standingApprovals)
    .values({
      id: grant.id,
      agentKeyId,
      grantorId: grant.grantor_id,
      grantorRole: grant.grantor_role,
      agent: grant.agent,
      agentName: grant.agent_name,
      typePattern: grant.type_pattern,
      environment: grant.environment,
      maxLevel: grant.max_level,
      maxUses: grant.max_uses,
      uses: grant.uses,
      reason: grant.reason,
      createdAt: grant.created_at,
      expiresAt: grant.expires_at,
    })
    .returning();
  if (!row) throw new Error("insert into standing_approvals returned no row");
  return toGrant(row);
}

/** A grant of the key that is neither revoked, expired nor used up at `now`. */
function activeGrantOf(agentKeyId: string, now: Date) {
  return and(
    eq(standingApprovals.agentKeyId, agentKeyId),
    isNull(standingApprovals.revokedAt),
    gt(standingApprovals.expiresAt, now),
    sql`${standingApprovals.uses} < ${standingApprovals.maxUses}`,
  );
}

/** Whether the key has any active grant (a read without locks, before a submit's write). */
export async function hasActiveGrant(db: Executor, agentKeyId: string, now: Date) {
  const rows = await db
    .select({ id: standingApprovals.id })
    .from(standingApprovals)
    .where(activeGrantOf(agentKeyId, now))
    .limit(1);
  return rows.length > 0;
}

/**
 * Unrevoked, unexpired grants for an agent key, locked so that two submits cannot both take
 * the last use of one grant; with the current role of each grantor.
 */
export async function lockActiveGrantsForKey(db: Executor, agentKeyId: string, now: Date) {
  const rows = await db
    .select()
    .from(standingApprovals)
    .where(activeGrantOf(agentKeyId, now))
    .for("update");
  const grants = rows.map(toGrant);
  const roles = new Map<string, Role>();
  if (grants.length > 0) {
    const grantors = await db
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(
        and(
          inArray(
            users.id,
            grants.map((g) => g.grantor_id),
          ),
          isNull(users.disabledAt),
        ),
      );
    for (const u of grantors) roles.set(u.id, u.role as Role);
  }
  return { grants, roles };
}

export async function countGrantUse(db: Executor, id: string): Promise<void> {
  await db
    .update(standingApprovals)
    .set({ uses: sql`${standingApprovals.uses} + 1` })
    .where(eq(standingApprovals.id, id));
}

export async function lockGrant(db: Executor, id: string): Promise<Grant | undefined> {
  const [row] = await db
    .select()
    .from(standingApprovals)
    .where(eq(standingApprovals.id, id))
    .for("update");
  return row ? toGrant(row) : undefined;
}

export async function markGrantRevoked(db: Executor, grant: Grant): Promise<void> {
  await db
    .update(standingApprovals)
    .set({ revokedAt: grant.revoked_at, revokedBy: grant.revoked_by })
    .where(eq(standingApprovals.id, grant.id));
}

/** The newest grants first; `activeOnly`: unrevoked and unexpired by the database clock. */
export async function listGrants(
  db: Executor,
  opts: { activeOnly?: boolean } = {},
): Promise<Grant[]> {
  const rows = await db
    .select()
    .from(standingApprovals)
    .where(
      opts.activeOnly
        ? and(
            isNull(standingApprovals.revokedAt),
            sql`${standingApprovals.expiresAt} > clock_timestamp()`,
          )
        : undefined,
    )
    .orderBy(desc(standingApprovals.createdAt))
    .limit(500);
  return rows.map(toGrant);
}

/** A standing approval's id and the person who granted it (for "approved by a grant"). */
export async function findGrantApprover(
  db: Executor,
  grantId: string,
): Promise<{ id: string; granted_by: { id: string; email: string; name: string | null } } | null> {
  const [row] = await db
    .select({ id: standingApprovals.id, userId: users.id, email: users.email, name: users.name })
    .from(standingApprovals)
    .innerJoin(users, eq(users.id, standingApprovals.grantorId))
    .where(eq(standingApprovals.id, grantId));
  return row
    ? { id: row.id, granted_by: { id: row.userId, email: row.email, name: row.name } }
    : null;
}
