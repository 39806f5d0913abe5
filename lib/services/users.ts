// Reviewer accounts: created by the CLI (and the demo seed), signed in through next-auth.
import bcrypt from "bcryptjs";
import { z } from "zod";
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  findPasswordHash,
  findUserByEmail,
  findUserById,
  insertUser,
  listUsers as listUserRows,
  type UserRow,
  updateUserRole,
} from "@/db/queries/users";
import type { Reviewer } from "@/lib/hitl";
import { ROLES, type Role } from "@/lib/hitl/types";
import { type AuditActor, SYSTEM_ACTOR } from "./actor";
import { ServiceError } from "./errors";
import { parseInput } from "./validation";

const BCRYPT_COST = 11;

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: "expected an email address" }));
export const roleSchema = z.enum(ROLES, {
  error: `expected one of ${ROLES.join(", ")}`,
});
const passwordSchema = z.string().min(8, "must be at least 8 characters").max(200);

const addUserInput = z.object({
  email: emailSchema,
  role: roleSchema,
  password: passwordSchema.optional(),
  name: z.string().trim().min(1).max(200).optional(),
});

export type PublicUser = { id: string; email: string; role: string; name: string | null };

const toPublic = (u: UserRow): PublicUser => ({
  id: u.id,
  email: u.email,
  role: u.role,
  name: u.name,
});

export async function addUser(
  db: Database,
  input: { email: string; role: string; password?: string; name?: string },
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<PublicUser> {
  const data = parseInput(addUserInput, input);
  const passwordHash = data.password ? await bcrypt.hash(data.password, BCRYPT_COST) : null;
  return db.transaction(async (tx) => {
    if (await findUserByEmail(tx, data.email)) {
      throw new ServiceError("conflict", `A user with email ${data.email} already exists`);
    }
    const user = await insertUser(tx, {
      email: data.email,
      role: data.role,
      name: data.name ?? null,
      passwordHash,
    });
    await appendAuditEvents(tx, [
      {
        ...actor,
        type: "user.created",
        payload: { user_id: user.id, email: user.email, role: user.role },
      },
    ]);
    return toPublic(user);
  });
}

export async function setUserRole(
  db: Database,
  input: { email: string; role: string },
  actor: AuditActor = SYSTEM_ACTOR,
): Promise<PublicUser> {
  const data = parseInput(z.object({ email: emailSchema, role: roleSchema }), input);
  return db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, data.email);
    if (!existing) throw new ServiceError("not_found", `No user with email ${data.email}`);
    const user = await updateUserRole(tx, existing.id, data.role);
    if (!user) throw new ServiceError("not_found", `No user with email ${data.email}`);
    await appendAuditEvents(tx, [
      {
        ...actor,
        type: "user.role_changed",
        payload: { user_id: user.id, email: user.email, from: existing.role, to: user.role },
      },
    ]);
    return toPublic(user);
  });
}

export async function listUsers(db: Database): Promise<PublicUser[]> {
  return (await listUserRows(db)).map(toPublic);
}

/** The user for a correct email and password, or null (same answer for every failure). */
export async function verifyPassword(
  db: Database,
  email: string,
  password: string,
): Promise<PublicUser | null> {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) return null;
  const row = await findPasswordHash(db, parsed.data);
  if (!row?.passwordHash || row.disabledAt) return null;
  if (!(await bcrypt.compare(password, row.passwordHash))) return null;
  const user = await findUserByEmail(db, parsed.data);
  return user ? toPublic(user) : null;
}

/**
 * The reviewer as they stand now: eligibility comes from the user record at the moment of a
 * decision, not from what a page or a key showed earlier.
 */
export async function currentReviewer(tx: Executor, userId: string): Promise<Reviewer> {
  const user = await findUserById(tx, userId);
  if (!user || user.disabledAt) throw new ServiceError("forbidden", "Unknown or disabled user");
  return { id: user.id, role: user.role as Role };
}
