"use client";
// The workflow page's "show more" under each list that did not fit one page, and the words
// for how much of a list is shown, which the page also announces after each added page.

import { WORKFLOW_PAGE_MAX, type WorkflowList, type WorkflowStatusDto } from "@/lib/contract/api";
import { failureText } from "../action-result";
import { Alert } from "../ui/alert";
import { Button } from "../ui/button";

const MORE_WORDS: Record<WorkflowList, { noun: string; button: string; failed: string }> = {
  requests: { noun: "requests", button: "Show more requests", failed: "more requests" },
  events: { noun: "events", button: "Show earlier events", failed: "earlier events" },
  checkpoints: { noun: "checkpoints", button: "Show more checkpoints", failed: "more checkpoints" },
};

/** "Showing 200 of 340 requests" ("the latest … events"): how much of a list is on the page. */
export function showingWords(list: WorkflowList, data: WorkflowStatusDto): string {
  const shown = data[list].length;
  const total = Math.max(data.totals[list], shown);
  return `Showing ${list === "events" && shown < total ? "the latest " : ""}${shown} of ${total} ${MORE_WORDS[list].noun}`;
}

/** The one "show more" of the page at a time: which list it reads, and how it went. */
export interface MoreState {
  mutate(list: WorkflowList): void;
  isPending: boolean;
  variables: WorkflowList | undefined;
  error: unknown;
}

/**
 * Under a list that did not fit one page (SPEC §8.1: at most 100 a page): how much of it is
 * shown, and a button that reads the next page (the events: the page before) and adds it.
 */
export function MorePages({
  list,
  data,
  more,
  className,
}: {
  list: WorkflowList;
  data: WorkflowStatusDto;
  more: MoreState;
  className?: string;
}) {
  const cursor = data.cursors[list];
  if (cursor === null && data.totals[list] <= WORKFLOW_PAGE_MAX) return null;
  const mine = more.variables === list;
  return (
    <div className={className}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span
          className="text-xs text-slate-500 tabular-nums dark:text-slate-400"
          data-testid={`workflow-${list}-shown`}
        >
          {showingWords(list, data)}
        </span>
        {cursor !== null && (
          <Button
            size="sm"
            onClick={() => more.mutate(list)}
            disabled={more.isPending}
            data-testid={`workflow-${list}-more`}
          >
            {more.isPending && mine ? "Loading…" : MORE_WORDS[list].button}
          </Button>
        )}
      </div>
      {mine && more.error !== null && (
        <Alert tone="error" className="mt-2">
          Could not read {MORE_WORDS[list].failed}: {failureText(more.error)}
        </Alert>
      )}
    </div>
  );
}
