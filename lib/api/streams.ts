// Responses that outlive their request — event streams and `?wait=` long polls — hold one of
// their caller's slots while they last (SPEC §8.1: HITL_MAX_STREAMS_PER_KEY per key, and per
// person for reviewer keys and dashboard sessions), and re-check the caller every few seconds
// (HITL_STREAM_RECHECK_MS, at most 5 s) the way the request was checked when it came: a key
// revoked, a person disabled or a role lost ends them. The count is per process, like the
// submit limit: with N instances behind a balancer a key may hold up to N times the setting.
import { env } from "@/lib/env";
import { asServiceError, ServiceError } from "@/lib/services/errors";

/** When a refused caller may try again: streams and waits end on their own within a minute. */
export const STREAM_RETRY_AFTER_SECONDS = 5;

export interface StreamHold {
  /** Aborts when the caller may no longer read; its reason is the refusal (a ServiceError). */
  readonly signal: AbortSignal;
  /** Gives the slot back and stops the re-checks; idempotent, so every way out may call it. */
  release(): void;
}

export interface StreamLimits {
  /** Open streams and long polls per owner (default HITL_MAX_STREAMS_PER_KEY). */
  max?: number;
  /** How often the caller is checked again (default HITL_STREAM_RECHECK_MS). */
  recheckMs?: number;
}

// Shared by every route bundle of the process (as the change hub is), so an event stream and a
// long poll of one key count against the same slots.
const key = Symbol.for("airlock.streams");
type GlobalWithStreams = typeof globalThis & { [key]?: Map<string, number> };

function openByOwner(): Map<string, number> {
  const g = globalThis as GlobalWithStreams;
  g[key] ??= new Map();
  return g[key];
}

/** How many streams and long polls `owner` holds open in this process. */
export function openStreams(owner: string): number {
  return openByOwner().get(owner) ?? 0;
}

/**
 * Take one of `owner`'s slots (or refuse with 429 and Retry-After) and run `recheck` every
 * few seconds until released; a refusal from it aborts the hold's signal and frees the slot.
 */
export function holdStream(
  owner: string,
  recheck: () => Promise<void>,
  limits: StreamLimits = {},
): StreamHold {
  const max = limits.max ?? env().HITL_MAX_STREAMS_PER_KEY;
  const recheckMs = limits.recheckMs ?? env().HITL_STREAM_RECHECK_MS;
  const open = openByOwner();
  const held = open.get(owner) ?? 0;
  if (held >= max) {
    throw new ServiceError(
      "limit",
      `Too many open event streams and long polls: at most ${max} per API key or person (HITL_MAX_STREAMS_PER_KEY); close one, or try again in ${STREAM_RETRY_AFTER_SECONDS} s`,
      { limit: max, setting: "HITL_MAX_STREAMS_PER_KEY" },
      STREAM_RETRY_AFTER_SECONDS,
    );
  }
  open.set(owner, held + 1);

  const lost = new AbortController();
  let released = false;
  let checking = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    const left = (open.get(owner) ?? 1) - 1;
    if (left > 0) open.set(owner, left);
    else open.delete(owner);
  };
  const timer = setInterval(async () => {
    // A check still waiting on the database is not stacked with another.
    if (checking || released) return;
    checking = true;
    try {
      await recheck();
    } catch (error) {
      // Unverifiable is not verified: a lost database ends the stream too (its client reconnects
      // and is answered 503 until it is back).
      if (!released) {
        lost.abort(asServiceError(error, "stream re-check"));
        release();
      }
    } finally {
      checking = false;
    }
  }, recheckMs);
  // An open stream alone never keeps the process (or a test run) alive.
  timer.unref?.();
  return { signal: lost.signal, release };
}
