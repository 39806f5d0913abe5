// SPEC §8.1: lists are paginated, at most 100 a page. An agent decides how many requests,
// events and checkpoints a workflow has; its page answers with the first page of each and a
// keyset cursor for the rest, and the counts stay those of the whole workflow. Read here through
// the services and the dashboard's server action: every item once, in order, on pages of at
// most 100; forged cursors refused naming `cursor`; people read, agents do not.

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows, setDbForTesting } from "@/db/client";
import { COMMANDS } from "@/lib/cli/commands";
import {
  WORKFLOW_PAGE_MAX,
  type WorkflowList,
  type WorkflowPageDto,
  type WorkflowStatusDto,
} from "@/lib/contract/api";
import { readPath, readResponse } from "@/test-support/api";
import { browser } from "@/test-support/browser";
import { ACTIONS, createFixture, type Fixture, refusalOf, taskBody } from "@/test-support/services";
import { saveCheckpoint } from "./checkpoints";
import { decideRequest, submitTask } from "./lifecycle";
import { getWorkflowPage, getWorkflowStatus } from "./queue";

// The browser's session as next-auth decodes it from the cookie.
vi.mock("next-auth", async (original) =>
  (await import("@/test-support/browser")).nextAuth(original),
);

const WF = "wf-many";
const REQUESTS = 250;

