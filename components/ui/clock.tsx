"use client";
// One clock for the whole page: a single interval drives every countdown and age, and the
// first render on the client uses the server's instant so hydration matches.
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from "react";
import { cx } from "./cx";

const ServerNow = createContext<number>(0);

let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export function ClockProvider({ serverNow, children }: { serverNow: number; children: ReactNode }) {
  return <ServerNow.Provider value={serverNow}>{children}</ServerNow.Provider>;
}

/** Milliseconds since the epoch, updated every second. */
export function useNow(): number {
  const serverNow = useContext(ServerNow);
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => serverNow,
  );
}

const noop = () => () => {};
/** False on the server and during hydration, true after: for what depends on the time zone. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/** 0:42 · 12:05 · 1h 05m · 2d 3h */
export function formatRemaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}:${String(sec).padStart(2, "0")}`;
}

function spokenRemaining(ms: number): string {
  const minutes = Math.ceil(ms / 60000);
  if (minutes <= 1) return "less than a minute";
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.round(minutes / 60)} hours`;
}

/** 5s · 4m · 3h · 2d */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const Announce = createContext<(message: string) => void>(() => {});

/**
 * One polite live region for the page. Countdowns speak only when they cross a threshold
 * (urgent, expired), never every second.
 */
export function Announcer({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState("");
  const clear = useRef<ReturnType<typeof setTimeout> | null>(null);
  const announce = useCallback((m: string) => {
    setMessage("");
    if (clear.current) clearTimeout(clear.current);
    // Re-set after a tick so the same words are announced again.
    clear.current = setTimeout(() => setMessage(m), 50);
  }, []);
  return (
    <Announce.Provider value={announce}>
      {children}
      <div aria-live="polite" aria-atomic="true" className="sr-only" data-testid="announcer">
        {message}
      </div>
    </Announce.Provider>
  );
}

export const useAnnounce = () => useContext(Announce);

/** How long until `expiresAt`; urgent in the last tenth of the time since `startedAt`. */
export function Countdown({
  expiresAt,
  startedAt,
  label,
  onExpire,
  className,
}: {
  expiresAt: string;
  startedAt: string;
  /** What expires, for the spoken announcements. */
  label: string;
  onExpire?: () => void;
  className?: string;
}) {
  const t = useNow();
  const end = Date.parse(expiresAt);
  const total = Math.max(1, end - Date.parse(startedAt));
  const left = end - t;
  const urgent = left <= total * 0.1;
  const expired = left <= 0;
  const announce = useAnnounce();
  const phase = expired ? "expired" : urgent ? "urgent" : "normal";
  const seen = useRef<string | null>(null);
  useEffect(() => {
    const before = seen.current;
    seen.current = phase;
    // Only a change witnessed on this page is spoken, not the state it loaded in.
    if (before === null || before === phase) return;
    if (phase === "urgent") announce(`${label}: ${spokenRemaining(end - Date.now())} left`);
    if (phase === "expired") {
      announce(`${label} has expired`);
      onExpire?.();
    }
  }, [phase, label, announce, onExpire, end]);
  return (
    <span
      data-testid="countdown"
      data-urgent={urgent ? "true" : "false"}
      title={`Expires ${new Date(end).toISOString().replace("T", " ").slice(0, 19)} UTC`}
      className={cx(
        "inline-flex items-center gap-1 font-mono text-xs tabular-nums",
        expired
          ? "text-slate-500 dark:text-slate-400"
          : urgent
            ? "font-semibold text-red-700 dark:text-red-400"
            : "text-slate-600 dark:text-slate-400",
        className,
      )}
    >
      <svg
        aria-hidden
        viewBox="0 0 16 16"
        className="size-3.5 shrink-0"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.6"
      >
        <circle cx="8" cy="8.5" r="5.75" />
        <path d="M8 5.5v3l2 1.5M6.5 1.5h3" strokeLinecap="round" />
      </svg>
      <span className="sr-only">{expired ? "" : "Expires in "}</span>
      {expired ? "expired" : formatRemaining(left)}
    </span>
  );
}

function absolute(ms: number, local: boolean): string {
  const d = new Date(ms);
  if (!local) return `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;
  return d.toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** "4m ago", with the exact time on hover. */
export function Age({
  iso,
  suffix = " ago",
  className,
}: {
  iso: string;
  suffix?: string;
  className?: string;
}) {
  const t = useNow();
  const hydrated = useHydrated();
  const at = Date.parse(iso);
  return (
    <time dateTime={iso} title={absolute(at, hydrated)} className={cx("tabular-nums", className)}>
      {formatAge(t - at)}
      {suffix}
    </time>
  );
}

/** An exact time in the reader's zone (UTC until the page has hydrated). */
export function DateTime({ iso, className }: { iso: string; className?: string }) {
  const hydrated = useHydrated();
  return (
    <time dateTime={iso} className={cx("tabular-nums", className)}>
      {absolute(Date.parse(iso), hydrated)}
    </time>
  );
}
