import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { submitTask } from "@/lib/services/requests/lifecycle";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  loadRequest,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { createStandingApproval, listStandingApprovals, revokeStandingApproval } from "./grants";

describe("standing approvals", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const grant = (overrides: Record<string, unknown> = {}) => ({
    agent: "alpha",
    type_pattern: "DEPLOY",
    environment: "staging",
    max_uses: 2,
    expires_in_minutes: 120,
    reason: "Release week",
    ...overrides,
  });

  it("approves matching requests on arrival, counts uses, and stops at the limit", async () => {
    const g = await createStandingApproval(f.t.db, f.as.lead, grant());
    expect(g).toMatchObject({ agent: "alpha", max_level: "high", uses: 0 });
    const first = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.medium));
    const second = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.medium));
    const third = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.medium));
    const requests = await Promise.all(
      [first, second, third].map((r) => loadRequest(f.t.db, r.task.approval_request_id)),
    );
    expect(requests.map((r) => [r.status, r.grant_id])).toEqual([
      ["approved", g.id],
      ["approved", g.id],
      ["pending", null],
    ]);
    const [row] = await execRows<{ uses: number }>(
      f.t.db,
      sql`SELECT uses FROM standing_approvals WHERE id = ${g.id}`,
    );
    expect(row?.uses).toBe(2);
  });

  it("never lets the agent's owner approve their own agent ahead of time", async () => {
    const g = await createStandingApproval(
      f.t.db,
      f.as.owner,
      grant({ agent: "alpha", type_pattern: "ANALYSIS.*", environment: null }),
    );
    const r = await submitTask(
      f.t.db,
      f.alpha,
      taskBody({ type: "ANALYSIS.MARKET", description: "Size the market" }),
    );
    expect(g.id).toBeTruthy();
    expect(await loadRequest(f.t.db, r.task.approval_request_id)).toMatchObject({
      status: "pending",
      grant_id: null,
    });
  });

  it("never covers another agent, another environment, or a critical action", async () => {
    await createStandingApproval(
      f.t.db,
      f.as.ops,
      grant({ type_pattern: "*", environment: null, max_uses: 100 }),
    );
    expect((await submitTask(f.t.db, f.beta, taskBody(ACTIONS.medium))).task.status).toBe(
      "pending",
    );
    expect((await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.critical))).task.status).toBe(
      "pending",
    );
    expect((await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high))).task.status).toBe(
      "approved",
    );
  });

  it("covers nothing outside its window, its environment or its type pattern", async () => {
    // beta: alpha is covered by the catch-all grant above from here on.
    const g = await createStandingApproval(
      f.t.db,
      f.as.lead,
      grant({ agent: "beta", type_pattern: "DEPLOY", environment: "staging", max_uses: 10 }),
    );
    const statusOf = async (action: Record<string, unknown>) =>
      (await submitTask(f.t.db, f.beta, taskBody(action))).task.status;
    expect(await statusOf(ACTIONS.medium)).toBe("approved");
    expect(await statusOf(ACTIONS.high)).toBe("pending");
    expect(
      await statusOf({
        type: "scale",
        operation: "scale",
        environment: "staging",
        description: "x",
      }),
    ).toBe("pending");
    await execRows(
      f.t.db,
      sql`UPDATE standing_approvals SET expires_at = clock_timestamp() - interval '1 second'
          WHERE id = ${g.id}`,
    );
    expect(await statusOf(ACTIONS.medium)).toBe("pending");
    const [row] = await execRows<{ uses: number }>(
      f.t.db,
      sql`SELECT uses FROM standing_approvals WHERE id = ${g.id}`,
    );
    expect(row?.uses).toBe(1);
  });

  it("refuses grants beyond the grantor's rights and with bad input", async () => {
    await expect(createStandingApproval(f.t.db, f.as.viewer, grant())).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(
      createStandingApproval(f.t.db, f.as.lead, grant({ max_uses: 0 })),
    ).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("max_uses"),
    });
    await expect(
      createStandingApproval(f.t.db, f.as.lead, grant({ type_pattern: "[" })),
    ).rejects.toMatchObject({
      code: "unprocessable",
    });
  });

  it("is revocable by its grantor (once), lists, and is audited", async () => {
    const g = await createStandingApproval(f.t.db, f.as.lead2, grant({ type_pattern: "scale" }));
    expect(
      (await listStandingApprovals(f.t.db, TEST_OPERATOR, { activeOnly: true })).map((x) => x.id),
    ).toContain(g.id);
    await expect(revokeStandingApproval(f.t.db, f.as.dev, g.id)).rejects.toMatchObject({
      code: "forbidden",
    });
    const revoked = await revokeStandingApproval(f.t.db, f.as.lead2, g.id);
    expect(revoked.revoked_by).toBe(f.users.lead2.id);
    await expect(revokeStandingApproval(f.t.db, f.as.lead2, g.id)).rejects.toMatchObject({
      code: "conflict",
    });
    expect(
      (await listStandingApprovals(f.t.db, TEST_OPERATOR, { activeOnly: true })).map((x) => x.id),
    ).not.toContain(g.id);
    const events = await execRows<{ type: string }>(
      f.t.db,
      sql`SELECT type FROM audit_events WHERE payload->>'grant_id' = ${g.id} ORDER BY id`,
    );
    expect(events.map((e) => e.type)).toEqual(["hitl.grant_created", "hitl.grant_revoked"]);
  });
});
