import { describe, expect, it } from "vitest";
import { tokenBuckets } from "./rate-limit";

describe("tokenBuckets", () => {
  it("allows a minute's worth at once, then one per refill interval, per key", () => {
    let t = 0;
    const limiter = tokenBuckets(60, () => t);
    for (let i = 0; i < 60; i++) expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeCloseTo(1, 5);
    // Another key has its own bucket.
    expect(limiter.take("b")).toBe(0);
    t += 500;
    expect(limiter.take("a")).toBeCloseTo(0.5, 5);
    t += 500;
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeCloseTo(1, 5);
  });

  it("never saves up more than a minute's worth", () => {
    let t = 0;
    const limiter = tokenBuckets(6, () => t);
    limiter.take("a");
    t += 3_600_000;
    for (let i = 0; i < 6; i++) expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBeGreaterThan(0);
  });

  it("is off at 0", () => {
    const limiter = tokenBuckets(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take("a")).toBe(0);
  });
});
