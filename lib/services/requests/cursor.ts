// The approval queue's keyset cursor: opaque to clients and signed by the server, so the only
// cursors it reads back are ones it issued. Anything else — forged, edited, truncated, from
// another installation — is a 400 naming `cursor`, before any of it reaches a query.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Executor } from "@/db/client";
import type { QueuePosition } from "@/db/queries/queue";
import { getOrCreateSecret } from "@/db/queries/secrets";
import { ServiceError } from "@/lib/services/errors";

const SECRET_NAME = "queue-cursor";
let cachedSecret: Promise<Buffer> | undefined;

/** One secret for every instance, kept in the database and made by whoever asks first. */
function cursorSecret(db: Executor): Promise<Buffer> {
  cachedSecret ??= getOrCreateSecret(db, SECRET_NAME, () =>
    randomBytes(32).toString("base64url"),
  ).then((s) => Buffer.from(s, "base64url"));
  cachedSecret.catch(() => {
    cachedSecret = undefined;
  });
  return cachedSecret;
}

const mac = (secret: Buffer, body: string) =>
  createHmac("sha256", secret).update(body).digest("base64url");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const positionSchema = z.tuple([
  z.int().min(0).max(3),
  z.string().refine((s) => {
    const t = Date.parse(s);
    return Number.isFinite(t) && new Date(t).toISOString() === s;
  }),
  z.string().regex(UUID),
]);

/** `scope` ties a cursor to the query it pages (filters and reader), so it cannot be reused on another. */
export async function encodeCursor(
  db: Executor,
  position: QueuePosition,
  scope: string,
): Promise<string> {
  const body = Buffer.from(
    JSON.stringify([position.rank, position.createdAt.toISOString(), position.id]),
  ).toString("base64url");
  return `${body}.${mac(await cursorSecret(db), `${scope}|${body}`)}`;
}

const invalid = (why: string) =>
  new ServiceError("invalid", `Invalid query — query.cursor: ${why}`, [
    { path: "query.cursor", message: why },
  ]);

export async function decodeCursor(
  db: Executor,
  raw: string,
  scope: string,
): Promise<QueuePosition> {
  const [body, signature, extra] = raw.split(".");
  if (!body || !signature || extra !== undefined) throw invalid("not a cursor this server issued");
  const expected = Buffer.from(mac(await cursorSecret(db), `${scope}|${body}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalid("not a cursor this server issued for this query");
  }
  let parsed: z.infer<typeof positionSchema>;
  try {
    parsed = positionSchema.parse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
  } catch {
    throw invalid("not a cursor this server issued");
  }
  return { rank: parsed[0], createdAt: new Date(parsed[1]), id: parsed[2] };
}
