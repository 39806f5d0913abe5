// How a person becomes a principal in the browser: a password (rate-limited per account and
// per address, the same answer and the same work for every failure) or an identity provider
// (found by provider and subject, never by email alone; the role comes from the provider's
// groups at every sign-in, and no role disables the account).
//
// Who may call what: anyone — these are the doors in. `sessionUser` is how a session's
// holder becomes a principal at each request; `currentUser` needs a person.
import { z } from "zod";
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
import {
  disableUserRow,
  enableUserRow,
  findUserByEmail,
  findUserById,
  insertUser,
  updateUserRole,
} from "@/db/queries/users";
import type { UserDto } from "@/lib/contract/accounts";
import { ROLE_RANK, type Role } from "@/lib/hitl";
import { userDto } from "@/lib/services/dto";
import { ServiceError } from "@/lib/services/errors";
import type { Principal } from "@/lib/services/principal";
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

const NO_ROLE = "None of your groups grants a role in Airlock";

/**
 * The user an identity provider vouches for: found by (provider, subject); created on first
 * sign-in; their role set from their groups each time. A first sign-in whose email belongs to
 * an existing account is refused: linking accounts by address alone would let whoever controls
 * that address at the provider take the account over.
 *
 * A known person whose groups no longer grant any role has left (or moved): the account is
 * disabled — committed and audited, `user.disabled` with reason "no mapped group" — and the
 * sign-in refused, rather than letting them keep the old role. The provider lifts only what it
 * did: a later sign-in whose groups map again re-enables an account it disabled, never one the
 * operator disabled (`hitl users disable`).
 */
export async function signInWithIdentity(
  db: Database,
  claims: IdentityClaims,
  roleMap: Record<string, string>,
): Promise<UserDto> {
  const role = roleForGroups(claims.groups, roleMap);
  // A refusal that must still commit (the disable) is returned, not thrown, out of the
  // transaction, and thrown after it.
  const outcome = await db.transaction(async (tx): Promise<UserDto | ServiceError> => {
    const actor = { actor_type: "system" as const, actor_id: `oidc:${claims.provider}` };
    const known = await findIdentity(tx, claims.provider, claims.subject);
    if (known) {
      const user = await findUserById(tx, known.userId);
      if (!user || (user.disabledAt && user.disabledBy !== "identity_provider")) {
        throw new ServiceError("forbidden", "This account is disabled");
      }
      await touchIdentity(tx, claims.provider, claims.subject);
      if (role === null) {
        const disabled = await disableUserRow(tx, user.id, "identity_provider");
        if (disabled) {
          await appendAuditEvents(tx, [
            {
              ...actor,
              type: "user.disabled",
              payload: {
                user_id: user.id,
                email: user.email,
                reason: "no mapped group",
                via: "oidc",
                role: user.role,
              },
            },
          ]);
        }
        return new ServiceError("forbidden", `${NO_ROLE}; your account is disabled until one does`);
      }
      let current = user;
      if (user.disabledAt) {
        const enabled = await enableUserRow(tx, user.id, "identity_provider");
        // The operator disabled it in the meantime: theirs stands.
        if (!enabled) throw new ServiceError("forbidden", "This account is disabled");
        await appendAuditEvents(tx, [
          {
            ...actor,
            type: "user.enabled",
            payload: {
              user_id: user.id,
              email: user.email,
              reason: "mapped group",
              via: "oidc",
              disabled_by: "identity_provider",
            },
          },
        ]);
        current = enabled;
      }
      if (current.role === role) return userDto(current);
      const updated = await updateUserRole(tx, user.id, role);
      if (!updated) throw new ServiceError("forbidden", "This account is disabled");
      await appendAuditEvents(tx, [
        {
          ...actor,
          type: "user.role_changed",
          payload: {
            user_id: user.id,
            email: user.email,
            from: current.role,
            to: role,
            via: "oidc",
          },
        },
      ]);
      return userDto(updated);
    }
    if (role === null) throw new ServiceError("forbidden", NO_ROLE);
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
  if (outcome instanceof ServiceError) throw outcome;
  return outcome;
}

/**
 * The person a browser session names, as they stand now, or null. A session is only a signed
 * note of who signed in: every request through one (pages, server actions, session routes)
 * re-reads the account here, so a disabled or deleted account is refused at its next request,
 * not when the session expires (SPEC §8.2), and the role is the current one, never the token's.
 */
export async function sessionUser(
  db: Database,
  userId: string | null | undefined,
): Promise<UserDto | null> {
  if (!userId || !z.uuid().safeParse(userId).success) return null;
  const user = await findUserById(db, userId);
  return user && user.disabledAt === null ? userDto(user) : null;
}

/** The signed-in person as they stand now (role included), for the page's header. */
export async function currentUser(db: Database, principal: Principal): Promise<UserDto> {
  if (principal.kind !== "user") throw new ServiceError("unauthorized", "Sign in first");
  const user = await findUserById(db, principal.userId);
  if (!user || user.disabledAt) throw new ServiceError("unauthorized", "Sign in again");
  return userDto(user);
}
