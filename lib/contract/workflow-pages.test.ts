import { describe, expect, it } from "vitest";
import type { WorkflowList, WorkflowPageDto, WorkflowStatusDto } from "./api";
import { NO_REACH, reachWith, withLoadedPages, withPage } from "./workflow-pages";

// A workflow with events 1…n and requests r1…rn, read 2 at a time: each list's items are only
// their ids, which is all this merging looks at.
type Event = WorkflowStatusDto["events"][number];
type Request = WorkflowStatusDto["requests"][number];
const event = (id: number) => ({ id }) as unknown as Event;
const request = (n: number) => ({ id: `r${n}` }) as unknown as Request;
const PAGE = 2;

/** The server: the latest events before a cursor, the requests after one. */
function server(events: number, requests: number) {
  const reads: string[] = [];
  const eventsBefore = (before: number) => {
    const ids = Array.from({ length: events }, (_, i) => i + 1).filter((id) => id < before);
    const page = ids.slice(-PAGE);
    return {
      items: page.map(event),
      next: ids.length > PAGE ? `e${page[0]}` : null,
    };
  };
  const requestsAfter = (after: number) => {
    const ns = Array.from({ length: requests }, (_, i) => i + 1).filter((n) => n > after);
    const page = ns.slice(0, PAGE);
    return { items: page.map(request), next: ns.length > PAGE ? `r${page.at(-1)}` : null };
  };
  const status = (): WorkflowStatusDto => {
    const e = eventsBefore(Number.POSITIVE_INFINITY);
    const r = requestsAfter(0);
    return {
      workflow_id: "wf",
      counts: { total: requests },
      started_at: null,
      last_activity_at: null,
      requests: r.items,
      events: e.items,
      checkpoints: [],
      totals: { requests, events, checkpoints: 0 },
      cursors: { requests: r.next, events: e.next, checkpoints: null },
    };
  };
  const fetchPage = async (list: WorkflowList, cursor: string): Promise<WorkflowPageDto> => {
    reads.push(cursor);
    const at = Number(cursor.slice(1));
    if (list === "events") {
      const p = eventsBefore(at);
      return { list, items: p.items, next_cursor: p.next };
    }
    if (list === "requests") {
      const p = requestsAfter(at);
      return { list, items: p.items, next_cursor: p.next };
    }
    return { list: "checkpoints", items: [], next_cursor: null };
  };
  return {
    reads,
    status,
    fetchPage,
    grow(by: number) {
      events += by;
    },
  };
}

const ids = (s: WorkflowStatusDto) => ({
  events: s.events.map((e) => e.id),
  requests: s.requests.map((r) => r.id),
});

describe("putting a workflow together from its pages", () => {
  it("adds requests after the ones shown and events before, each once", async () => {
    const api = server(5, 5);
    let s = api.status();
    expect(ids(s)).toEqual({ events: [4, 5], requests: ["r1", "r2"] });
    const events = await api.fetchPage("events", s.cursors.events as string);
    s = withPage(s, events, s.cursors.events as string) as WorkflowStatusDto;
    const requests = await api.fetchPage("requests", s.cursors.requests as string);
    const from = s.cursors.requests as string;
    s = withPage(s, requests, from) as WorkflowStatusDto;
    expect(ids(s)).toEqual({ events: [2, 3, 4, 5], requests: ["r1", "r2", "r3", "r4"] });
    expect(s.cursors).toEqual({ events: "e2", requests: "r4", checkpoints: null });
    // The list has moved on since that cursor: the page is not added twice, nor out of place.
    expect(withPage(s, requests, from)).toBeNull();
  });

  it("a refresh reads the pages the reader loaded again, and no more", async () => {
    const api = server(9, 9);
    const first = api.status();
    const page = await api.fetchPage("requests", first.cursors.requests as string);
    const reach = reachWith(NO_REACH, page);
    api.reads.length = 0;
    const again = await withLoadedPages(api.status(), reach, api.fetchPage);
    expect(ids(again).requests).toEqual(["r1", "r2", "r3", "r4"]);
    expect(again.cursors.requests).toBe("r4");
    expect(api.reads).toEqual(["r2"]);
    // With nothing loaded, a refresh is the status answer alone.
    api.reads.length = 0;
    expect(await withLoadedPages(api.status(), NO_REACH, api.fetchPage)).toEqual(api.status());
    expect(api.reads).toEqual([]);
  });

  it("new events push nothing the reader loaded off the timeline", async () => {
    const api = server(9, 1);
    let s = api.status();
    let reach = NO_REACH;
    for (let i = 0; i < 2; i++) {
      const from = s.cursors.events as string;
      const page = await api.fetchPage("events", from);
      reach = reachWith(reach, page);
      s = withPage(s, page, from) as WorkflowStatusDto;
    }
    expect(ids(s).events).toEqual([4, 5, 6, 7, 8, 9]);
    // One new event: the refresh reads one page more, back to event 4.
    api.grow(1);
    s = await withLoadedPages(api.status(), reach, api.fetchPage);
    expect(ids(s).events).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.cursors.events).toBe("e3");
    // More than a page of them at once: at most one page more, so the oldest may go.
    api.grow(5);
    s = await withLoadedPages(api.status(), reach, api.fetchPage);
    expect(ids(s).events).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });
});
