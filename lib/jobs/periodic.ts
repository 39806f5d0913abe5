// The background jobs every instance runs (the sweeper, the audit sealer, the outbox worker):
// a job per name, started once per process, on an unref'd timer (it never keeps the process
// alive), whose runs never stack up — a slow run, or an unreachable database, skips ticks —
// and whose errors are logged, never thrown out of the timer.
//
// Kept on globalThis: Next.js may load a module in more than one bundle.
import { log } from "@/lib/log";

type Jobs = Map<string, NodeJS.Timeout>;
const key = Symbol.for("airlock.periodic-jobs");
type GlobalWithJobs = typeof globalThis & { [key]?: Jobs };

function jobs(): Jobs {
  const g = globalThis as GlobalWithJobs;
  g[key] ??= new Map();
  return g[key];
}

/**
 * Run `run` every `intervalMs` under `name` (which also prefixes its log lines). `run` gets
 * `stopped()`, to end a long run early once the job is stopped.
 */
export function startPeriodic(
  name: string,
  intervalMs: number,
  run: (stopped: () => boolean) => Promise<unknown>,
): void {
  const all = jobs();
  if (all.has(name)) return;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    run(() => all.get(name) !== timer)
      .catch((error: unknown) => log().error({ err: error, job: name }, `${name}: a run failed`))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  all.set(name, timer);
}

export function stopPeriodic(name: string): void {
  const all = jobs();
  const timer = all.get(name);
  if (timer) clearInterval(timer);
  all.delete(name);
}

/**
 * Whether `work` settles within `ms`, on an unref'd timer: false once the time is up, and the
 * background job goes on without it (it may still settle later). A rejection of `work` is
 * passed on.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true), over]);
  } finally {
    clearTimeout(timer);
  }
}
