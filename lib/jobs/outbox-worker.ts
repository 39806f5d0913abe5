// The outbox worker: delivers what decisions wrote to the outbox, after they committed, with
// retries and backoff, so a slow or failing receiver never blocks a decision (SPEC §8).
//
// Each kind of row has a handler; rows of a kind without one are never taken and stay pending
// for a worker that has it. 'webhook' (an agent's callback) is
// lib/services/integrations/webhook.ts; 'notify' lib/services/integrations/notify.ts and
// 'workflow' (drive a task's graph) lib/jobs/workflow.ts, both given by the server's start
// (lib/jobs/startup.ts).
// Rows are taken by a lease (db/queries/outbox.ts), delivered outside any transaction — an open
// transaction would hold back the audit sealer — and the outcome written in one statement.
// Delivery is at least once: a worker that dies mid-delivery leaves the row to come due again
// when its lease runs out, and receivers deduplicate by Airlock-Delivery (the row's id). Every
// instance runs the worker; SKIP LOCKED and the lease keep two of them off the same row.
//
// Fairness (SPEC §8.1): each kind has a lane of its own, so graph drives never wait behind a
// callback or a notification, nor these behind each other. In a delivery lane a target (an
// agent key's receiver origin; a notification channel) has room for OUTBOX_PER_TARGET
// deliveries at once, an agent key for OUTBOX_PER_TENANT whatever its host names — more when
// its receivers answer fast (OUTBOX_EARNED) — and a target that failed pauses before it takes
// a slot again: rows of a full or pausing target are not leased (nor their attempts counted),
// so one key's hanging receivers hold a few slots of one lane, and every other key's callbacks
// take the rest.

import { type Database, getDb, isDatabaseUnavailable, retryWhileUnavailable } from "@/db/client";
import {
  deferOutbox,
  leaseDueDeliveries,
  leaseDueOutbox,
  markOutboxDelivered,
  markOutboxFailed,
  OUTBOX_CHANNEL,
  type OutboxRow,
  type WebhookSigner,
} from "@/db/queries/outbox";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import type { Resolver } from "@/lib/net/outbound";
import { recordDelivery } from "@/lib/services/insights/metrics";
import {
  type DeliveryContext,
  type DeliveryOutcome,
  deliverWebhook,
  type OutboxHandler,
} from "@/lib/services/integrations/webhook";
import { backoffCeilingMs, DeliverySlots, type EarnedRoom, type Settled } from "./outbox-targets";
import { settlesWithin, startPeriodic, stopPeriodic } from "./periodic";

export interface DeliverOptions {
  /** Rows leased per batch, of each kind. */
  limit?: number;
  /** Deliveries of a batch in flight at once, of each kind. */
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
/**
 * Deliveries in flight at once in one lane of the running worker. A delivery waits on its
 * receiver, not the CPU, so a lane has room for many targets beside the few slots any one key's
 * receivers may hold (OUTBOX_PER_TENANT; OUTBOX_EARNED's ceiling is half of it).
 */
const DELIVERY_LANE_CONCURRENCY = 64;
/** Drives leased at once: lib/jobs/workflow.ts DRIVES_AT_ONCE says how many run. */
const DRIVE_LANE_CONCURRENCY = CONCURRENCY;
/**
 * A drive's lease, in delivery deadlines: a leased drive may wait for one of the process's
 * drive slots before it runs, so it gets what a batch's lease gave it (BATCH / CONCURRENCY).
 */
const DRIVE_LEASE_ROUNDS = BATCH / CONCURRENCY;
/** Kinds whose rows go to no receiver: no per-target room (their handler has its own limit). */
const DRIVE_KINDS: ReadonlySet<string> = new Set(["workflow"]);
/**
 * Deliveries in flight at once, in one process, to one target (an agent key's receiver origin,
 * a notification channel), and for one agent key whatever its host names.
 */
export const OUTBOX_PER_TARGET = 2;
export const OUTBOX_PER_TENANT = 4;
/**
 * What a target and its key earn by answering within `fastMs` (lib/jobs/outbox-targets.ts
 * EarnedRoom): a receiver that keeps up is not held to two callbacks at a time (measured by
 * `npm run bench -- --execution-only --duration 10`: 32 clients' callbacks to one receiver went
 * out at 0.63× their intake with the base room alone, 0.82× with up to 8, 0.83–0.89× with up to
 * 16 and 0.92–0.93× with up to 32, three runs each), while a slow or failing one never holds
 * more than the base, and one key never more than half of a lane.
 */
export const OUTBOX_EARNED: EarnedRoom = {
  maxPerTarget: 32,
  maxPerTenant: 32,
  fastMs: 500,
};
// A failing target pauses like a failing row backs off, but for at most this long: its rows
// keep their own backoff, and a target back up is served again soon.
const TARGET_COOLDOWN_CAP_MS = 60_000;
// Beyond the HTTP deadlines, time for the round trips around them (the secret's lookup, the
// outcome's write) before another worker may take the row.
const LEASE_MARGIN_MS = 10_000;
const MAX_ERROR_LENGTH = 500;
const BUSY_RETRY_MS = 500;

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
  return Math.floor(random() * backoffCeilingMs(attempts, baseMs, capMs));
}

