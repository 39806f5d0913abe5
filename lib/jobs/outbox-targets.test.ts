import { describe, expect, it } from "vitest";
import { backoffCeilingMs, DeliverySlots, type Settled } from "./outbox-targets";

const LIMITS = { perTarget: 2, perTenant: 4 };

function slotsAt(clock: { now: number }, random = 0.5) {
  return new DeliverySlots(
    LIMITS,
    { baseMs: 1000, capMs: 60_000 },
    () => clock.now,
    () => random,
  );
}

describe("backoffCeilingMs", () => {
  it.each([
    [0, 1000],
    [1, 1000],
    [2, 2000],
    [4, 8000],
    [7, 60_000],
    [30, 60_000],
  ])("after %i failures: %i ms", (failures, ceiling) => {
    expect(backoffCeilingMs(failures, 1000, 60_000)).toBe(ceiling);
  });
});

describe("DeliverySlots", () => {
  it("counts what is in flight by target and by tenant, and forgets what settled", () => {
    const slots = slotsAt({ now: 0 });
    slots.take("key a http://one", "key a");
    slots.take("key a http://one", "key a");
    slots.take("key a http://two", "key a");
    slots.take("notify email -", "notify email -");
    expect(slots.inFlight()).toEqual({
      targets: { "key a http://one": 2, "key a http://two": 1, "notify email -": 1 },
      tenants: { "key a": 3, "notify email -": 1 },
    });
    slots.release("key a http://one", "key a", "delivered");
    slots.release("key a http://two", "key a", "other");
    slots.release("notify email -", "notify email -", "delivered");
    expect(slots.inFlight()).toEqual({
      targets: { "key a http://one": 1 },
      tenants: { "key a": 1 },
    });
  });

  it.each<[string, Settled, boolean]>([
    ["a failure pauses the target", "failed", true],
    ["a delivery does not", "delivered", false],
    ["a busy subject, an outage or a refused address do not", "other", false],
  ])("%s", (_, settled, pauses) => {
    const clock = { now: 0 };
    const slots = slotsAt(clock);
    slots.take("t", "k");
    slots.release("t", "k", settled);
    expect(slots.inFlight().targets).toEqual(pauses ? { t: LIMITS.perTarget } : {});
    // Never the tenant: the key's other targets go on.
    expect(slots.inFlight().tenants).toEqual({});
  });

  it("pauses a failing target for half to all of the backoff's ceiling, longer with each failure in a row", () => {
    for (const [random, firstPause] of [
      [0, 500],
      [0.999, 999],
    ] as const) {
      const clock = { now: 0 };
      const slots = slotsAt(clock, random);
      slots.take("t", "k");
      slots.release("t", "k", "failed");
      clock.now = firstPause - 1;
      expect(slots.inFlight().targets).toEqual({ t: 2 });
      clock.now = firstPause;
      expect(slots.inFlight().targets).toEqual({});
    }

    const clock = { now: 0 };
    const slots = slotsAt(clock, 0);
    const pauses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const failedAt = clock.now;
      slots.take("t", "k");
      slots.release("t", "k", "failed");
      while (slots.inFlight().targets.t !== undefined) clock.now += 100;
      pauses.push(clock.now - failedAt);
    }
    expect(pauses).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);

    // A delivery ends the streak: the next failure pauses as the first did.
    slots.take("t", "k");
    slots.release("t", "k", "delivered");
    slots.take("t", "k");
    slots.release("t", "k", "failed");
    expect(slots.inFlight().targets).toEqual({ t: 2 });
    clock.now += 500;
    expect(slots.inFlight().targets).toEqual({});
  });

  it("forgets a streak that has been quiet for the cap", () => {
    const clock = { now: 0 };
    const slots = slotsAt(clock, 0);
    for (let i = 0; i < 3; i++) {
      slots.take("t", "k");
      slots.release("t", "k", "failed");
    }
    // Paused for 2000 ms after the third failure; quiet for the cap after that.
    clock.now = 2000 + 60_000;
    expect(slots.inFlight().targets).toEqual({});
    slots.take("t", "k");
    slots.release("t", "k", "failed");
    clock.now += 499;
    expect(slots.inFlight().targets).toEqual({ t: 2 });
    clock.now += 1;
    expect(slots.inFlight().targets).toEqual({});
  });

  it("gives a target and its tenant one more room for each fast delivery, up to the ceilings; a slow one takes one back, a failure all", () => {
    const clock = { now: 0 };
    const slots = new DeliverySlots(
      LIMITS,
      { baseMs: 1000, capMs: 60_000 },
      () => clock.now,
      () => 0,
      { maxPerTarget: 5, maxPerTenant: 6, fastMs: 500 },
    );
    const deliver = (target: string, ms: number, settled: Settled = "delivered") => {
      slots.take(target, "k");
      slots.release(target, "k", settled, ms);
    };
    expect(slots.rooms()).toEqual({ targets: {}, tenants: {} });
    deliver("t", 20);
    expect(slots.rooms()).toEqual({ targets: { t: 3 }, tenants: { k: 5 } });
    for (let i = 0; i < 10; i++) deliver("t", 20);
    expect(slots.rooms()).toEqual({ targets: { t: 5 }, tenants: { k: 6 } });
    // A slow answer gives one back; at the base, the room is forgotten.
    deliver("t", 501);
    expect(slots.rooms()).toEqual({ targets: { t: 4 }, tenants: { k: 5 } });
    for (let i = 0; i < 5; i++) deliver("t", 2_000);
    expect(slots.rooms()).toEqual({ targets: {}, tenants: {} });
    // A failure takes all of it, and the target cools down at its base room.
    for (let i = 0; i < 3; i++) deliver("u", 20);
    expect(slots.rooms().targets).toEqual({ u: 5 });
    deliver("u", 20, "failed");
    expect(slots.rooms()).toEqual({ targets: {}, tenants: {} });
    expect(slots.inFlight().targets).toEqual({ u: LIMITS.perTarget });
    // Without earned room (the default), nothing grows.
    const plain = slotsAt({ now: 0 });
    plain.take("t", "k");
    plain.release("t", "k", "delivered", 1);
    expect(plain.rooms()).toEqual({ targets: {}, tenants: {} });
  });
});
