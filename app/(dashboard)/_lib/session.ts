// The signed-in person for the dashboard's server components, read once per request.
import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { sessionPrincipal } from "@/lib/auth/session";
import type { UserDto } from "@/lib/contract/accounts";
import { isServiceError } from "@/lib/services/errors";
import type { UserPrincipal } from "@/lib/services/principal";
import { currentUser } from "@/lib/services/sign-in";

export interface SignedIn {
  principal: UserPrincipal;
  user: UserDto;
  db: Awaited<ReturnType<typeof getDb>>["db"];
}

export const signedIn = cache(async (): Promise<SignedIn | null> => {
  const principal = await sessionPrincipal();
  if (!principal) return null;
  const { db } = await getDb();
  try {
    return { principal, user: await currentUser(db, principal), db };
  } catch (error) {
    // A disabled or deleted account: its session no longer signs anyone in.
    if (isServiceError(error) && error.code === "unauthorized") return null;
    throw error;
  }
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
