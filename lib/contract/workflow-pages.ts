// How a reader puts a workflow back together from its pages: the status answer's first page of
// each list, and the pages they asked for after it. Pure, so the workflow page and its test
// share it. A refresh reads the first pages again and then as many pages as the reader had
// loaded (`WorkflowReach`), so what they loaded stays on the page and is refreshed with it.
import type { WorkflowList, WorkflowPageDto, WorkflowStatusDto } from "./api";

/** How far a reader has paged each list beyond the status answer's first page. */
export interface WorkflowReach {
  /** The pages they added to each list. */
  pages: Record<WorkflowList, number>;
  /**
   * The oldest event they have loaded. Events come in at the end of a timeline its first page is
   * read from: a refresh reads back to it (one page further at most), so new events push
   * nothing the reader loaded off the page.
   */
  oldestEvent: number | null;
}

export const NO_REACH: WorkflowReach = {
  pages: { requests: 0, events: 0, checkpoints: 0 },
  oldestEvent: null,
};

/** The reach once `page` is added to what the reader has. */
export function reachWith(reach: WorkflowReach, page: WorkflowPageDto): WorkflowReach {
  return {
    pages: { ...reach.pages, [page.list]: reach.pages[page.list] + 1 },
    oldestEvent: page.list === "events" && page.items[0] ? page.items[0].id : reach.oldestEvent,
  };
}

/**
 * `status` with `page` (read from the cursor `from`) added: after the requests or checkpoints
 * shown, before the events. Items already shown are not shown twice (a refresh may have read
 * the page first); null when the list has moved since `from` was its cursor, so the page may
 * not join up with it: read the whole again instead.
 */
export function withPage(
  status: WorkflowStatusDto,
  page: WorkflowPageDto,
  from: string,
): WorkflowStatusDto | null {
  if (status.cursors[page.list] !== from) return null;
  const cursors = { ...status.cursors, [page.list]: page.next_cursor };
  switch (page.list) {
    case "requests": {
      const shown = new Set(status.requests.map((r) => r.id));
      const added = page.items.filter((r) => !shown.has(r.id));
      return { ...status, requests: [...status.requests, ...added], cursors };
    }
    case "events": {
      const shown = new Set(status.events.map((e) => e.id));
      const added = page.items.filter((e) => !shown.has(e.id));
      return { ...status, events: [...added, ...status.events], cursors };
    }
    case "checkpoints": {
      const shown = new Set(status.checkpoints.map((c) => c.checkpoint_id));
      const added = page.items.filter((c) => !shown.has(c.checkpoint_id));
      return { ...status, checkpoints: [...status.checkpoints, ...added], cursors };
    }
  }
}

export type FetchWorkflowPage = (list: WorkflowList, cursor: string) => Promise<WorkflowPageDto>;

/** A fresh status answer with the pages the reader had loaded read again after it. */
export async function withLoadedPages(
  status: WorkflowStatusDto,
  reach: WorkflowReach,
  fetchPage: FetchWorkflowPage,
): Promise<WorkflowStatusDto> {
  const walk = async (
    list: WorkflowList,
    more: (s: WorkflowStatusDto, read: number) => boolean,
  ) => {
    let s = status;
    for (let read = 0; more(s, read); read++) {
      const cursor = s.cursors[list];
      if (cursor === null) break;
      const next = withPage(s, await fetchPage(list, cursor), cursor);
      if (next === null) break;
      s = next;
    }
    return s;
  };
  const { pages, oldestEvent } = reach;
  const [requests, events, checkpoints] = await Promise.all([
    walk("requests", (_, read) => read < pages.requests),
    walk(
      "events",
      (s, read) =>
        read < pages.events ||
        (read === pages.events &&
          oldestEvent !== null &&
          (s.events[0]?.id ?? Number.POSITIVE_INFINITY) > oldestEvent),
    ),
    walk("checkpoints", (_, read) => read < pages.checkpoints),
  ]);
  return {
    ...status,
    requests: requests.requests,
    events: events.events,
    checkpoints: checkpoints.checkpoints,
    cursors: {
      requests: requests.cursors.requests,
      events: events.cursors.events,
      checkpoints: checkpoints.cursors.checkpoints,
    },
  };
}
