import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { users } from "../schema";

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
};

export type UserRow = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabledAt: Date | null;
  createdAt: Date;
};

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select(publicColumns).from(users).where(eq(users.email, email)).limit(1);
  return row;
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return row;
}

/** The password hash, read only by sign-in. */
export async function findPasswordHash(
  db: Executor,
  email: string,
): Promise<{ id: string; passwordHash: string | null; disabledAt: Date | null } | undefined> {
  const [row] = await db
    .select({ id: users.id, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.email, email))
    .limit(1);
  return row;
}

export async function insertUser(
  db: Executor,
  values: { email: string; role: string; name?: string | null; passwordHash?: string | null },
): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning(publicColumns);
  if (!row) throw new Error("insert into users returned no row");
  return row;
}

export async function updateUserRole(
  db: Executor,
  id: string,
  role: string,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ role, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning(publicColumns);
  return row;
}

export async function listUsers(db: Executor): Promise<UserRow[]> {
  return db.select(publicColumns).from(users).orderBy(asc(users.email));
}

/**
 * The user's row locked for this transaction: claims count a reviewer's claimed requests
 * behind this lock, so two concurrent claims cannot both pass the limit. NO KEY UPDATE, so
 * rows that merely reference the user (KEY SHARE) never deadlock with it.
 */
export async function lockUserRow(db: Executor, id: string): Promise<void> {
  await db.select({ id: users.id }).from(users).where(eq(users.id, id)).for("no key update");
}

/** The addresses of the enabled people holding one of these roles, in a stable order. */
export async function listEmailsOfRoles(db: Executor, roles: readonly string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const rows = await db
    .select({ email: users.email })
    .from(users)
    .where(
      sql`${users.role} IN (${sql.join(
        roles.map((r) => sql`${r}`),
        sql`, `,
      )}) AND ${users.disabledAt} IS NULL`,
    )
    .orderBy(asc(users.email));
  return rows.map((r) => r.email);
}
