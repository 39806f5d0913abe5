// Sign-in's own tables: identities from an identity provider, and the password attempts
// counted against the sign-in limits.
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { signInFailures, userIdentities } from "../schema";

export async function findIdentity(
  db: Executor,
  provider: string,
  subject: string,
): Promise<{ userId: string } | undefined> {
  const [row] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)));
  return row;
}

export async function insertIdentity(
  db: Executor,
  values: { provider: string; subject: string; userId: string },
): Promise<void> {
  await db.insert(userIdentities).values({ ...values, lastSignInAt: sql`now()` });
}

export async function touchIdentity(db: Executor, provider: string, subject: string) {
  await db
    .update(userIdentities)
    .set({ lastSignInAt: sql`now()` })
    .where(and(eq(userIdentities.provider, provider), eq(userIdentities.subject, subject)));
}

/** The window a count belongs to is still open. */
const windowOpen = (windowSeconds: number) =>
  sql`${signInFailures.windowStart} > now() - make_interval(secs => ${windowSeconds})`;

/**
 * Count one more attempt for each key (a new window for a key whose window has passed) and
 * answer each key's count with it. One statement: concurrent attempts queue on the keys' rows,
 * so each sees the count the ones before it left. Keys are locked in sorted order, so attempts
 * that share keys never deadlock; inside a transaction the rows stay locked until it ends.
 */
export async function countAttempt(
  db: Executor,
  keys: readonly string[],
  windowSeconds: number,
): Promise<Map<string, number>> {
  const open = windowOpen(windowSeconds);
  const rows = await db
    .insert(signInFailures)
    .values([...keys].sort().map((key) => ({ key, windowStart: sql`now()`, failures: 1 })))
    .onConflictDoUpdate({
      target: signInFailures.key,
      set: {
        failures: sql`CASE WHEN ${open} THEN ${signInFailures.failures} + 1 ELSE 1 END`,
        windowStart: sql`CASE WHEN ${open} THEN ${signInFailures.windowStart} ELSE now() END`,
      },
    })
    .returning({ key: signInFailures.key, failures: signInFailures.failures });
  return new Map(rows.map((r) => [r.key, r.failures]));
}

/** Forget every attempt counted for `key` (an account that has just signed in). */
export async function clearAttempts(db: Executor, key: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.key, key));
}

/** Take back one attempt counted for `key` in the window that is still open. */
export async function uncountAttempt(db: Executor, key: string, windowSeconds: number) {
  await db
    .update(signInFailures)
    .set({ failures: sql`greatest(${signInFailures.failures} - 1, 0)` })
    .where(and(eq(signInFailures.key, key), windowOpen(windowSeconds)));
}
