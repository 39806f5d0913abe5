import "server-only";
import { and, asc, eq, inArray, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { approvals, type DISABLED_BY_VALUES, users } from "../schema";

export type DisabledBy = (typeof DISABLED_BY_VALUES)[number];

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  disabledAt: users.disabledAt,
  disabledBy: users.disabledBy,
  createdAt: users.createdAt,
};

export type UserRow = {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabledAt: Date | null;
  disabledBy: string | null;
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

/**
 * Disable an account, unless it already is by someone at least as strong: the operator's
 * disable replaces the identity provider's (so a later sign-in cannot lift it), never the
 * other way round. Undefined when there was nothing to do.
 */
export async function disableUserRow(
  db: Executor,
  id: string,
  by: DisabledBy,
): Promise<UserRow | undefined> {
  const replaceable =
    by === "operator"
      ? sql`(${users.disabledAt} IS NULL OR ${users.disabledBy} = 'identity_provider')`
      : isNull(users.disabledAt);
  const [row] = await db
    .update(users)
    .set({
      disabledAt: sql`coalesce(${users.disabledAt}, clock_timestamp())`,
      disabledBy: by,
      updatedAt: sql`now()`,
    })
    .where(and(eq(users.id, id), replaceable))
    .returning(publicColumns);
  return row;
}

/**
 * Enable a disabled account; `onlyBy` enables it only if that is who disabled it. Undefined
 * when there was nothing to do.
 */
export async function enableUserRow(
  db: Executor,
  id: string,
  onlyBy?: DisabledBy,
): Promise<UserRow | undefined> {
  const [row] = await db
    .update(users)
    .set({ disabledAt: null, disabledBy: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(users.id, id),
        isNotNull(users.disabledAt),
        onlyBy ? eq(users.disabledBy, onlyBy) : undefined,
      ),
    )
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A person as reads name them: never an id alone. */
export type PersonRow = { id: string; email: string; name: string | null };

/**
 * The people these ids name, and everyone who approved one of these requests, by id: one
 * query for a whole read, however many rows name them (disabled people included: what they
 * decided stays theirs).
 */
export async function listPeople(
  db: Executor,
  who: { ids?: readonly (string | null)[]; approversOf?: readonly string[] },
): Promise<Map<string, PersonRow>> {
  // An audit event's actor id is text: only a uuid can name a user.
  const ids = [
    ...new Set((who.ids ?? []).filter((id): id is string => id !== null && UUID.test(id))),
  ];
  const requestIds = [...new Set(who.approversOf ?? [])];
  const named: SQL[] = [];
  if (ids.length > 0) named.push(inArray(users.id, ids));
  if (requestIds.length > 0) {
    named.push(
      inArray(
        users.id,
        db
          .select({ id: approvals.approverId })
          .from(approvals)
          .where(inArray(approvals.requestId, requestIds)),
      ),
    );
  }
  if (named.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(or(...named));
  return new Map(rows.map((r) => [r.id, r]));
}
