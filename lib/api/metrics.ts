// The process's Prometheus registry: default process metrics and HTTP requests by route.
// Kept on globalThis so every Next.js bundle that loads this module shares one registry.
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

interface Metrics {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
}

const key = Symbol.for("airlock.metrics");
type GlobalWithMetrics = typeof globalThis & { [key]?: Metrics };

export function metrics(): Metrics {
  const g = globalThis as GlobalWithMetrics;
  if (!g[key]) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "airlock_" });
    g[key] = {
      registry,
      httpRequests: new Counter({
        name: "airlock_http_requests_total",
        help: "API requests by route, method and status",
        labelNames: ["route", "method", "status"],
        registers: [registry],
      }),
      httpDuration: new Histogram({
        name: "airlock_http_request_duration_seconds",
        help: "API request duration by route",
        labelNames: ["route", "method"],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [registry],
      }),
    };
  }
  return g[key];
}