describe("a workflow's page, a page at a time", () => {
  let f: Fixture;
  /** The workflow's requests in submission order. */
  const submitted: string[] = [];

  beforeAll(async () => {
    f = await createFixture();
    setDbForTesting(f.t);
    for (let i = 0; i < REQUESTS; i++) {
      // Every tenth waits for a person; the rest are approved on arrival.
      const action = i % 10 === 0 ? ACTIONS.high : ACTIONS.low;
      const { task } = await submitTask(
        f.t.db,
        f.alpha,
        taskBody({ ...action, description: `step ${i}` }, { workflow_id: WF }),
      );
      submitted.push(task.approval_request_id);
    }
    // Another workflow's, which no count or page of this one may show.
    await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high, { workflow_id: "wf-other" }));
    for (const i of [0, 10, 20]) {
      await decideRequest(f.t.db, f.as.lead, submitted[i] as string, {
        type: "reject",
        reason: "Not this one",
      });
    }
    // Ten requests around the first page's end made within the same millisecond, three of
    // them in the same microsecond: the order (created_at, id) holds across a page's end.
    const [anchor] = await execRows<{ at: string }>(
      f.t.db,
      sql`SELECT created_at::text AS at FROM approval_requests WHERE id = ${submitted[99]}`,
    );
    for (let i = 95; i < 105; i++) {
      await execRows(
        f.t.db,
        sql`UPDATE approval_requests
            SET created_at = ${anchor?.at}::timestamptz + ${i % 3} * interval '1 microsecond'
            WHERE id = ${submitted[i]}`,
      );
    }
    // 120 checkpoints on three requests, the last two in that tie.
    for (const [i, n] of [
      [3, 30],
      [97, 45],
      [101, 45],
    ] as const) {
      for (let j = 0; j < n; j++) {
        await saveCheckpoint(f.t.db, f.alpha, submitted[i] as string, {
          name: `step-${j}`,
          type: "state",
          data: { request: i, j },
        });
      }
    }
  }, 300_000);
  afterAll(async () => {
    await f?.t.destroy();
  });

  /** Every id of each list of the workflow, in the list's order, as the database has them. */
  async function expected() {
    const [requests, events, checkpoints] = await Promise.all([
      execRows<{ id: string }>(
        f.t.db,
        sql`SELECT id FROM approval_requests WHERE workflow_id = ${WF} ORDER BY created_at, id`,
      ),
      execRows<{ id: string }>(
        f.t.db,
        sql`SELECT id::int AS id FROM audit_events WHERE workflow_id = ${WF} ORDER BY id`,
      ),
      execRows<{ id: string }>(
        f.t.db,
        sql`SELECT c.id FROM execution_checkpoints c JOIN approval_requests r ON r.id = c.action_id
            WHERE r.workflow_id = ${WF}
            ORDER BY r.created_at, r.id, c.sequence_number, c.id`,
      ),
    ]);
    return {
      requests: requests.map((r) => r.id),
      events: events.map((e) => Number(e.id)),
      checkpoints: checkpoints.map((c) => c.id),
    };
  }

  const idsOf = (page: WorkflowPageDto | WorkflowStatusDto, list: WorkflowList) => {
    const items: unknown[] = "list" in page ? page.items : page[list];
    return items.map((item) =>
      list === "checkpoints"
        ? (item as { checkpoint_id: string }).checkpoint_id
        : (item as { id: string | number }).id,
    );
  };

  /** Page through one list from the status answer's cursor to its end. */
  async function readAll(status: WorkflowStatusDto, list: WorkflowList) {
    const pages = [idsOf(status, list)];
    for (let cursor = status.cursors[list]; cursor !== null; ) {
      const page = await getWorkflowPage(f.t.db, f.as.viewer, { workflow_id: WF, list, cursor });
      expect(page.list).toBe(list);
      pages.push(idsOf(page, list));
      cursor = page.next_cursor;
    }
    return pages;
  }

  it("answers with the first page of each list, and the whole workflow's counts", async () => {
    const status = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    const all = await expected();
    expect(all.requests).toHaveLength(REQUESTS);
    expect(all.checkpoints).toHaveLength(120);
    expect(all.events.length).toBeGreaterThan(2 * WORKFLOW_PAGE_MAX);
    // The oldest requests, the latest events (oldest first), the first checkpoints.
    expect(idsOf(status, "requests")).toEqual(all.requests.slice(0, WORKFLOW_PAGE_MAX));
    expect(idsOf(status, "events")).toEqual(all.events.slice(-WORKFLOW_PAGE_MAX));
    expect(idsOf(status, "checkpoints")).toEqual(all.checkpoints.slice(0, WORKFLOW_PAGE_MAX));
    expect(status.cursors).toEqual({
      requests: expect.any(String),
      events: expect.any(String),
      checkpoints: expect.any(String),
    });
    expect(status.totals).toEqual({
      requests: REQUESTS,
      events: all.events.length,
      checkpoints: 120,
    });
    expect(status.counts).toEqual({ total: REQUESTS, approved: 225, pending: 22, rejected: 3 });
    const [times] = await execRows<{ started: Date | string; last: Date | string }>(
      f.t.db,
      sql`SELECT (SELECT min(created_at) FROM approval_requests WHERE workflow_id = ${WF}) AS started,
                 (SELECT at FROM audit_events WHERE workflow_id = ${WF} ORDER BY id DESC LIMIT 1) AS last`,
    );
    expect(status.started_at).toBe(new Date(times?.started as string).toISOString());
    expect(status.last_activity_at).toBe(new Date(times?.last as string).toISOString());
    // A rejected request still says who closed it, on the first page or any other.
    expect(status.requests.find((r) => r.id === submitted[10])).toMatchObject({
      status: "rejected",
      decider: { email: f.users.lead.email },
      approvals_given: [],
    });
  });

  it("pages through every request, event and checkpoint once, in order, at most 100 a page", async () => {
    const status = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    const all = await expected();
    const requests = await readAll(status, "requests");
    expect(requests.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(requests.flat()).toEqual(all.requests);
    // The timeline from its end: each page is older than the one before, oldest first within.
    const events = await readAll(status, "events");
    expect(events.every((p) => p.length <= WORKFLOW_PAGE_MAX)).toBe(true);
    expect(events.slice(0, -1).every((p) => p.length === WORKFLOW_PAGE_MAX)).toBe(true);
    expect(events.reverse().flat()).toEqual(all.events);
    const checkpoints = await readAll(status, "checkpoints");
    expect(checkpoints.map((p) => p.length)).toEqual([100, 20]);
    expect(checkpoints.flat()).toEqual(all.checkpoints);
  });

  it("a page's requests are described as on the first: quorum, approvals and decider", async () => {
    const status = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    const second = await getWorkflowPage(f.t.db, f.as.viewer, {
      workflow_id: WF,
      list: "requests",
      cursor: status.cursors.requests as string,
    });
    if (second.list !== "requests") throw new Error("not a page of requests");
    const open = second.items.find((r) => r.id === submitted[150]);
    expect(open).toMatchObject({
      status: "pending",
      approvals: { have: 0, need: expect.any(Number) },
      approvals_given: [],
      decider: null,
      decided_via: null,
    });
  });

  it("a cursor keeps its place while the workflow grows", async () => {
    const status = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    const cursor = status.cursors.events as string;
    const before = await getWorkflowPage(f.t.db, f.as.viewer, {
      workflow_id: WF,
      list: "events",
      cursor,
    });
    await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.low, { workflow_id: WF }));
    const after = await getWorkflowPage(f.t.db, f.as.viewer, {
      workflow_id: WF,
      list: "events",
      cursor,
    });
    expect(after).toEqual(before);
    const grown = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    expect(grown.totals.requests).toBe(REQUESTS + 1);
    expect(grown.totals.events).toBeGreaterThan(status.totals.events);
    expect(grown.requests).toEqual(status.requests);
  });

  it("hitl status prints the first page of each and says there are more", async () => {
    const hitl = async (...args: string[]) => {
      let out = "";
      await COMMANDS.status?.run(args, { db: async () => f.t, out: (text) => (out += text) });
      return out;
    };
    const status = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    const human = await hitl(WF);
    expect(human).toContain(
      `Showing 100 of ${status.totals.requests} requests; the dashboard's workflow page pages through them.`,
    );
    expect(human).toContain(
      `Showing the latest 100 of ${status.totals.events} events; the dashboard's workflow page pages through them.`,
    );
    const json = JSON.parse(await hitl(WF, "--json")) as WorkflowStatusDto;
    expect(json.requests).toHaveLength(WORKFLOW_PAGE_MAX);
    expect(json.totals).toEqual(status.totals);
    expect(json.cursors.requests).toEqual(expect.any(String));
  });

  const forged: [string, WorkflowList, string][] = [
    ["garbage", "requests", "not a cursor!"],
    ["empty", "requests", ""],
    ["another list's", "checkpoints", "WyJldmVudHMiLDEyXQ"],
    [
      "a position edited to SQL",
      "events",
      Buffer.from('["events","1 OR 1=1"]').toString("base64url"),
    ],
    ["too long", "events", "A".repeat(501)],
  ];

  it.each(forged)("refuses a forged cursor (%s), naming the field", async (_, list, cursor) => {
    const error = await refusalOf(
      getWorkflowPage(f.t.db, f.as.viewer, { workflow_id: WF, list, cursor }),
    );
    expect(error.code).toBe("invalid");
    expect(error.message).toMatch(/cursor/);
    expect(error.details).toEqual([{ path: "cursor", message: expect.any(String) }]);
  });

  it("refuses a list it does not have", async () => {
    const error = await refusalOf(
      getWorkflowPage(f.t.db, f.as.viewer, {
        workflow_id: WF,
        list: "approvals" as WorkflowList,
        cursor: "WyJldmVudHMiLDEyXQ",
      }),
    );
    expect(error).toMatchObject({ code: "invalid", details: [{ path: "list" }] });
  });

  it("people read the pages; agents read neither the status nor a page", async () => {
    const status = await getWorkflowStatus(f.t.db, f.as.viewer, WF);
    const query = {
      workflow_id: WF,
      list: "requests" as const,
      cursor: status.cursors.requests ?? "",
    };
    for (const person of [f.as.viewer, f.as.dev, f.as.ops]) {
      expect((await getWorkflowPage(f.t.db, person, query)).items).toHaveLength(100);
    }
    for (const agent of [f.alpha, f.beta]) {
      expect((await refusalOf(getWorkflowStatus(f.t.db, agent, WF))).code).toBe("forbidden");
      expect((await refusalOf(getWorkflowPage(f.t.db, agent, query))).code).toBe("forbidden");
    }
  });

  it("the dashboard's read route answers the next page, and refuses a forged cursor", async () => {
    const { GET } = await import("@/app/api/dashboard/[read]/route");
    const readAs = async (name: string, input: unknown) =>
      readResponse(
        await GET(new Request(new URL(readPath(name, input), "http://airlock.test")), {
          params: Promise.resolve({ read: name }),
        }),
      );
    browser.session = { user: { id: f.users.viewer.id } };
    const status = await readAs("workflow", { workflow_id: WF });
    expect(status.status).toBe(200);
    expect(status.json.requests).toHaveLength(WORKFLOW_PAGE_MAX);
    const pageQuery = {
      workflow_id: WF,
      list: "checkpoints",
      cursor: status.json.cursors.checkpoints as string,
    };
    const page = await readAs("workflow-page", pageQuery);
    expect(page.json).toMatchObject({ list: "checkpoints", next_cursor: null });
    expect(page.json.items).toHaveLength(20);
    const forged = await readAs("workflow-page", {
      workflow_id: WF,
      list: "requests",
      cursor: "forged",
    });
    expect(forged.status).toBe(400);
    expect(forged.json.error).toMatchObject({ code: "invalid", details: [{ path: "cursor" }] });
    browser.session = null;
    const signedOut = await readAs("workflow-page", pageQuery);
    expect(signedOut.status).toBe(401);
    expect(signedOut.json.error).toMatchObject({ code: "unauthorized" });
  });
});
