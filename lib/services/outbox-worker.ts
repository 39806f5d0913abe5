// The outbox worker: delivers what decisions wrote to the outbox, after they committed, with
// retries and backoff, so a slow or failing receiver never blocks a decision (SPEC §8).
//
// Each kind of row has a handler; rows of a kind without one are never taken and stay pending
// for a worker that has it. 'webhook' is here; 'notify' is lib/services/notify.ts and
// 'workflow' (drive a task's graph) lib/services/workflow.ts, both given by the server's start. Rows are taken by a
// lease (db/queries/outbox.ts leaseDueOutbox), delivered outside any transaction — an open
// transaction would hold back the audit sealer — and the outcome written in one statement.
// Delivery is at least once: a worker that dies mid-delivery leaves the row to come due again
// when its lease runs out, and receivers deduplicate by Airlock-Delivery (the row's id). Every
// instance runs the loop; SKIP LOCKED and the lease keep two of them off the same row.
import { type Database, getDb, isDatabaseUnavailable, retryWhileUnavailable } from "@/db/client";
import {
  deferOutbox,
  findTaskWebhookSecret,
  leaseDueOutbox,
  markOutboxDelivered,
  markOutboxFailed,
  type OutboxRow,
} from "@/db/queries/outbox";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import {
  type OutboundPolicy,
  OutboundRefused,
  postOutbound,
  type Resolver,
} from "@/lib/net/outbound";
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from "@/lib/webhook/signature";
import { recordDelivery } from "./metrics";
import { settlesWithin, startPeriodic, stopPeriodic } from "./periodic";

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
}

/** Delivers one row once; a thrown error counts as a failed attempt. */
export type OutboxHandler = (row: OutboxRow, ctx: DeliveryContext) => Promise<DeliveryOutcome>;

export interface DeliverOptions {
  /** Rows leased per batch. */
  limit?: number;
  /** Deliveries of a batch in flight at once. */
  concurrency?: number;
  timeoutMs?: number;
  maxAttempts?: number;
  /** The first retry's backoff ceiling; it doubles with each attempt (full jitter). */
  backoffMs?: number;
  backoffCapMs?: number;
  /** Beyond the HTTP deadlines, how long a lease lasts (tests). */
  leaseMarginMs?: number;
  /** Which kinds are delivered, and how (tests). */
  handlers?: Readonly<Record<string, OutboxHandler>>;
  /** How target names are resolved (tests). */
  resolve?: Resolver;
}

export interface DeliveryCounts {
  /** Rows leased by this batch. */
  claimed: number;
  delivered: number;
  /** Failed attempts that will be retried. */
  failed: number;
  /** Failed attempts that were the last: the row is dead. */
  dead: number;
  /** Rows whose subject was busy, or the database away: due again, the attempt not counted. */
  deferred: number;
}

const BATCH = 32;
const CONCURRENCY = 8;
const BACKOFF_CAP_MS = 10 * 60_000;
// Beyond the HTTP deadlines, time for the round trips around them (the secret's lookup, the
// outcome's write) before another worker may take the row.
const LEASE_MARGIN_MS = 10_000;
const MAX_ERROR_LENGTH = 500;
const BUSY_RETRY_MS = 500;

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
  const key = row.taskId ? await findTaskWebhookSecret(ctx.db, row.taskId) : undefined;
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

export const OUTBOX_HANDLERS: Readonly<Record<string, OutboxHandler>> = {
  webhook: deliverWebhook,
};

/**
 * How long to wait before the next attempt, after `attempts` of them: a random time up to
 * base × 2^(attempts − 1), capped ("full jitter"), so receivers that failed together are not
 * retried together.
 */
export function retryDelayMs(
  attempts: number,
  baseMs: number,
  capMs = BACKOFF_CAP_MS,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.floor(random() * ceiling);
}

