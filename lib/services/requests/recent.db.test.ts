// The queue's "recently decided" tab: closed requests newest decision first, paged without
// gaps or repeats, auto-approved actions only on request, read by people and not by agents.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIONS, createFixture, type Fixture, refusalOf, taskBody } from "@/test-support/services";
import { decideRequest, submitTask } from "./lifecycle";
import { getRecentlyDecided } from "./recent";

describe("recently decided", () => {
  let f: Fixture;
  const decided: string[] = [];
  beforeAll(async () => {
    f = await createFixture();
    for (let i = 0; i < 5; i++) {
      const { task } = await submitTask(
        f.t.db,
        f.beta,
        taskBody(ACTIONS.high, { workflow_id: "wf-recent" }),
      );
      await decideRequest(f.t.db, f.as.lead, task.approval_request_id, {
        type: "reject",
        reason: `no ${i}`,
      });
      decided.unshift(task.approval_request_id);
    }
    await submitTask(f.t.db, f.beta, taskBody(ACTIONS.low, { workflow_id: "wf-recent" }));
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  it("pages closed requests newest decision first, with no gaps or repeats", async () => {
    const seen: string[] = [];
    let before: { decided_at: string; id: string } | undefined;
    for (let page = 0; page < 5; page++) {
      const r = await getRecentlyDecided(f.t.db, f.as.viewer, {
        workflow_id: "wf-recent",
        limit: 2,
        before,
      });
      seen.push(...r.items.map((i) => i.id));
      if (!r.next_before) break;
      before = r.next_before;
    }
    expect(seen).toEqual(decided);
  });

  it("includes auto-approved actions only when asked", async () => {
    const all = await getRecentlyDecided(f.t.db, f.as.lead, {
      workflow_id: "wf-recent",
      include_auto_approved: true,
    });
    expect(all.items).toHaveLength(6);
    expect(all.items.filter((i) => i.auto_approved)).toHaveLength(1);
  });

  it("is for people and the operator, not agents", async () => {
    expect((await refusalOf(getRecentlyDecided(f.t.db, f.alpha, {}))).code).toBe("forbidden");
  });
});
