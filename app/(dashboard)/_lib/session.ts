// The signed-in person for the dashboard's server components, read once per request.
import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { sessionPerson } from "@/lib/auth/session";
import type { UserDto } from "@/lib/contract/accounts";
import type { UserPrincipal } from "@/lib/services/principal";

export interface SignedIn {
  principal: UserPrincipal;
  user: UserDto;
  db: Awaited<ReturnType<typeof getDb>>["db"];
}

// A disabled or deleted account's session signs nobody in: null, as without a session.
export const signedIn = cache(async (): Promise<SignedIn | null> => {
  const person = await sessionPerson();
  if (!person) return null;
  const { db } = await getDb();
  return { ...person, db };
});

/** The person, or a redirect to the sign-in page that comes back to `path`. */
export async function requireSignedIn(path: string): Promise<SignedIn> {
  const s = await signedIn();
  if (!s) redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  return s;
}

/** `path?query` from a page's search params, for the way back after signing in. */
export function pathWithQuery(
  path: string,
  params: Record<string, string | string[] | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === "string") q.set(k, v);
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function firstParam(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