/** Lease one batch of due rows, deliver them (a few at a time) and record each outcome. */
export async function deliverDueOnce(
  db: Database,
  options: DeliverOptions = {},
): Promise<DeliveryCounts> {
  const limit = options.limit ?? BATCH;
  const concurrency = Math.max(1, options.concurrency ?? CONCURRENCY);
  const timeoutMs = options.timeoutMs ?? env().HITL_WEBHOOK_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? env().HITL_OUTBOX_MAX_ATTEMPTS;
  const backoffMs = options.backoffMs ?? env().HITL_OUTBOX_BACKOFF_MS;
  const backoffCapMs = options.backoffCapMs ?? BACKOFF_CAP_MS;
  const handlers = options.handlers ?? OUTBOX_HANDLERS;
  // A leased row may wait for a free slot behind the others of its batch: the lease covers
  // every round of the batch, not just one delivery.
  const leaseMs =
    Math.ceil(limit / concurrency) * timeoutMs + (options.leaseMarginMs ?? LEASE_MARGIN_MS);
  const rows = await leaseDueOutbox(db, Object.keys(handlers), limit, leaseMs);
  const leaseEnds = Date.now() + leaseMs;
  const counts: DeliveryCounts = {
    claimed: rows.length,
    delivered: 0,
    failed: 0,
    dead: 0,
    deferred: 0,
  };
  const ctx: DeliveryContext = { db, timeoutMs, maxAttempts, resolve: options.resolve };

  const deliverOne = async (row: OutboxRow) => {
    // Only kinds with a handler were leased.
    const handler = handlers[row.kind] as OutboxHandler;
    const outcome: DeliveryOutcome = await Promise.resolve()
      .then(() => handler(row, ctx))
      .catch((error: unknown) => ({
        ok: false,
        error: String((error as Error)?.message ?? error),
        unavailable: isDatabaseUnavailable(error),
      }));
    // The outcome is written once the database answers again (a connection cut must not
    // leave the row leased for the rest of its lease), for as long as the lease lasts.
    const record = (write: () => Promise<void>) =>
      retryWhileUnavailable(write, leaseEnds - Date.now());
    try {
      if (outcome.ok) {
        await record(() => markOutboxDelivered(db, row.id));
        counts.delivered++;
        recordDelivery(row.kind, row.channel, "delivered");
        return;
      }
      if (outcome.busy === true || outcome.unavailable === true) {
        const inMs =
          outcome.busy === true
            ? BUSY_RETRY_MS
            : retryDelayMs(row.attempts, backoffMs, backoffCapMs);
        await record(() => deferOutbox(db, row.id, row.attempts, inMs));
        counts.deferred++;
        recordDelivery(row.kind, row.channel, "deferred");
        return;
      }
      const dead = outcome.permanent === true || row.attempts >= maxAttempts;
      await record(() =>
        markOutboxFailed(db, row.id, row.attempts, {
          error: outcome.error.slice(0, MAX_ERROR_LENGTH),
          dead,
          retryInMs: retryDelayMs(row.attempts, backoffMs, backoffCapMs),
        }),
      );
      if (dead) counts.dead++;
      else counts.failed++;
      recordDelivery(row.kind, row.channel, dead ? "dead" : "retry");
    } catch (error) {
      // The outcome is lost (the database stayed away), not the row: it comes due again
      // when its lease runs out.
      log().error(
        { err: error, outbox_id: row.id },
        "outbox: recording a delivery's outcome failed",
      );
    }
  };
  // A delivery that has not settled when its lease runs out (a query the driver lost with its
  // connection) is left behind, so the batch, and the loop, go on: the row is due again. Should
  // it settle after all, its outcome is written only if the row is still its lease.
  await eachBounded(rows, concurrency, async (row) => {
    if (!(await settlesWithin(deliverOne(row), leaseEnds - Date.now()))) {
      log().error(
        { outbox_id: row.id, kind: row.kind, lease_ms: leaseMs },
        "outbox: a delivery did not settle within its lease; it is due again",
      );
    }
  });
  return counts;
}

async function eachBounded<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** The handlers of every kind this process delivers, asked for at each tick. */
export type HandlerSource = () => Promise<Readonly<Record<string, OutboxHandler>>>;

/**
 * Every `intervalMs`, deliver batch after batch while they come full (or until stopped).
 * `handlers` may fail (the database is down): that tick is skipped.
 */
export function startOutboxWorker(
  handlers: HandlerSource = async () => OUTBOX_HANDLERS,
  intervalMs = env().HITL_OUTBOX_INTERVAL_MS,
): void {
  startPeriodic("outbox", intervalMs, async (stopped) => {
    const { db } = await getDb();
    const options = { limit: BATCH, handlers: await handlers() };
    for (;;) {
      const counts = await deliverDueOnce(db, options);
      if (counts.claimed < BATCH || stopped()) return;
    }
  });
}

export function stopOutboxWorker(): void {
  stopPeriodic("outbox");
}