interface Settings {
  limit: number;
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  backoffCapMs: number;
  leaseMarginMs: number;
  handlers: Readonly<Record<string, OutboxHandler>>;
  resolve?: Resolver;
}

function settingsOf(options: DeliverOptions): Settings {
  return {
    limit: options.limit ?? BATCH,
    concurrency: Math.max(1, options.concurrency ?? CONCURRENCY),
    timeoutMs: options.timeoutMs ?? env().HITL_WEBHOOK_TIMEOUT_MS,
    maxAttempts: options.maxAttempts ?? env().HITL_OUTBOX_MAX_ATTEMPTS,
    backoffMs: options.backoffMs ?? env().HITL_OUTBOX_BACKOFF_MS,
    backoffCapMs: options.backoffCapMs ?? BACKOFF_CAP_MS,
    leaseMarginMs: options.leaseMarginMs ?? LEASE_MARGIN_MS,
    handlers: options.handlers ?? OUTBOX_HANDLERS,
    resolve: options.resolve,
  };
}

/** A leased row, and where it goes (rows of a lane without per-target limits go nowhere). */
interface Leased {
  row: OutboxRow;
  target?: { target: string; tenant: string };
  signer?: WebhookSigner | null;
}

/**
 * Lease up to `limit` due rows of `kind`: with `slots`, only as many of a target (and tenant)
 * as it has room for, beside what is in flight.
 */
async function leaseKind(
  db: Database,
  kind: string,
  limit: number,
  leaseMs: number,
  slots?: DeliverySlots,
): Promise<Leased[]> {
  if (!slots) return (await leaseDueOutbox(db, [kind], limit, leaseMs)).map((row) => ({ row }));
  const leased = await leaseDueDeliveries(db, {
    kinds: [kind],
    limit,
    leaseMs,
    ...slots.limits,
    inFlight: slots.inFlight(),
    rooms: slots.rooms(),
  });
  return leased.map(({ target, tenant, signer, ...row }) => ({
    row,
    target: { target, tenant },
    signer,
  }));
}

/** How a delivery ended, for the counts (none when its outcome could not be written). */
interface Settlement {
  counted?: "delivered" | "failed" | "dead" | "deferred";
  /** What it says of the target: see DeliverySlots.release. */
  target: Settled;
}

/**
 * The delivered marks of a database: the deliveries that end while one write of marks is under
 * way go together in the next, so a busy lane writes one statement for many rows, and a lone
 * delivery's mark is written at once.
 */
class DeliveredMarks {
  private waiting: { id: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly db: Database) {}

  mark(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      if (!this.writing) void this.write();
    });
  }

  private async write(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        await markOutboxDelivered(
          this.db,
          batch.map((b) => b.id),
        );
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.writing = false;
  }
}

const marks = new WeakMap<Database, DeliveredMarks>();

function deliveredMarks(db: Database): DeliveredMarks {
  let m = marks.get(db);
  if (!m) {
    m = new DeliveredMarks(db);
    marks.set(db, m);
  }
  return m;
}

