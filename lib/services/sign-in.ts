// How a person becomes a principal in the browser: a password (rate-limited per account and
// per address, the same answer and the same work for every failure) or an identity provider
// (found by provider and subject, never by email alone; the role comes from the provider's
// groups at every sign-in).
//
// Who may call what: anyone — these are the doors in. `currentUser` needs a person.
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import {
  clearAttempts,
  countAttempt,
  findIdentity,
  insertIdentity,
  touchIdentity,
  uncountAttempt,
} from "@/db/queries/sign-in";
import { findUserByEmail, findUserById, insertUser, updateUserRole } from "@/db/queries/users";
import type { UserDto } from "@/lib/contract/accounts";
import { ROLE_RANK, type Role } from "@/lib/hitl";
import { userDto } from "./dto";
import { ServiceError } from "./errors";
import type { Principal } from "./principal";
import { emailSchema, verifyPassword } from "./users";

export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  perAccount: 5,
  perAddress: 30,
} as const;

const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
const addressKey = (address: string) => `address:${address}`;

/**
 * The user for a correct email and password, or null. After too many failures for the
 * account or from the address in the window, refused with "limit" before any password is
 * checked, whatever was typed.
 *
 * Each attempt takes its place in the counts before the password is checked (a refused one
 * takes none), so parallel guesses get no more tries than serial ones: the sixth concurrent
 * wrong guess at an account is refused without a bcrypt. A failure keeps its place; a success
 * clears the account's count and gives the address its place back.
 */
export async function signInWithPassword(
  db: Database,
  input: { email: string; password: string; address: string | null },
): Promise<UserDto | null> {
  const { windowSeconds } = SIGN_IN_LIMITS;
  const account = accountKey(input.email);
  const address = input.address ? addressKey(input.address) : null;
  await db.transaction(async (tx) => {
    const counts = await countAttempt(tx, address ? [account, address] : [account], windowSeconds);
    const over = (key: string, limit: number) =>
      (counts.get(key) ?? Number.POSITIVE_INFINITY) > limit;
    // Rolled back: a refused attempt counts against neither key.
    if (
      over(account, SIGN_IN_LIMITS.perAccount) ||
      (address && over(address, SIGN_IN_LIMITS.perAddress))
    ) {
      throw new ServiceError(
        "limit",
        `Too many failed sign-ins; try again in ${windowSeconds / 60} minutes`,
      );
    }
  });
  const user = await verifyPassword(db, input.email, input.password);
  if (!user) return null;
  await clearAttempts(db, account);
  if (address) await uncountAttempt(db, address, windowSeconds);
  return user;
}

/** The highest role any of the groups grants, or null. */
export function roleForGroups(groups: readonly string[], map: Record<string, string>): Role | null {
  let best: Role | null = null;
  for (const group of groups) {
    const role = map[group] as Role | undefined;
    if (role && (best === null || ROLE_RANK[role] > ROLE_RANK[best])) best = role;
  }
  return best;
}

export interface IdentityClaims {
  provider: string;
  subject: string;
  email: string | null;
  name: string | null;
  groups: readonly string[];
}

/**
 * The user an identity provider vouches for: found by (provider, subject); created on first
 * sign-in; their role set from their groups each time. A first sign-in whose email belongs to
 * an existing account is refused: linking accounts by address alone would let whoever controls
 * that address at the provider take the account over.
 */
export async function signInWithIdentity(
  db: Database,
  claims: IdentityClaims,
  roleMap: Record<string, string>,
): Promise<UserDto> {
  const role = roleForGroups(claims.groups, roleMap);
  if (role === null) {
    throw new ServiceError("forbidden", "None of your groups grants a role in Airlock");
  }
  return db.transaction(async (tx) => {
    const actor = { actor_type: "system" as const, actor_id: `oidc:${claims.provider}` };
    const known = await findIdentity(tx, claims.provider, claims.subject);
    if (known) {
      const user = await findUserById(tx, known.userId);
      if (!user || user.disabledAt) throw new ServiceError("forbidden", "This account is disabled");
      await touchIdentity(tx, claims.provider, claims.subject);
      if (user.role === role) return userDto(user);
      const updated = await updateUserRole(tx, user.id, role);
      if (!updated) throw new ServiceError("forbidden", "This account is disabled");
      await appendAuditEvents(tx, [
        {
          ...actor,
          type: "user.role_changed",
          payload: { user_id: user.id, email: user.email, from: user.role, to: role, via: "oidc" },
        },
      ]);
      return userDto(updated);
    }
    const email = claims.email ? emailSchema.safeParse(claims.email) : undefined;
    if (!email?.success) {
      throw new ServiceError("forbidden", "The identity provider sent no usable email address");
    }
    if (await findUserByEmail(tx, email.data)) {
      throw new ServiceError(
        "conflict",
        `An Airlock account already uses ${email.data}; an operator must link it to your sign-in`,
      );
    }
    const user = await insertUser(tx, { email: email.data, role, name: claims.name });
    await insertIdentity(tx, {
      provider: claims.provider,
      subject: claims.subject,
      userId: user.id,
    });
    await appendAuditEvents(tx, [
      {
        ...actor,
        type: "user.created",
        payload: { user_id: user.id, email: user.email, role, via: "oidc" },
      },
    ]);
    return userDto(user);
  });
}

/** The signed-in person as they stand now (role included), for the page's header. */
export async function currentUser(db: Database, principal: Principal): Promise<UserDto> {
  if (principal.kind !== "user") throw new ServiceError("unauthorized", "Sign in first");
  const user = await findUserById(db, principal.userId);
  if (!user || user.disabledAt) throw new ServiceError("unauthorized", "Sign in again");
  return userDto(user);
}
