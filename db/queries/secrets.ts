// Secrets the server makes for itself, shared by every instance through the database.
import "server-only";
import { eq } from "drizzle-orm";
import type { Executor } from "../client";
import { serverSecrets } from "../schema";

/** The secret of that name, made with `generate` by whichever instance asks first. */
export async function getOrCreateSecret(
  db: Executor,
  name: string,
  generate: () => string,
): Promise<string> {
  await db.insert(serverSecrets).values({ name, value: generate() }).onConflictDoNothing();
  const [row] = await db
    .select({ value: serverSecrets.value })
    .from(serverSecrets)
    .where(eq(serverSecrets.name, name));
  if (!row) throw new Error(`server secret ${name} vanished`);
  return row.value;
}
