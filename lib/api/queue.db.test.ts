// GET /api/hitl/approval-queue: signed keyset cursors (anything the server did not issue is a
// 400 at query.cursor, never a 500), counts that agree with the items, and per-row reasons
// why the reviewer reading the queue cannot act.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, createApiHarness, errorShape } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

describe("the approval queue over the API", () => {
  let api: ApiHarness;
  let lead: string;
  let ops: string;
  let owner: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await createApiHarness();
    lead = await api.reviewerKey("lead");
    ops = await api.reviewerKey("ops");
    owner = await api.reviewerKey("owner");
    // alpha (owned by "owner"): a critical and two highs; beta: a medium.
    for (const [name, key, action] of [
      ["critical", api.f.alpha.key, ACTIONS.critical],
      ["high1", api.f.alpha.key, ACTIONS.high],
      ["high2", api.f.alpha.key, ACTIONS.high],
      ["medium", api.f.beta.key, ACTIONS.medium],
    ] as const) {
      const r = await api.call("POST", "/api/tasks", {
        key,
        body: taskBody(action, { workflow_id: "wf-queue" }),
      });
      expect(r.status).toBe(201);
      ids[name] = r.json.approval_request_id;
    }
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  const queue = (key: string, query = "") =>
    api.call("GET", `/api/hitl/approval-queue?workflow_id=wf-queue${query}`, { key });

  it("pages with the cursors it issues, newest risk first", async () => {
    const first = await queue(ops, "&limit=2");
    expect(first.status).toBe(200);
    expect(first.json.items.map((i: { id: string }) => i.id)).toEqual([ids.critical, ids.high2]);
    const second = await queue(ops, `&limit=2&cursor=${first.json.next_cursor}`);
    expect(second.status).toBe(200);
    expect(second.json.items.map((i: { id: string }) => i.id)).toEqual([ids.high1, ids.medium]);
    expect(second.json.next_cursor).toBeNull();
  });

  const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it.each([
    [
      "a rank past any level",
      forged([1e20, "2024-01-01T00:00:00.000Z", "00000000-0000-4000-8000-000000000000"]),
    ],
    ["a year for a timestamp", forged([3, "2024", "00000000-0000-4000-8000-000000000000"])],
    [
      "an unsigned, well-formed cursor",
      forged([3, new Date().toISOString(), "00000000-0000-4000-8000-000000000000"]),
    ],
    ["garbage", "not-a-cursor"],
    [
      "a forged signature",
      `${forged([3, new Date().toISOString(), "00000000-0000-4000-8000-000000000000"])}.${"A".repeat(43)}`,
    ],
  ])("answers %s with a 400 at query.cursor", async (_, cursor) => {
    const r = await queue(ops, `&cursor=${encodeURIComponent(cursor)}`);
    expect(r.status).toBe(400);
    expect(errorShape.parse(r.json).error.details).toEqual([
      { path: "query.cursor", message: expect.stringMatching(/not a cursor this server issued/) },
    ]);
  });

  it("sends a small answer as it is (no-transform: not compressed), a long one compressible", async () => {
    const one = await queue(ops, "&limit=1");
    expect(one.text.length).toBeLessThan(8 * 1024);
    expect(one.headers.get("cache-control")).toBe("no-store, no-transform");
    // The four requests, each with its action and assessment, padded past 8 KiB by a long
    // description: the page then may be compressed.
    for (let i = 0; i < 4; i++) {
      const r = await api.call("POST", "/api/tasks", {
        key: api.f.beta.key,
        body: taskBody(
          { ...ACTIONS.medium, description: "x".repeat(3000) },
          { workflow_id: "wf-queue-long" },
        ),
      });
      expect(r.status).toBe(201);
    }
    const long = await api.call("GET", "/api/hitl/approval-queue?workflow_id=wf-queue-long", {
      key: ops,
    });
    expect(long.text.length).toBeGreaterThanOrEqual(8 * 1024);
    expect(long.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a cursor issued for another query or another reader", async () => {
    const first = await queue(ops, "&limit=1");
    const cursor = first.json.next_cursor as string;
    expect((await queue(ops, `&limit=1&risk_level=high&cursor=${cursor}`)).status).toBe(400);
    expect((await queue(lead, `&limit=1&cursor=${cursor}`)).status).toBe(400);
    // An edited signature is refused too.
    const tampered = `${cursor.slice(0, -1)}${cursor.endsWith("A") ? "B" : "A"}`;
    expect((await queue(ops, `&limit=1&cursor=${tampered}`)).status).toBe(400);
  });

  it("lists what the reviewer can see, with counts that agree, and says why a row is not theirs", async () => {
    const r = await queue(lead);
    expect(r.json.counts).toEqual({ pending: 4, escalated: 0, quarantined: 0 });
    expect(r.json.items).toHaveLength(4);
    const byId = new Map(r.json.items.map((i: { id: string }) => [i.id, i]));
    expect(byId.get(ids.critical)).toMatchObject({
      actionable: false,
      not_actionable_reason: "A tech lead may not approve critical-risk requests",
    });
    expect(byId.get(ids.high1)).toMatchObject({ actionable: true, not_actionable_reason: null });
    const own = await queue(owner);
    const ownRow = own.json.items.find((i: { id: string }) => i.id === ids.high1);
    expect(ownRow).toMatchObject({
      actionable: false,
      not_actionable_reason:
        "You own the API key that submitted this request; someone else must review it",
    });
  });

  it("filters by part of the action type, in any case, counts included; % and _ are literal", async () => {
    const emails = await queue(ops, "&type=send_email");
    expect(emails.json.items.map((i: { id: string }) => i.id)).toEqual([ids.critical]);
    expect(emails.json.counts).toEqual({ pending: 1, escalated: 0, quarantined: 0 });
    const deploys = await queue(ops, "&type=DEPLOY");
    expect(deploys.json.items).toHaveLength(3);
    // As wildcards, "%" would match everything and "d_ploy" would match "deploy".
    for (const literal of ["%25", "d_ploy"]) {
      expect((await queue(ops, `&type=${literal}`)).json.items).toEqual([]);
    }
  });

  it("with actionable=true, lists and counts only what the reviewer may approve now", async () => {
    const mine = await queue(lead, "&actionable=true");
    expect(mine.json.items.map((i: { id: string }) => i.id).sort()).toEqual(
      [ids.high1, ids.high2, ids.medium].sort(),
    );
    expect(mine.json.counts).toEqual({ pending: 3, escalated: 0, quarantined: 0 });
    const owners = await queue(owner, "&actionable=true");
    // The owner of alpha (a devops engineer) may approve only beta's request.
    expect(owners.json.items.map((i: { id: string }) => i.id)).toEqual([ids.medium]);
    expect(owners.json.counts.pending).toBe(1);
  });
});
