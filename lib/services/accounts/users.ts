// Reviewer accounts: created by the CLI (and the demo seed), signed in through next-auth.
//
// Who may call what:
// - addUser, setUserRole, disableUser, enableUser, actAs: the operator (the CLI). People do
//   not change accounts.
// - listUsers: the operator, or any person (approvers are shown by name everywhere).
// - verifyPassword: anyone; it is how a person signs in, and fails the same way, in the same
//   time, whatever was wrong.
import bcrypt from "bcryptjs";
import { z } from "zod";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  disableUserRow,
  enableUserRow,
  findPasswordHash,
  findUserByEmail,
  insertUser,
  listUsers as listUserRows,
  updateUserRole,
} from "@/db/queries/users";
import type { UserDto } from "@/lib/contract/accounts";
import { ROLES } from "@/lib/hitl/types";
import { userDto } from "@/lib/services/dto";
import { ServiceError } from "@/lib/services/errors";
import {
  auditActor,
  type Principal,
  requireOperator,
  requireViewer,
  type UserPrincipal,
} from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";

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

export async function addUser(
  db: Database,
  principal: Principal,
  input: { email: string; role: string; password?: string; name?: string },
): Promise<UserDto> {
  requireOperator(principal, "add users");
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
        ...auditActor(principal),
        type: "user.created",
        payload: { user_id: user.id, email: user.email, role: user.role },
      },
    ]);
    return userDto(user);
  });
}

export async function setUserRole(
  db: Database,
  principal: Principal,
  input: { email: string; role: string },
): Promise<UserDto> {
  requireOperator(principal, "change roles");
  const data = parseInput(z.object({ email: emailSchema, role: roleSchema }), input);
  return db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, data.email);
    if (!existing) throw new ServiceError("not_found", `No user with email ${data.email}`);
    const user = await updateUserRole(tx, existing.id, data.role);
    if (!user) throw new ServiceError("not_found", `No user with email ${data.email}`);
    await appendAuditEvents(tx, [
      {
        ...auditActor(principal),
        type: "user.role_changed",
        payload: { user_id: user.id, email: user.email, from: existing.role, to: user.role },
      },
    ]);
    return userDto(user);
  });
}

/**
 * Someone leaves: from their next request on, their sessions, server actions, event streams
 * and reviewer keys are refused (each re-reads the user record); their role and history stay.
 * An account the identity provider disabled becomes the operator's, so that a later sign-in
 * whose groups map again does not lift it.
 */
export async function disableUser(
  db: Database,
  principal: Principal,
  input: { email: string },
): Promise<UserDto> {
  requireOperator(principal, "disable users");
  const { email } = parseInput(z.object({ email: emailSchema }), input);
  return db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, email);
    if (!existing) throw new ServiceError("not_found", `No user with email ${email}`);
    const user = await disableUserRow(tx, existing.id, "operator");
    if (!user) {
      const since = existing.disabledAt ? ` (since ${existing.disabledAt.toISOString()})` : "";
      throw new ServiceError("conflict", `${email} is already disabled${since}`);
    }
    await appendAuditEvents(tx, [
      {
        ...auditActor(principal),
        type: "user.disabled",
        payload: {
          user_id: user.id,
          email: user.email,
          reason: "operator",
          ...(existing.disabledBy ? { previously_disabled_by: existing.disabledBy } : {}),
        },
      },
    ]);
    return userDto(user);
  });
}

/** Someone comes back, with the role they had; whoever disabled the account. */
export async function enableUser(
  db: Database,
  principal: Principal,
  input: { email: string },
): Promise<UserDto> {
  requireOperator(principal, "enable users");
  const { email } = parseInput(z.object({ email: emailSchema }), input);
  return db.transaction(async (tx) => {
    const existing = await findUserByEmail(tx, email);
    if (!existing) throw new ServiceError("not_found", `No user with email ${email}`);
    const user = await enableUserRow(tx, existing.id);
    if (!user) throw new ServiceError("conflict", `${email} is not disabled`);
    await appendAuditEvents(tx, [
      {
        ...auditActor(principal),
        type: "user.enabled",
        payload: {
          user_id: user.id,
          email: user.email,
          disabled_by: existing.disabledBy ?? "operator",
        },
      },
    ]);
    return userDto(user);
  });
}

export async function listUsers(db: Database, principal: Principal): Promise<UserDto[]> {
  await requireViewer(db, principal, "list users");
  return (await listUserRows(db)).map(userDto);
}

/** The person the operator names (`--as EMAIL`): the CLI decides as them, with their role. */
export async function actAs(
  db: Database,
  principal: Principal,
  email: string,
): Promise<UserPrincipal> {
  const op = requireOperator(principal, "act as another person");
  const address = parseInput(emailSchema, email);
  const user = await findUserByEmail(db, address);
  if (!user) throw new ServiceError("not_found", `No user with email ${address}`);
  // What they decide is recorded as made from the CLI, by the OS user running it.
  return {
    kind: "user",
    userId: user.id,
    via: { channel: "cli", ...(op.osUser === undefined ? {} : { os_user: op.osUser }) },
  };
}

// Compared against when there is no hash to compare against, so that a wrong address costs
// the same bcrypt work as a wrong password and timing does not tell which emails exist.
// Made on first use, not at import (it costs what a sign-in costs).
let dummyHash: Promise<string> | undefined;
const DUMMY_HASH = () => {
  dummyHash ??= bcrypt.hash("airlock-no-such-user", BCRYPT_COST);
  return dummyHash;
};

/** The user for a correct email and password, or null (same answer, same work, for every failure). */
export async function verifyPassword(
  db: Database,
  email: string,
  password: string,
): Promise<UserDto | null> {
  const parsed = emailSchema.safeParse(email);
  const row = parsed.success ? await findPasswordHash(db, parsed.data) : undefined;
  const usable = row?.passwordHash != null && row.disabledAt === null;
  const matches = await bcrypt.compare(
    password,
    usable ? (row.passwordHash as string) : await DUMMY_HASH(),
  );
  if (!usable || !matches || !parsed.success) return null;
  const user = await findUserByEmail(db, parsed.data);
  return user ? userDto(user) : null;
}
