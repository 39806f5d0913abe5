// One autocannon run, with what the report needs that autocannon does not keep: every 2xx
// answer's latency at the clock's resolution, and the server's own time of each answer that
// says (Server-Timing `app;dur=`). Used by tools/bench/http.ts and tools/bench/stored.ts.
import autocannon from "autocannon";

export interface Fired {
  result: autocannon.Result;
  /** Latency of every 2xx answer in ms, at the clock's resolution (autocannon's own histogram
   * rounds to whole milliseconds, too coarse for a 5 ms target). */
  latencies: number[];
  /** The server's own time of every answer that said (Server-Timing `app;dur=`), in ms. */
  serverTimes: number[];
}

export interface LoadOptions {
  url: string;
  method: "GET" | "POST";
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  /** Per connection, before its first request (e.g. its own agent key). */
  setupClient?: (client: autocannon.Client) => void;
  /** The running instance, so Ctrl-C can stop it. */
  onStart?: (instance: autocannon.Instance | undefined) => void;
}

const SERVER_TIMING = /(?:^|,)\s*app;dur=([0-9.]+)/;

export function fire(options: LoadOptions): Promise<Fired> {
  const latencies: number[] = [];
  const serverTimes: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: options.method,
        headers: options.headers,
        body: options.body,
        connections: options.connections,
        duration: options.seconds,
        timeout: 10,
        setupClient: (client) => {
          options.setupClient?.(client);
          // @types/autocannon (written for v7) types this event's argument wrongly; llhttp
          // hands headers over as [name, value, …].
          (client as unknown as NodeJS.EventEmitter).on(
            "headers",
            (info: { headers: string[] }) => {
              for (let i = 0; i < info.headers.length; i += 2) {
                if (info.headers[i]?.toLowerCase() !== "server-timing") continue;
                const match = SERVER_TIMING.exec(info.headers[i + 1] ?? "");
                if (match) serverTimes.push(Number(match[1]));
              }
            },
          );
        },
      },
      (error, result) => {
        options.onStart?.(undefined);
        if (error) reject(error);
        else resolve({ result, latencies, serverTimes });
      },
    );
    options.onStart?.(instance);
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/** The p-th percentile of ascending values (nearest rank); NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)] as number;
}

export const ascending = (values: number[]) => values.sort((a, b) => a - b);