/** Deliver one leased row and write its outcome, while its lease lasts. */
async function deliverOne(
  db: Database,
  { row, signer }: Leased,
  s: Settings,
  leaseEnds: number,
): Promise<Settlement> {
  // Only kinds with a handler were leased.
  const handler = s.handlers[row.kind] as OutboxHandler;
  const ctx: DeliveryContext = {
    db,
    timeoutMs: s.timeoutMs,
    maxAttempts: s.maxAttempts,
    resolve: s.resolve,
    signer,
  };
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
  const target: Settled = outcome.ok
    ? "delivered"
    : outcome.busy === true || outcome.unavailable === true || outcome.permanent === true
      ? "other"
      : "failed";
  try {
    if (outcome.ok) {
      await record(() => deliveredMarks(db).mark(row.id));
      recordDelivery(row.kind, row.channel, "delivered");
      return { counted: "delivered", target };
    }
    if (outcome.busy === true || outcome.unavailable === true) {
      const inMs =
        outcome.busy === true
          ? BUSY_RETRY_MS
          : retryDelayMs(row.attempts, s.backoffMs, s.backoffCapMs);
      await record(() => deferOutbox(db, row.id, row.attempts, inMs));
      recordDelivery(row.kind, row.channel, "deferred");
      return { counted: "deferred", target };
    }
    const dead = outcome.permanent === true || row.attempts >= s.maxAttempts;
    await record(() =>
      markOutboxFailed(db, row.id, row.attempts, {
        error: outcome.error.slice(0, MAX_ERROR_LENGTH),
        dead,
        retryInMs: retryDelayMs(row.attempts, s.backoffMs, s.backoffCapMs),
      }),
    );
    recordDelivery(row.kind, row.channel, dead ? "dead" : "retry");
    return { counted: dead ? "dead" : "failed", target };
  } catch (error) {
    // The outcome is lost (the database stayed away), not the row: it comes due again
    // when its lease runs out.
    log().error({ err: error, outbox_id: row.id }, "outbox: recording a delivery's outcome failed");
    return { target };
  }
}

/**
 * deliverOne, given up on when its lease runs out: a delivery that has not settled by then (a
 * query the driver lost with its connection) is left behind, so its lane goes on, and the row
 * is due again. Should it settle after all, its outcome is written only if the row is still
 * its lease. Left behind, it counts as a failure of its target.
 */
async function deliverWithinLease(
  db: Database,
  leased: Leased,
  s: Settings,
  lease: { ends: number; ms: number },
): Promise<Settlement> {
  const { row } = leased;
  const delivering = deliverOne(db, leased, s, lease.ends);
  if (!(await settlesWithin(delivering, lease.ends - Date.now()))) {
    log().error(
      { outbox_id: row.id, kind: row.kind, lease_ms: lease.ms },
      "outbox: a delivery did not settle within its lease; it is due again",
    );
    return { target: "failed" };
  }
  return delivering;
}

/**
 * One pass of every lane: for each kind with a handler, lease one batch of its due rows (for
 * deliveries, no more of a target than its room), deliver them (a few at a time) and record
 * each outcome. The lanes of the kinds run side by side, so no kind's batch waits for another's.
 */
export async function deliverDueOnce(
  db: Database,
  options: DeliverOptions = {},
): Promise<DeliveryCounts> {
  const s = settingsOf(options);
  const counts: DeliveryCounts = { claimed: 0, delivered: 0, failed: 0, dead: 0, deferred: 0 };
  await Promise.all(
    Object.keys(s.handlers).map(async (kind) => {
      // A leased row may wait for a free slot behind the others of its batch: the lease
      // covers every round of the batch, not just one delivery.
      const leaseMs = Math.ceil(s.limit / s.concurrency) * s.timeoutMs + s.leaseMarginMs;
      const slots = DRIVE_KINDS.has(kind) ? undefined : newSlots(s);
      const leased = await leaseKind(db, kind, s.limit, leaseMs, slots);
      const lease = { ends: Date.now() + leaseMs, ms: leaseMs };
      counts.claimed += leased.length;
      await eachBounded(leased, s.concurrency, async (one) => {
        const { counted } = await deliverWithinLease(db, one, s, lease);
        if (counted) counts[counted]++;
      });
    }),
  );
  return counts;
}

