// Signing and verifying Airlock's webhooks (SPEC §8): agent callbacks and notification
// webhooks alike carry `Airlock-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<raw body>">` and `Airlock-Delivery: <id>`, the receiver's idempotency key, the same
// across retries. Imports node:crypto only: the SDK re-exports this file for receivers.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Airlock-Signature";
export const DELIVERY_HEADER = "Airlock-Delivery";
/** Receivers refuse timestamps further than this from their clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

type RawBody = string | Uint8Array;

/** The hex HMAC-SHA256 of `<timestamp>.<raw body>` under the secret. */
export function computeSignature(secret: string, timestamp: number, rawBody: RawBody): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}

/** The `Airlock-Signature` value for a body sent now (or at `now`). */
export function signatureHeader(
  secret: string,
  rawBody: RawBody,
  now: Date | number = Date.now(),
): string {
  const t = Math.floor(toMs(now) / 1000);
  return `t=${t},v1=${computeSignature(secret, t, rawBody)}`;
}

/**
 * The headers of a request as a receiver sees them: a fetch `Headers` (Next.js, Deno, Bun),
 * Node's `IncomingHttpHeaders`, or a plain record. Names are matched in any case.
 */
export type WebhookHeaders =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

export type WebhookRefusal =
  | "missing_signature"
  | "malformed_signature"
  | "timestamp_out_of_tolerance"
  | "signature_mismatch";

export type VerifyResult =
  | { ok: true; timestamp: number; deliveryId: string | null }
  | { ok: false; reason: WebhookRefusal; message: string };

export interface VerifyOptions {
  /** The receiver's clock (tests); a Date or milliseconds since the epoch. */
  now?: Date | number;
  toleranceSeconds?: number;
}

const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Whether a webhook really comes from Airlock, unaltered and recent. Never throws: returns
 * `{ ok: true, timestamp, deliveryId }` (deduplicate by `deliveryId`) or `{ ok: false,
 * reason, message }`. The comparison is constant-time; several `v1=` values (a secret being
 * rotated) pass if any matches; parts of other schemes are ignored. Verify the raw body as
 * received, before parsing it: re-serialised JSON does not match.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  rawBody: RawBody,
  options: VerifyOptions = {},
): VerifyResult {
  const header = headerValue(headers, SIGNATURE_HEADER);
  if (header === undefined) {
    return refuse("missing_signature", `No ${SIGNATURE_HEADER} header`);
  }
  if (header === null) {
    return refuse("malformed_signature", `More than one ${SIGNATURE_HEADER} header`);
  }
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return refuse("malformed_signature", `${SIGNATURE_HEADER} is not t=…,v1=…`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== undefined || !TIMESTAMP.test(value)) {
        return refuse("malformed_signature", `${SIGNATURE_HEADER} needs one numeric t=`);
      }
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!HEX_SHA256.test(value)) {
        return refuse("malformed_signature", "v1= must be 64 lowercase hex digits");
      }
      signatures.push(value);
    }
  }
  if (timestamp === undefined || signatures.length === 0) {
    return refuse("malformed_signature", `${SIGNATURE_HEADER} needs t= and v1=`);
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor(toMs(options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    return refuse(
      "timestamp_out_of_tolerance",
      `The signature's timestamp is more than ${tolerance} s from this clock (replayed or skewed)`,
    );
  }
  const expected = Buffer.from(computeSignature(secret, timestamp, rawBody), "hex");
  // Every candidate is compared, so the time taken says nothing about which one matched.
  let matched = false;
  for (const candidate of signatures) {
    if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) matched = true;
  }
  if (!matched) {
    return refuse("signature_mismatch", "The signature does not match the body and the secret");
  }
  const delivery = headerValue(headers, DELIVERY_HEADER);
  return { ok: true, timestamp, deliveryId: typeof delivery === "string" ? delivery : null };
}

function refuse(reason: WebhookRefusal, message: string): VerifyResult {
  return { ok: false, reason, message };
}

/** The header's value; undefined when absent, null when repeated. */
function headerValue(headers: WebhookHeaders, name: string): string | null | undefined {
  if (typeof headers.get === "function") {
    const value = (headers as { get(name: string): string | null }).get(name);
    // A fetch Headers object joins repeated headers with ", ": a repeated signature header
    // then fails to parse (two t=), which is the refusal it deserves.
    return value ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    if (Array.isArray(value)) return value.length === 1 ? (value[0] ?? undefined) : null;
    return value;
  }
  return undefined;
}

function toMs(t: Date | number): number {
  return typeof t === "number" ? t : t.getTime();
}
