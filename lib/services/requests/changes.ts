// Live request changes for waiting agents (?wait= and SSE), without polling the database in
// a loop: one LISTEN per process on the channel every decision NOTIFYs on commit, fanned
// out in memory by task (and to the dashboard's live stream). It carries no principal:
// callers authorize first (the route reads the task through getTask), then wait here.
// NOTIFY is only a hint — waiters re-check the database on wake-up,
// and slowly on a timer, so a lost notification delays and never loses a change.
import { getDb } from "@/db/client";
import { REQUESTS_CHANNEL } from "@/db/queries/requests";
import { OPEN_STATUSES } from "@/lib/hitl";
import { getTaskStatus } from "./tasks";

/** Told of a change to a task, with the status the notification names (when it names one). */
type Listener = (status: string | undefined) => void;

/** What a NOTIFY says changed: one request (and its task), now in `status`. */
export interface RequestChange {
  request_id: string;
  task_id: string;
  status: string;
}

interface Hub {
  byTask: Map<string, Set<Listener>>;
  /** Listeners to every change (the dashboard's live stream). */
  all: Set<(change: RequestChange) => void>;
  listening: Promise<void> | null;
}

const key = Symbol.for("airlock.changes");
type GlobalWithHub = typeof globalThis & { [key]?: Hub };

function hub(): Hub {
  const g = globalThis as GlobalWithHub;
  g[key] ??= { byTask: new Map(), all: new Set(), listening: null };
  return g[key];
}

/** The safety net: how often a waiter re-reads the status when no notification came. */
export const RECHECK_MS = 2000;

function ensureListening(h: Hub): Promise<void> {
  if (!h.listening) {
    h.listening = (async () => {
      const db = await getDb();
      await db.listen(REQUESTS_CHANNEL, (payload) => {
        let change: Partial<RequestChange>;
        try {
          change = JSON.parse(payload) as Partial<RequestChange>;
        } catch {
          return;
        }
        const { task_id: taskId, request_id: requestId, status } = change;
        if (typeof taskId !== "string") return;
        const named = typeof status === "string" ? status : undefined;
        for (const fn of h.byTask.get(taskId) ?? []) fn(named);
        if (typeof requestId === "string" && typeof status === "string") {
          for (const fn of h.all) fn({ request_id: requestId, task_id: taskId, status });
        }
      });
    })();
    // If LISTEN could not start, waiters still re-check on their timer; try again next time.
    h.listening.catch(() => {
      h.listening = null;
    });
  }
  return h.listening.catch(() => undefined);
}

/** Call `onChange` whenever the task may have changed; returns the unsubscribe. */
export async function subscribeToTask(taskId: string, onChange: Listener): Promise<() => void> {
  const h = hub();
  let set = h.byTask.get(taskId);
  if (!set) {
    set = new Set();
    h.byTask.set(taskId, set);
  }
  set.add(onChange);
  await ensureListening(h);
  return () => {
    set.delete(onChange);
    if (set.size === 0) h.byTask.delete(taskId);
  };
}

/** Call `onChange` with every request change this process hears of; returns the unsubscribe. */
export async function subscribeToChanges(
  onChange: (change: RequestChange) => void,
): Promise<() => void> {
  const h = hub();
  h.all.add(onChange);
  await ensureListening(h);
  return () => {
    h.all.delete(onChange);
  };
}

const isOpen = (status: string | undefined) =>
  status !== undefined && (OPEN_STATUSES as readonly string[]).includes(status);

/**
 * Hold until the task's status differs from `known` (or is closed), or `timeoutMs` passes,
 * or `signal` aborts. Resolves with the status last read.
 */
export async function waitForStatusChange(
  taskId: string,
  known: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const { db } = await getDb();
  // A notification that comes while the status is being read is kept for the next wait, not
  // lost (it would leave the waiter to the recheck timer).
  const inbox: { heard: { status: string | undefined } | null } = { heard: null };
  let wake: (() => void) | null = null;
  const unsubscribe = await subscribeToTask(taskId, (status) => {
    inbox.heard = { status };
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  const deadline = Date.now() + timeoutMs;
  try {
    // Read after subscribing, so a change between the caller's read and ours is not missed.
    let status = await getTaskStatus(db, taskId);
    while (status === known && isOpen(status) && Date.now() < deadline && !signal?.aborted) {
      if (!inbox.heard) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(
            resolve,
            Math.min(RECHECK_MS, Math.max(0, deadline - Date.now())),
          );
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      const hint = inbox.heard;
      inbox.heard = null;
      // NOTIFY is sent on commit: a notification that the request closed is that change (no
      // later one can undo it), and the caller reads the task anyway. Anything else (a timer,
      // an open status that a late notification may name after a newer change) is re-read.
      status =
        hint?.status !== undefined && !isOpen(hint.status) && hint.status !== known
          ? hint.status
          : await getTaskStatus(db, taskId);
    }
    return status;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