function newSlots(s: Settings): DeliverySlots {
  return new DeliverySlots(
    { perTarget: OUTBOX_PER_TARGET, perTenant: OUTBOX_PER_TENANT },
    { baseMs: s.backoffMs, capMs: Math.min(s.backoffCapMs, TARGET_COOLDOWN_CAP_MS) },
    Date.now,
    Math.random,
    OUTBOX_EARNED,
  );
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

/**
 * The running worker's lane of one kind: up to `concurrency` deliveries in flight, each
 * started as soon as it is leased and its slot given back as soon as it settles, so a slow
 * delivery holds its own slot and no other. The lane leases for its free slots at each tick,
 * and again as soon as half of them are free while due rows remain. With `slots`, a target
 * (and a tenant) has room for a few deliveries at once and a failing one cools down, so the
 * lane's other slots serve the other targets.
 */
class Lane {
  private running = 0;
  private filling: Promise<void> | undefined;
  /** The last lease found fewer rows than it had room for: wait for the next tick. */
  private drained = false;
  /** Woken while a lease was under way: lease again once it is done. */
  private woken = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  private db: Database | undefined;
  private settings: Settings | undefined;

  constructor(
    private readonly kind: string,
    private readonly concurrency: number,
    private readonly leaseRounds: number,
    private readonly slots?: DeliverySlots,
  ) {}

  /** A tick: lease for the free slots. */
  tick(db: Database, settings: Settings): Promise<void> {
    this.db = db;
    this.settings = settings;
    this.drained = false;
    return this.fill();
  }

  /**
   * Rows of this kind were committed (their NOTIFY): lease for the free slots now rather than
   * at the next tick. Before the first tick (no settings yet) the tick will do.
   */
  wake(): void {
    if (this.stopped || !this.db) return;
    this.drained = false;
    if (this.filling) {
      this.woken = true;
      return;
    }
    this.fill().catch((error: unknown) =>
      log().error({ err: error, kind: this.kind }, "outbox: a lease failed"),
    );
  }

  /** Stop leasing; settles when the deliveries in flight have. */
  async stop(): Promise<void> {
    this.stopped = true;
    // A lease under way may still start what it took.
    await this.filling?.catch(() => {});
    await Promise.allSettled(this.inFlight);
  }

  private fill(): Promise<void> {
    this.filling ??= this.fillNow().finally(() => {
      this.filling = undefined;
      // A wake-up that came while the lease ran may name rows the lease did not see.
      if (this.woken) {
        this.woken = false;
        this.wake();
      }
    });
    return this.filling;
  }

  private async fillNow(): Promise<void> {
    const { db, settings: s } = this;
    if (!db || !s) return;
    // Every delivery leased starts at once: its lease is one delivery's, or, for drives
    // (which wait for the process's drive slots), a few.
    const leaseMs = this.leaseRounds * s.timeoutMs + s.leaseMarginMs;
    while (!this.stopped && !this.drained) {
      const free = this.concurrency - this.running;
      if (free <= 0) return;
      const leased = await leaseKind(db, this.kind, free, leaseMs, this.slots);
      const lease = { ends: Date.now() + leaseMs, ms: leaseMs };
      for (const one of leased) this.start(db, s, one, lease);
      if (leased.length < free) this.drained = true;
    }
  }

  private start(
    db: Database,
    s: Settings,
    leased: Leased,
    lease: { ends: number; ms: number },
  ): void {
    const { row, target } = leased;
    const started = performance.now();
    this.running++;
    if (target) this.slots?.take(target.target, target.tenant);
    const done = deliverWithinLease(db, leased, s, lease)
      .catch((error: unknown): Settlement => {
        log().error({ err: error, outbox_id: row.id }, "outbox: a delivery failed");
        return { target: "failed" };
      })
      .then((settlement) => {
        this.running--;
        if (target) {
          this.slots?.release(
            target.target,
            target.tenant,
            settlement.target,
            performance.now() - started,
          );
          // A lease that came back short may have been held to a target's or a key's room
          // rather than short of due rows: this settlement made room, so look again, or one
          // key's callbacks would go out a few per tick.
          this.drained = false;
        }
        this.inFlight.delete(done);
        if (this.running <= this.concurrency / 2 && !this.drained && !this.stopped) {
          this.fill().catch((error: unknown) =>
            log().error({ err: error, kind: this.kind }, "outbox: a lease failed"),
          );
        }
      });
    this.inFlight.add(done);
  }
}

/** The handlers of every kind this process delivers, asked for at each tick. */
export type HandlerSource = () => Promise<Readonly<Record<string, OutboxHandler>>>;

const lanesKey = Symbol.for("airlock.outbox-lanes");
type GlobalWithLanes = typeof globalThis & { [lanesKey]?: Map<string, Lane> };
const listeningKey = Symbol.for("airlock.outbox-listening");
type GlobalWithListening = typeof globalThis & {
  [listeningKey]?: Promise<(() => Promise<void>) | null>;
};

/**
 * LISTEN for committed rows and wake their kind's lane, once per process. If LISTEN cannot
 * start (the database is down), the ticks still lease, and the next tick tries again.
 */
function listenForRows(lanes: ReadonlyMap<string, Lane>): void {
  const g = globalThis as GlobalWithListening;
  g[listeningKey] ??= getDb()
    .then((db) => db.listen(OUTBOX_CHANNEL, (kind) => lanes.get(kind)?.wake()))
    .catch((error: unknown) => {
      log().warn({ err: error }, "outbox: LISTEN failed; leasing at each tick only");
      g[listeningKey] = undefined;
      return null;
    });
}

async function stopListening(): Promise<void> {
  const g = globalThis as GlobalWithListening;
  const unlisten = await g[listeningKey];
  g[listeningKey] = undefined;
  await unlisten?.().catch(() => {});
}

/**
 * Fill each kind's lane as soon as rows of its kind are committed (their NOTIFY), and every
 * `intervalMs` (the safety net, and rows that come due later): drives (`workflow`) in a lane
 * of their own, never behind a delivery; each kind of delivery (`webhook`, `notify`) in its
 * own, with room per target and tenant. `handlers` may fail (the database is down): that tick
 * is skipped.
 */
export function startOutboxWorker(
  handlers: HandlerSource = async () => OUTBOX_HANDLERS,
  intervalMs = env().HITL_OUTBOX_INTERVAL_MS,
): void {
  const g = globalThis as GlobalWithLanes;
  if (g[lanesKey]) return;
  const lanes = new Map<string, Lane>();
  g[lanesKey] = lanes;
  const tick = async () => {
    listenForRows(lanes);
    const { db } = await getDb();
    const s = settingsOf({ handlers: await handlers() });
    await Promise.all(
      Object.keys(s.handlers).map((kind) => {
        let lane = lanes.get(kind);
        if (!lane) {
          lane = DRIVE_KINDS.has(kind)
            ? new Lane(kind, DRIVE_LANE_CONCURRENCY, DRIVE_LEASE_ROUNDS)
            : new Lane(kind, DELIVERY_LANE_CONCURRENCY, 1, newSlots(s));
          lanes.set(kind, lane);
        }
        return lane.tick(db, s);
      }),
    );
  };
  startPeriodic("outbox", intervalMs, tick);
  // At once, not an interval after the start: the lanes exist and listen from the first
  // moment, and what an earlier process left due goes out now.
  tick().catch((error: unknown) =>
    log().error({ err: error, job: "outbox" }, "outbox: a run failed"),
  );
}

/** Stop the worker; settles once the deliveries it had in flight have. */
export async function stopOutboxWorker(): Promise<void> {
  stopPeriodic("outbox");
  await stopListening();
  const g = globalThis as GlobalWithLanes;
  const lanes = g[lanesKey];
  g[lanesKey] = undefined;
  await Promise.all([...(lanes?.values() ?? [])].map((lane) => lane.stop()));
}
