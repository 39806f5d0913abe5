// Agent callbacks and signed notification webhooks: what one delivery of an outbox row is
// (DeliveryOutcome), what it is given (DeliveryContext), and the signed POST itself (SPEC §8),
// only ever to an address HITL_CALLBACK_ALLOWED_HOSTS allows (SPEC §8.1). The outbox worker
// (lib/jobs/outbox-worker.ts) leases the rows and calls the handlers; notify and Slack are
// handlers too (./notify, ./slack).
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from "@airlock/sdk";
import type { Database } from "@/db/client";
import type { OutboxRow, WebhookSigner } from "@/db/queries/outbox";
import { env } from "@/lib/env";
import {
  type OutboundPolicy,
  OutboundRefused,
  postOutbound,
  type Resolver,
} from "@/lib/net/outbound";

export type DeliveryOutcome =
  | { ok: true }
  /**
   * `permanent`: retrying cannot help (nothing to sign with, nowhere to send): dead now.
   * `busy`: the row's subject is taken by someone else right now; try again shortly, without
   * counting this as an attempt.
   * `unavailable`: the database could not be reached, which says nothing of the receiver:
   * tried again after the backoff, without counting this as an attempt (an outage never
   * kills a row).
   */
  | { ok: false; error: string; permanent?: boolean; busy?: boolean; unavailable?: boolean };

export interface DeliveryContext {
  db: Database;
  /** The deadline of each HTTP call. */
  timeoutMs: number;
  /** A row whose `attempts` reached this is on its last attempt. */
  maxAttempts: number;
  /** How names are resolved (tests; the system's resolver otherwise). */
  resolve?: Resolver;
  /**
   * An agent callback's signer as the row's lease read it (null: its task or key is gone);
   * undefined for rows of other kinds.
   */
  signer?: WebhookSigner | null;
}

/** Delivers one row once; a thrown error counts as a failed attempt. */
export type OutboxHandler = (row: OutboxRow, ctx: DeliveryContext) => Promise<DeliveryOutcome>;

export const USER_AGENT = "Airlock-Webhooks/1";

/**
 * A signed POST of `body` (SPEC §8); 2xx is delivered, anything else a failed attempt. Only to
 * an address HITL_CALLBACK_ALLOWED_HOSTS allows (SPEC §8.1): a refused one is dead at once.
 */
export async function postSignedWebhook(input: {
  url: string;
  deliveryId: string;
  secret: string;
  body: string;
  timeoutMs: number;
  policy?: OutboundPolicy;
  resolve?: Resolver;
}): Promise<DeliveryOutcome> {
  try {
    const { status } = await postOutbound({
      policy: input.policy ?? env().HITL_CALLBACK_ALLOWED_HOSTS,
      url: input.url,
      headers: {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        [SIGNATURE_HEADER]: signatureHeader(input.secret, input.body),
        [DELIVERY_HEADER]: input.deliveryId,
      },
      body: input.body,
      timeoutMs: input.timeoutMs,
      resolve: input.resolve,
    });
    if (status >= 200 && status < 300) return { ok: true };
    // A redirect could take the signed payload somewhere the agent never named.
    const redirect = status >= 300 && status < 400;
    return {
      ok: false,
      error: `HTTP ${status}${redirect ? " (redirects are not followed)" : ""}`,
    };
  } catch (error) {
    if (error instanceof OutboundRefused) {
      return { ok: false, error: error.message, permanent: true };
    }
    return { ok: false, error: describeRequestError(error, input.timeoutMs) };
  }
}

function describeRequestError(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { name?: string; code?: string; message?: string };
  };
  if (e.name === "TimeoutError" || e.cause?.name === "TimeoutError") {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = e.code ?? e.cause?.code ?? e.cause?.message;
  return cause && !String(e.message).includes(cause)
    ? `${e.message}: ${cause}`
    : String(e.message ?? error);
}

/** An agent callback: the row's payload and its delivery id, signed with the key's secret. */
export const deliverWebhook: OutboxHandler = async (row, ctx) => {
  if (!row.targetUrl) return { ok: false, error: "the row has no target URL", permanent: true };
  // Callbacks are leased with their signer (db/queries/outbox.ts leaseDueDeliveries).
  if (ctx.signer === undefined) throw new Error(`callback ${row.id} was leased without its signer`);
  const key = ctx.signer;
  // A revoked key's agent is no longer trusted with what its tasks became.
  if (key?.revoked) {
    return {
      ok: false,
      error: "the task's agent key was revoked: its callbacks are not sent",
      permanent: true,
    };
  }
  const secret = key?.secret;
  if (!secret) {
    return { ok: false, error: "the task's agent key has no webhook secret", permanent: true };
  }
  const payload = row.payload as Record<string, unknown>;
  return postSignedWebhook({
    url: row.targetUrl,
    deliveryId: row.id,
    secret,
    body: JSON.stringify({ ...payload, delivery_id: row.id }),
    timeoutMs: ctx.timeoutMs,
    resolve: ctx.resolve,
  });
};
