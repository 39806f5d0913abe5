// A worker's deliveries in flight, by target and by tenant (db/queries/outbox.ts says which
// is which), and the targets that failed lately: what a lane's next lease must leave alone
// (SPEC §8.1 Fairness). In-process: each instance keeps its own lanes fair; the rows' leases
// and backoff are what instances share.

export interface TargetLimits {
  /** Deliveries in flight at once to one target, until it has earned more room. */
  perTarget: number;
  /** Deliveries in flight at once for one tenant (an agent key), whatever their targets. */
  perTenant: number;
}

/**
 * Room a target (and its tenant) earns by answering fast: one more delivery in flight for each
 * delivery it answered within `fastMs`, up to the ceilings; one less for each slower answer,
 * and none of what it earned after a failure. A receiver that keeps up gets its callbacks as
 * fast as they are made; a slow, hanging or failing one never holds more than the base room,
 * so the lane's other slots stay with the other keys.
 */
export interface EarnedRoom {
  maxPerTarget: number;
  maxPerTenant: number;
  fastMs: number;
}

export interface CooldownSettings {
  /** A failing target's first pause may be up to this long; it doubles with each failure. */
  baseMs: number;
  capMs: number;
}

/** The ceiling of a backoff after `failures` of them: base × 2^(failures − 1), capped. */
export function backoffCeilingMs(failures: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
}

interface Cooling {
  /** Failures in a row. */
  failures: number;
  until: number;
}

export type Settled = "delivered" | "failed" | "other";

export class DeliverySlots {
  private readonly targets = new Map<string, number>();
  private readonly tenants = new Map<string, number>();
  private readonly cooling = new Map<string, Cooling>();
  /** Room above the base, of the targets and tenants that earned it. */
  private readonly targetRooms = new Map<string, number>();
  private readonly tenantRooms = new Map<string, number>();

  constructor(
    readonly limits: TargetLimits,
    private readonly cooldown: CooldownSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly earned: EarnedRoom = {
      maxPerTarget: limits.perTarget,
      maxPerTenant: limits.perTenant,
      fastMs: 0,
    },
  ) {}

  /** The room of the targets and tenants that earned more than the base (the lease's). */
  rooms(): { targets: Record<string, number>; tenants: Record<string, number> } {
    return {
      targets: Object.fromEntries(this.targetRooms),
      tenants: Object.fromEntries(this.tenantRooms),
    };
  }

  /**
   * What is in flight, for the lease: a cooling target counts as full, so its rows stay where
   * they are (due, their attempts uncounted) until it has cooled down.
   */
  inFlight(): { targets: Record<string, number>; tenants: Record<string, number> } {
    const now = this.now();
    const targets = Object.fromEntries(this.targets);
    for (const [target, c] of this.cooling) {
      if (c.until > now) targets[target] = this.limits.perTarget;
      // Long quiet: the next failure starts a fresh streak.
      else if (c.until + this.cooldown.capMs <= now) this.cooling.delete(target);
    }
    return { targets, tenants: Object.fromEntries(this.tenants) };
  }

  take(target: string, tenant: string): void {
    this.targets.set(target, (this.targets.get(target) ?? 0) + 1);
    this.tenants.set(tenant, (this.tenants.get(tenant) ?? 0) + 1);
  }

  /**
   * A delivery ended. A failed one (an error, a timeout, a bad status) pauses its target for
   * half to all of the row backoff's ceiling after as many failures in a row (so never for
   * nothing), a delivered one ends the streak; anything else (a busy subject, a database away,
   * a refused address) says nothing of the target.
   */
  release(target: string, tenant: string, settled: Settled, tookMs = Infinity): void {
    decrement(this.targets, target);
    decrement(this.tenants, tenant);
    if (settled === "delivered") {
      this.cooling.delete(target);
      const step = tookMs <= this.earned.fastMs ? 1 : -1;
      adjust(this.targetRooms, target, step, this.limits.perTarget, this.earned.maxPerTarget);
      adjust(this.tenantRooms, tenant, step, this.limits.perTenant, this.earned.maxPerTenant);
    }
    if (settled !== "failed") return;
    this.targetRooms.delete(target);
    this.tenantRooms.delete(tenant);
    const failures = (this.cooling.get(target)?.failures ?? 0) + 1;
    const ceiling = backoffCeilingMs(failures, this.cooldown.baseMs, this.cooldown.capMs);
    const pause = ceiling / 2 + Math.floor((this.random() * ceiling) / 2);
    this.cooling.set(target, { failures, until: this.now() + pause });
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/** A room moved by `step`, kept between `base` (then forgotten) and `max`. */
function adjust(rooms: Map<string, number>, key: string, step: number, base: number, max: number) {
  const room = Math.min(max, Math.max(base, (rooms.get(key) ?? base) + step));
  if (room > base) rooms.set(key, room);
  else rooms.delete(key);
}
