"use client";
// What the queue shows in place of a list: "Loading…" before the first answer, and, when a
// tab has nothing, why, with a way to clear the filters that hid everything.

import { EmptyState } from "../ui/alert";
import type { Tab } from "./filters";

export function QueueLoading() {
  return (
    <div
      className="px-4 py-12 text-center text-sm text-slate-500 dark:text-slate-400"
      aria-busy="true"
    >
      Loading…
    </div>
  );
}

export function QueueEmpty({
  tab,
  filtered,
  mine,
  clear,
}: {
  tab: Tab;
  filtered: boolean;
  mine: boolean;
  clear: () => void;
}) {
  const clearButton = filtered && (
    <button
      type="button"
      onClick={clear}
      className="mt-2 font-medium text-indigo-700 underline dark:text-indigo-300"
      data-testid="clear-filters"
    >
      Clear filters
    </button>
  );
  const title = filtered
    ? mine
      ? "Nothing here you can approve right now"
      : "No requests match these filters"
    : tab === "pending"
      ? "Nothing is waiting for review"
      : tab === "escalated"
        ? "No escalated requests"
        : tab === "quarantined"
          ? "Nothing is in quarantine"
          : "No decisions yet";
  const text = filtered
    ? null
    : tab === "pending"
      ? "New requests appear here as agents submit them; this page updates by itself."
      : tab === "escalated"
        ? "Requests that a reviewer or the timeout escalates to a higher role land here."
        : tab === "quarantined"
          ? "Quarantined requests are held from approval until a devops engineer releases or rejects them."
          : "Approved, rejected, expired and cancelled requests appear here, newest first.";
  return (
    <div className="p-4">
      <EmptyState title={title} testId="queue-empty">
        {text}
        {clearButton && <div>{clearButton}</div>}
      </EmptyState>
    </div>
  );
}
