// The signed-in person as a service principal. Pages, server actions and session routes all
// go through here, and here the account is read again at every request: a session names who
// signed in, not what they may still do, so a disabled account stops at its next request.
import "server-only";
import { getServerSession } from "next-auth";
import { getDb } from "@/db/client";
import type { UserDto } from "@/lib/contract/accounts";
import { sessionUser } from "@/lib/services/accounts/sign-in";
import type { UserPrincipal } from "@/lib/services/principal";
import { authOptions } from "./options";

export interface SessionPerson {
  principal: UserPrincipal;
  /** The account as it stands now (role included), not as the session token remembers it. */
  user: UserDto;
}

/** The session's person, or null: no session, or an account since disabled or deleted. */
export async function sessionPerson(): Promise<SessionPerson | null> {
  const session = await getServerSession(authOptions());
  const id = session?.user?.id;
  if (!id) return null;
  const { db } = await getDb();
  const user = await sessionUser(db, id);
  return user
    ? { principal: { kind: "user", userId: user.id, via: { channel: "browser" } }, user }
    : null;
}

export async function sessionPrincipal(): Promise<UserPrincipal | null> {
  return (await sessionPerson())?.principal ?? null;
}
