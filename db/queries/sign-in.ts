// Sign-in's own tables: identities from an identity provider, and failed attempts.
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

/** Failures recorded for `key` in the window that is still open (0 once it has passed). */
export async function failuresInWindow(
  db: Executor,
  key: string,
  windowSeconds: number,
): Promise<number> {
  const [row] = await db
    .select({ failures: signInFailures.failures })
    .from(signInFailures)
    .where(
      and(
        eq(signInFailures.key, key),
        sql`${signInFailures.windowStart} > now() - make_interval(secs => ${windowSeconds})`,
      ),
    );
  return row?.failures ?? 0;
}

/** Count one failure for `key`, starting a new window when the last one has passed. */
export async function recordFailure(db: Executor, key: string, windowSeconds: number) {
  await db
    .insert(signInFailures)
    .values({ key, windowStart: sql`now()`, failures: 1 })
    .onConflictDoUpdate({
      target: signInFailures.key,
      set: {
        failures: sql`CASE WHEN ${signInFailures.windowStart} > now() - make_interval(secs => ${windowSeconds}) THEN ${signInFailures.failures} + 1 ELSE 1 END`,
        windowStart: sql`CASE WHEN ${signInFailures.windowStart} > now() - make_interval(secs => ${windowSeconds}) THEN ${signInFailures.windowStart} ELSE now() END`,
      },
    });
}

export async function clearFailures(db: Executor, key: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.key, key));
}
