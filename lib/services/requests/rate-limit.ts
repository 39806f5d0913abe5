// Per-process token buckets: a key may spend `perMinute` tokens a minute, refilled evenly, with
// up to a minute's worth saved up. Each instance keeps its own buckets (no database round trip
// on the submit path), so with N instances behind a balancer a key gets up to N times the rate.
export interface RateLimiter {
  /** Spend one token of `key`: 0 when there was one, else the seconds until there is. */
  take(key: string): number;
}

/** `perMinute` of 0 is no limit. `now` in milliseconds (tests). */
export function tokenBuckets(perMinute: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;
  let sweptAt = now();
  return {
    take(key) {
      if (perMinute <= 0) return 0;
      const t = now();
      // A full bucket is the same as none: forget them now and then, so keys seen once do not
      // pile up.
      if (t - sweptAt > 60_000) {
        for (const [k, b] of buckets) {
          if (b.tokens + (t - b.at) * perMs >= perMinute) buckets.delete(k);
        }
        sweptAt = t;
      }
      const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return (1 - bucket.tokens) / perMs / 1000;
    },
  };
}
