// Where a server's CPU time goes (`npm run bench -- --profile`): V8's .cpuprofile, as `node
// --cpu-prof` writes it at exit, summed by self time — by area (the app, Next.js, drizzle, the
// postgres driver, logging, Node's own, the garbage collector) and by function.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A stretch of a profile: µs on the monotonic clock V8 and `process.hrtime` share. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Of the busy time (idle left out). */
  share: number;
}

export interface ProfileSummary {
  /** Wall time the profile covers, ms. */
  wallMs: number;
  /** Time the thread was not idle, ms. */
  busyMs: number;
  areas: ProfileShare[];
  functions: ProfileShare[];
}

const AREAS: readonly [string, RegExp][] = [
  ["garbage collector", /^\(garbage collector\)$/],
  ["drizzle-orm", /node_modules\/drizzle-orm\//],
  ["postgres driver", /node_modules\/postgres\/|\[externals\]_postgres|postgres_[a-f0-9]+/],
  ["LangGraph / LangChain", /node_modules\/@langchain\/|langgraph|langchain/],
  ["logging (pino)", /node_modules\/pino|pino/],
  ["zod", /node_modules\/zod\/|zod/],
  ["Next.js", /node_modules\/next\/|next\/dist|\.next\/server\/chunks\/.*next/],
  ["the app (.next/server)", /\.next\/server\//],
  ["Node.js", /^node:|^internal\//],
];

/** The area a frame belongs to, by its script's URL (or its name, for V8's pseudo-frames). */
export function areaOf(frame: ProfileNode["callFrame"]): string {
  const key = frame.url || frame.functionName;
  for (const [name, pattern] of AREAS) if (pattern.test(key)) return name;
  if (frame.functionName === "(program)") return "V8 (compiling, runtime)";
  return frame.url ? "other packages" : `other (${frame.functionName || "anonymous"})`;
}

function shares(totals: Map<string, number>, busyMs: number, top: number): ProfileShare[] {
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }));
}

/**
 * Self time by area and by function, of the samples taken inside `window` (µs on the
 * monotonic clock V8 and `process.hrtime` share) when given: the load, not the start-up.
 */
export function summarizeProfile(
  profile: CpuProfile,
  options: { top?: number; window?: ProfileWindow } = {},
): ProfileSummary {
  const top = options.top ?? 15;
  const from = options.window?.fromUs ?? -Infinity;
  const to = options.window?.toUs ?? Infinity;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
  });
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let busyMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    busyMs += ms;
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const file = frame.url.split("/").slice(-2).join("/");
    const fn = `${frame.functionName || "(anonymous)"}${file ? ` ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : ""}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  return {
    wallMs: (Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1000,
    busyMs,
    areas: shares(areas, busyMs, top),
    functions: shares(functions, busyMs, top),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
}

/** The summary as the bench prints it. */
export function profileReport(s: ProfileSummary, perRequest: { requests: number }): string {
  const row = (p: ProfileShare) =>
    `  ${(p.share * 100).toFixed(1).padStart(5)} %  ${(p.ms / perRequest.requests).toFixed(3).padStart(7)} ms/req  ${p.name}`;
  return [
    `CPU busy ${(s.busyMs / 1000).toFixed(1)} s of ${(s.wallMs / 1000).toFixed(1)} s; ${(s.busyMs / perRequest.requests).toFixed(2)} ms per request (${perRequest.requests} requests)`,
    "By area (self time):",
    ...s.areas.map(row),
    "By function (self time):",
    ...s.functions.map(row),
  ].join("\n");
}
