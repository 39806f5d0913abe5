import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

// Small limits, so that a flood reaches them in a test (SPEC §8.1). The environment is read
// once per process: set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE = "12";
  process.env.HITL_MAX_CHECKPOINTS_PER_REQUEST = "8";
  process.env.HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST = String(600 * 1024);
});

describe("an agent key's quotas", () => {
  let api: ApiHarness;
  // The action whose checkpoints the tests save, and the submits spent on it.
  let actionId: string;
  let submitted = 0;
  let began = 0;
  beforeAll(async () => {
    began = Date.now();
    api = await createApiHarness();
    actionId = await submit(api.f.alpha.key);
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  async function submit(key: string): Promise<string> {
    const res = await api.call("POST", "/api/tasks", { key, body: taskBody(ACTIONS.high) });
    expect(res.status, res.text).toBe(201);
    if (key === api.f.alpha.key) submitted++;
    return res.json.approval_request_id as string;
  }

  const saveCheckpoint = (id: string, name: string, data: Record<string, unknown>) =>
    api.call("POST", `/api/hitl/actions/${id}/checkpoints`, {
      key: api.f.alpha.key,
      body: { name, type: "state", data },
    });

  it("pages an action's checkpoints, and refuses the one past HITL_MAX_CHECKPOINTS_PER_REQUEST", async () => {
    for (let i = 1; i <= 8; i++) {
      expect((await saveCheckpoint(actionId, `step-${i}`, { i })).status).toBe(201);
    }
    const over = await saveCheckpoint(actionId, "step-9", { i: 9 });
    expect(over.status).toBe(429);
    expect(over.json.error.message).toContain("HITL_MAX_CHECKPOINTS_PER_REQUEST");

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await api.call("GET", `/api/hitl/actions/${actionId}/checkpoints${query}`, {
        key: api.f.alpha.key,
      });
      expect(page.status).toBe(200);
      pages.push(page.json.items.map((c: { name: string }) => c.name));
      cursor = page.json.next_cursor;
    } while (cursor !== null);
    expect(pages).toEqual([
      ["step-1", "step-2", "step-3"],
      ["step-4", "step-5", "step-6"],
      ["step-7", "step-8"],
    ]);
    // Without a limit, a page is at most 100; more is refused, as is a made-up cursor.
    const all = await api.call("GET", `/api/hitl/actions/${actionId}/checkpoints`, {
      key: api.f.alpha.key,
    });
    expect(all.json).toMatchObject({ next_cursor: null });
    expect(all.json.items).toHaveLength(8);
    for (const [query, field] of [
      ["?limit=101", "query.limit"],
      ["?cursor=abc", "query.cursor"],
      ["?cursor=-1", "query.cursor"],
    ]) {
      const bad = await api.call("GET", `/api/hitl/actions/${actionId}/checkpoints${query}`, {
        key: api.f.alpha.key,
      });
      expect(bad.status, query).toBe(400);
      expect(bad.json.error.details).toEqual([{ path: field, message: expect.any(String) }]);
    }
  });

  it("refuses a checkpoint flood by bytes, and the server answers the next request", async () => {
    const flooded = await submit(api.f.alpha.key);
    const blob = "x".repeat(200 * 1024);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await saveCheckpoint(flooded, `blob-${i}`, { blob })).status);
    }
    // 600 KiB in all: two blobs fit, the third would not, nor would any after it.
    expect(statuses).toEqual([201, 201, 429, 429, 429, 429]);
    const refused = await saveCheckpoint(flooded, "blob-last", { blob });
    expect(refused.json.error.message).toContain("HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST");
    expect((await api.call("GET", "/api/health")).status).toBe(200);
  });

  it("refuses submits past HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE with Retry-After, for that key only", async () => {
    // The bucket refills one submit every 5 s while the tests run: keep submitting until one
    // is refused, which must come after about 12.
    let over = await api.call("POST", "/api/tasks", {
      key: api.f.alpha.key,
      body: taskBody(ACTIONS.high, { workflow_id: "wf-over" }),
    });
    while (over.status === 201 && submitted < 30) {
      submitted++;
      over = await api.call("POST", "/api/tasks", {
        key: api.f.alpha.key,
        body: taskBody(ACTIONS.high, { workflow_id: "wf-over" }),
      });
    }
    expect(over.status).toBe(429);
    expect(submitted).toBeGreaterThanOrEqual(12);
    expect(submitted).toBeLessThanOrEqual(12 + Math.ceil((Date.now() - began) / 5_000));
    expect(over.json.error.message).toContain("HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE");
    const retryAfter = Number(over.headers.get("retry-after"));
    // 12 a minute: one comes back every 5 s.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    // Another key is not held back.
    await submit(api.f.beta.key);
    // Nothing of the refused submit was stored: the queue holds what was accepted.
    const listed = await api.call("GET", "/api/hitl/approval-queue?limit=200", {
      key: await api.reviewerKey("lead"),
    });
    expect(listed.json.items).toHaveLength(submitted + 1);
  });
});
