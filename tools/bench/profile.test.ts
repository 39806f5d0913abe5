import { describe, expect, it } from "vitest";
import { areaOf, profileReport, summarizeProfile } from "./profile";

const frame = (functionName: string, url = "") => ({
  functionName,
  url,
  lineNumber: 9,
  columnNumber: 4,
});

// Three frames sampled at 1 ms intervals from t = 1,000 µs: idle, drizzle, GC, drizzle, Node.
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame("(idle)") },
    { id: 2, callFrame: frame("is", "file:///app/node_modules/drizzle-orm/entity.js") },
    { id: 3, callFrame: frame("(garbage collector)") },
    { id: 4, callFrame: frame("writev", "node:internal/stream_base_commons") },
  ],
  startTime: 1_000,
  endTime: 6_000,
  samples: [1, 2, 3, 2, 4],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 1_000],
};

describe("the CPU profile's summary", () => {
  it("sums self time by area and by function, idle left out", () => {
    const s = summarizeProfile(PROFILE);
    expect(s.busyMs).toBe(4);
    expect(s.wallMs).toBe(5);
    expect(s.areas).toEqual([
      { name: "drizzle-orm", ms: 2, share: 0.5 },
      { name: "garbage collector", ms: 1, share: 0.25 },
      { name: "Node.js", ms: 1, share: 0.25 },
    ]);
    expect(s.functions[0]).toEqual({ name: "is drizzle-orm/entity.js:10:5", ms: 2, share: 0.5 });
  });

  it("counts only the samples inside the window (the load, not the start-up)", () => {
    // Samples land at 2,000 … 6,000 µs: the window [3,500, 5,500] holds the GC's and drizzle's
    // second.
    const s = summarizeProfile(PROFILE, { window: { fromUs: 3_500, toUs: 5_500 } });
    expect(s.busyMs).toBe(2);
    expect(s.wallMs).toBe(2);
    expect(s.areas.map((a) => a.name).sort()).toEqual(["drizzle-orm", "garbage collector"]);
  });

  it("names the areas by script, and V8's pseudo-frames by name", () => {
    expect(areaOf(frame("x", "/srv/.next/server/chunks/app.js"))).toBe("the app (.next/server)");
    expect(areaOf(frame("x", "node:http"))).toBe("Node.js");
    expect(areaOf(frame("(program)"))).toBe("V8 (compiling, runtime)");
    expect(areaOf(frame("x", "/srv/node_modules/some-lib/index.js"))).toBe("other packages");
  });

  it("reports per request", () => {
    const text = profileReport(summarizeProfile(PROFILE), { requests: 2 });
    expect(text).toContain("CPU busy 0.0 s of 0.0 s; 2.00 ms per request (2 requests)");
    expect(text).toContain("50.0 %    1.000 ms/req  drizzle-orm");
  });
});
