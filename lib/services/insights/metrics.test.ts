import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { metrics } from "./metrics";

// The Grafana dashboard in the repo reads only metrics the app exports.
describe("ops/grafana/airlock-dashboard.json", () => {
  it("queries nothing but the registry's metrics", () => {
    const file = path.join(
      import.meta.dirname,
      "..",
      "..",
      "..",
      "ops",
      "grafana",
      "airlock-dashboard.json",
    );
    const dashboard = JSON.parse(readFileSync(file, "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    // The names only: collecting the values would read the database.
    const exported = new Set(
      metrics()
        .registry.getMetricsAsArray()
        .map((m) => m.name),
    );
    const names = dashboard.panels.flatMap((p) =>
      p.targets.flatMap((t) => t.expr.match(/airlock_[a-z_]+/g) ?? []),
    );
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) {
      const family = name.replace(/_(bucket|count|sum)$/, "");
      expect(exported.has(family) || exported.has(name), name).toBe(true);
    }
  });
});
