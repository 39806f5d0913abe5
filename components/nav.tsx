"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { roleWords } from "@/lib/hitl/types";
import { useLiveState } from "./live";

import { cx } from "./ui/cx";
import { LogoMark } from "./ui/logo";

const LINKS = [
  { href: "/queue", label: "Queue", match: ["/queue", "/requests", "/workflows"] },
  { href: "/rules", label: "Rules", match: ["/rules"] },
  { href: "/grants", label: "Grants", match: ["/grants"] },
  { href: "/insights", label: "Insights", match: ["/insights"] },
  { href: "/audit", label: "Audit", match: ["/audit"] },
  { href: "/keys", label: "Keys", match: ["/keys"] },
];

function LiveDot() {
  const state = useLiveState();
  const text = state === "live" ? "Live" : state === "connecting" ? "Connecting" : "Polling";
  return (
    <span
      data-testid="live-state"
      data-state={state}
      title={
        state === "live"
          ? "Updates arrive as they happen"
          : "The live stream is down; the page re-reads every 15 seconds"
      }
      className="inline-flex items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400"
    >
      <span
        aria-hidden
        className={cx(
          "size-2 rounded-full",
          state === "live"
            ? "bg-emerald-500"
            : state === "connecting"
              ? "bg-amber-400"
              : "bg-slate-400",
        )}
      />
      <span className="sr-only sm:not-sr-only">{text}</span>
    </span>
  );
}

export function Nav({ email, role, showKeys }: { email: string; role: string; showKeys: boolean }) {
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);
  const links = LINKS.filter((l) => l.href !== "/keys" || showKeys);
  const linkList = (className: string) =>
    links.map((l) => {
      const active = l.match.some((m) => pathname === m || pathname.startsWith(`${m}/`));
      return (
        <Link
          key={l.href}
          href={l.href}
          aria-current={active ? "page" : undefined}
          data-testid={`nav-${l.label.toLowerCase()}`}
          className={cx(
            "relative flex shrink-0 items-center px-2 text-sm font-medium sm:px-3",
            className,
            active
              ? "text-indigo-700 after:absolute after:inset-x-2 after:bottom-0 after:h-0.5 after:rounded-full after:bg-indigo-600 dark:text-indigo-300 dark:after:bg-indigo-400"
              : "text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100",
          )}
        >
          {l.label}
        </Link>
      );
    });
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 px-4 sm:h-14 sm:flex-nowrap sm:px-6">
        <Link
          href="/queue"
          className="flex h-14 shrink-0 items-center gap-2 rounded-md font-semibold tracking-tight"
        >
          <LogoMark />
          <span className="max-sm:sr-only">Airlock</span>
        </Link>
        <nav
          aria-label="Main"
          className="order-last -mx-4 flex h-11 w-[calc(100%+2rem)] overflow-x-auto border-t border-slate-100 px-2 sm:order-none sm:mx-0 sm:h-full sm:w-auto sm:overflow-visible sm:border-0 sm:px-0 dark:border-slate-800"
        >
          {linkList("h-full")}
        </nav>
        <div className="ml-auto flex max-w-[calc(100%-3.5rem)] min-w-0 items-center gap-3 sm:max-w-none">
          <LiveDot />
          <div className="min-w-0 text-right leading-tight">
            <p data-testid="user-email" className="truncate text-sm font-medium">
              {email}
            </p>
            <p data-testid="user-role" className="text-xs text-slate-500 dark:text-slate-400">
              {roleWords(role)}
            </p>
          </div>
          <button
            type="button"
            data-testid="sign-out"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              void signOut({ callbackUrl: "/login" });
            }}
            className="shrink-0 rounded-md px-2 py-1.5 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-100"
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
