// Slack approvals' own rows: the message that announced each request (to update it), and
// which Airlock user a Slack user is (user_identities, provider "slack").
import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { outbox, slackMessages, userIdentities } from "../schema";

export const SLACK_PROVIDER = "slack";

export type SlackMessageRow = typeof slackMessages.$inferSelect;

export async function findSlackMessage(
  db: Executor,
  requestId: string,
): Promise<SlackMessageRow | undefined> {
  const [row] = await db.select().from(slackMessages).where(eq(slackMessages.requestId, requestId));
  return row;
}

/** Record the posted message; a second post of the same request (a retry) keeps the first. */
export async function insertSlackMessage(
  db: Executor,
  values: { requestId: string; channel: string; ts: string },
): Promise<void> {
  await db.insert(slackMessages).values(values).onConflictDoNothing();
}

export async function touchSlackMessage(db: Executor, requestId: string): Promise<void> {
  await db
    .update(slackMessages)
    .set({ updatedAt: sql`now()` })
    .where(eq(slackMessages.requestId, requestId));
}

/** Whether the request's announcement (another slack row) is still waiting to be delivered. */
export async function slackPostPending(
  db: Executor,
  requestId: string,
  exceptRowId: string,
): Promise<boolean> {
  const rows = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.requestId, requestId),
        eq(outbox.channel, "slack"),
        eq(outbox.eventType, "hitl.approval_requested"),
        eq(outbox.status, "pending"),
        ne(outbox.id, exceptRowId),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** The Airlock user a Slack user is linked to. */
export async function findSlackLink(
  db: Executor,
  slackUserId: string,
): Promise<{ userId: string } | undefined> {
  const [row] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(
      and(eq(userIdentities.provider, SLACK_PROVIDER), eq(userIdentities.subject, slackUserId)),
    );
  return row;
}

/**
 * Link a Slack user to an Airlock user, replacing any earlier link of that Slack user.
 * Returns the user it was linked to before, if another.
 */
export async function upsertSlackLink(
  db: Executor,
  slackUserId: string,
  userId: string,
): Promise<{ previousUserId: string | null }> {
  const [before] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(
      and(eq(userIdentities.provider, SLACK_PROVIDER), eq(userIdentities.subject, slackUserId)),
    )
    .for("update");
  await db
    .insert(userIdentities)
    .values({ provider: SLACK_PROVIDER, subject: slackUserId, userId })
    .onConflictDoUpdate({
      target: [userIdentities.provider, userIdentities.subject],
      set: { userId },
    });
  return { previousUserId: before && before.userId !== userId ? before.userId : null };
}
