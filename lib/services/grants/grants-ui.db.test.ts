// "Approve this and the next N like it for T" from the request page: the approval and the
// standing approval are one transaction (both or neither, each audited), the grant is bound to
// the request's own agent key, it covers exactly the next N like it, and never critical ones.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { authenticateApiKey, createApiKey, revokeApiKey } from "@/lib/services/accounts/keys";
import { metrics } from "@/lib/services/insights/metrics";
import type { AgentPrincipal, Principal } from "@/lib/services/principal";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { getTask } from "@/lib/services/requests/tasks";
import {
  ACTIONS,
  createFixture,
  databaseDigest,
  type Fixture,
  loadRequest,
  refusalOf,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { approveAndGrant, listGrantableAgents, standingApprovalOffer } from "./grants";

/** A high-risk action (DOCUMENT.GENERATE_* is high) of a type no other test here uses. */
const documentAction = (name: string) => ({
  type: `DOCUMENT.GENERATE_${name}`,
  environment: "production",
  description: `Generate the ${name.toLowerCase()} report`,
});

const grantInput = (overrides: Record<string, unknown> = {}) => ({
  max_uses: 2,
  expires_in_minutes: 60,
  reason: "Same report every hour today",
  ...overrides,
});

/** How many approvals by tech leads this process has counted in its metrics. */
async function leadApprovalsCounted(): Promise<number> {
  const { values } = await metrics().decisions.get();
  return values
    .filter((v) => v.labels.role === "tech_lead" && v.labels.decision === "approve")
    .reduce((n, v) => n + v.value, 0);
}

describe("approve and grant from a request", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const submit = async (agent: AgentPrincipal, action: Record<string, unknown>) =>
    (await submitTask(f.t.db, agent, taskBody(action))).task;
  /** The key as an API request presents it, authenticated now (its `seenAt` is the submit's instant). */
  const agentOf = async (key: string) => (await authenticateApiKey(f.t.db, key)) as AgentPrincipal;

  it("approves the request and grants for its own key; the next N like it pass, the one after waits", async () => {
    const action = documentAction("SALES");
    const first = await submit(f.alpha, action);
    const offer = await standingApprovalOffer(f.t.db, f.as.lead, first.approval_request_id);
    expect(offer).toEqual({
      offered: true,
      agent: "alpha",
      agent_name: "feature-dev",
      type_pattern: action.type,
      environment: "production",
      max_level: "high",
      max_grantable_level: "high",
      max_uses: 10_000,
      max_minutes: 7 * 24 * 60,
    });

    const counted = await leadApprovalsCounted();
    const { request, grant } = await approveAndGrant(
      f.t.db,
      f.as.lead,
      first.approval_request_id,
      grantInput({ type_pattern: action.type, environment: "production" }),
    );
    expect(await leadApprovalsCounted()).toBe(counted + 1);
    expect(request).toMatchObject({ id: first.approval_request_id, status: "approved" });
    expect(grant).toMatchObject({
      agent: "alpha",
      agent_name: "feature-dev",
      type_pattern: action.type,
      environment: "production",
      max_level: "high",
      max_uses: 2,
      uses: 0,
      grantor_id: f.users.lead.id,
      reason: "Same report every hour today",
    });
    // Bound to the key that submitted the request.
    const [bound] = await execRows<{ agent_key_id: string }>(
      f.t.db,
      sql`SELECT agent_key_id FROM standing_approvals WHERE id = ${grant.id}`,
    );
    expect(bound?.agent_key_id).toBe(f.alpha.keyId);
    // Both are audited; the grant's event is linked to the request it was granted from.
    const events = await execRows<{ type: string; request_id: string | null }>(
      f.t.db,
      sql`SELECT type, request_id FROM audit_events
          WHERE request_id = ${first.approval_request_id} OR payload->>'grant_id' = ${grant.id}
          ORDER BY id`,
    );
    expect(events.map((e) => e.type)).toEqual([
      "hitl.approval_requested",
      "hitl.approved",
      "hitl.grant_created",
    ]);
    expect(events.at(-1)?.request_id).toBe(first.approval_request_id);

    const next = [await submit(f.alpha, action), await submit(f.alpha, action)];
    const after = await submit(f.alpha, action);
    expect(next.map((t) => [t.status, t.auto_approved])).toEqual([
      ["approved", true],
      ["approved", true],
    ]);
    expect(after).toMatchObject({ status: "pending", auto_approved: false });
    for (const t of next) {
      expect((await loadRequest(f.t.db, t.approval_request_id)).grant_id).toBe(grant.id);
      // The agent is told which standing approval let it through, and whose it is.
      expect(t.approved_by_grant).toMatchObject({
        id: grant.id,
        granted_by: { id: f.users.lead.id, email: f.users.lead.email },
      });
      expect((await getTask(f.t.db, f.alpha, t.task_id)).approved_by_grant).toEqual(
        t.approved_by_grant,
      );
    }
    expect(after.approved_by_grant).toBeNull();
    const [used] = await execRows<{ uses: number }>(
      f.t.db,
      sql`SELECT uses FROM standing_approvals WHERE id = ${grant.id}`,
    );
    expect(used?.uses).toBe(2);
  });

  it("covers, by default, the request's own level and sub-agent label, and no more", async () => {
    // A medium request (a staging deploy) approved with "and the next ones like it": a high
    // deploy of another bot under the same key must still wait for a person.
    const first = await submit(f.alpha, { ...ACTIONS.medium, type: "deploy.grant-default" });
    expect(first.risk.level).toBe("medium");
    const offer = await standingApprovalOffer(f.t.db, f.as.ops, first.approval_request_id);
    expect(offer).toMatchObject({ max_level: "medium", max_grantable_level: "high" });
    const { grant } = await approveAndGrant(
      f.t.db,
      f.as.ops,
      first.approval_request_id,
      grantInput({ type_pattern: "deploy*", max_uses: 10 }),
    );
    expect(grant).toMatchObject({ max_level: "medium", agent_name: "feature-dev" });
    const bulkHigh = await submitTask(
      f.t.db,
      f.alpha,
      taskBody(
        { ...ACTIONS.high, type: "deploy.bulk", description: "Bulk deploy every service" },
        { agent_name: "release-bot" },
      ),
    );
    expect(bulkHigh.task).toMatchObject({ status: "pending", approved_by_grant: null });
    const sameBotHigh = await submit(f.alpha, { ...ACTIONS.high, type: "deploy.bulk" });
    expect(sameBotHigh).toMatchObject({ status: "pending", approved_by_grant: null });
    const sameBotMedium = await submit(f.alpha, { ...ACTIONS.medium, type: "deploy.again" });
    expect(sameBotMedium).toMatchObject({
      status: "approved",
      approved_by_grant: { id: grant.id, granted_by: { email: f.users.ops.email } },
    });
    // The timeline's event names the standing approval and who granted it.
    const [event] = await execRows<{ payload: Record<string, unknown> }>(
      f.t.db,
      sql`SELECT payload FROM audit_events
          WHERE request_id = ${sameBotMedium.approval_request_id} AND type = 'hitl.auto_approved'`,
    );
    expect(event?.payload).toMatchObject({ grant_id: grant.id, granted_by: f.users.ops.id });
    // Wider is the grantor's choice, within their own rights.
    const second = await submitTask(
      f.t.db,
      f.alpha,
      taskBody({ ...ACTIONS.medium, type: "deploy.grant-wide" }, { agent_name: "other-bot" }),
    );
    expect(second.task.status).toBe("pending");
    const wide = await approveAndGrant(
      f.t.db,
      f.as.ops,
      second.task.approval_request_id,
      grantInput({ type_pattern: "deploy.wide*", max_level: "high", same_agent_name: false }),
    );
    expect(wide.grant).toMatchObject({ max_level: "high", agent_name: null });
  });

  it("narrows to the request's sub-agent label when asked, and never covers another agent", async () => {
    const action = documentAction("LABELS");
    const first = await submit(f.alpha, action);
    const { grant } = await approveAndGrant(
      f.t.db,
      f.as.lead,
      first.approval_request_id,
      grantInput({ type_pattern: action.type, same_agent_name: true, max_uses: 5 }),
    );
    expect(grant.agent_name).toBe("feature-dev");
    const otherLabel = await submitTask(
      f.t.db,
      f.alpha,
      taskBody(action, { agent_name: "docs-writer" }),
    );
    expect(otherLabel.task.status).toBe("pending");
    expect((await submit(f.beta, action)).status).toBe("pending");
    expect((await submit(f.alpha, action)).status).toBe("approved");
  });

  it("is bound to the request's key: a key made later under the same name inherits nothing", async () => {
    const made = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "reporter",
      owner: "dev@test.local",
    });
    const action = documentAction("BOUND");
    const first = await submit(await agentOf(made.key), action);
    const { grant } = await approveAndGrant(
      f.t.db,
      f.as.lead,
      first.approval_request_id,
      grantInput({ type_pattern: action.type, max_uses: 10 }),
    );
    const [bound] = await execRows<{ agent_key_id: string }>(
      f.t.db,
      sql`SELECT agent_key_id FROM standing_approvals WHERE id = ${grant.id}`,
    );
    expect(bound?.agent_key_id).toBe(made.id);
    expect((await submit(await agentOf(made.key), action)).status).toBe("approved");

    await revokeApiKey(f.t.db, TEST_OPERATOR, made.id);
    const again = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "reporter",
      owner: "dev@test.local",
    });
    expect((await submit(await agentOf(again.key), action)).status).toBe("pending");
  });

  it("changes nothing when the grant is refused: the request stays pending, no event, no metric", async () => {
    const action = documentAction("REFUSED");
    const task = await submit(f.alpha, action);
    const id = task.approval_request_id;
    const before = await databaseDigest(f.t.db);
    const counted = await leadApprovalsCounted();

    const badPattern = await refusalOf(
      approveAndGrant(f.t.db, f.as.lead, id, grantInput({ type_pattern: "DOCUMENT[1]" })),
    );
    expect(badPattern.code).toBe("unprocessable");
    expect(badPattern.details).toEqual([
      { path: "type_pattern", message: expect.stringContaining("unsupported character") },
    ]);
    // Refused by the schema before anything runs: the fields are named.
    const badInput = await refusalOf(
      approveAndGrant(f.t.db, f.as.lead, id, grantInput({ max_uses: 0, reason: " " })),
    );
    expect(badInput.code).toBe("invalid");
    expect((badInput.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      "max_uses",
      "reason",
      "type_pattern",
    ]);
    const tooLong = await refusalOf(
      approveAndGrant(
        f.t.db,
        f.as.lead,
        id,
        grantInput({ type_pattern: action.type, expires_in_minutes: 7 * 24 * 60 + 1 }),
      ),
    );
    expect(tooLong.code).toBe("invalid");

    expect(await databaseDigest(f.t.db)).toEqual(before);
    expect(await leadApprovalsCounted()).toBe(counted);
    expect(await loadRequest(f.t.db, id)).toMatchObject({ status: "pending", approvals: [] });
  });

  it("changes nothing when the agent's key was revoked since it submitted", async () => {
    const made = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "retired",
      owner: "dev@test.local",
    });
    const action = documentAction("RETIRED");
    const task = await submit(await agentOf(made.key), action);
    await revokeApiKey(f.t.db, TEST_OPERATOR, made.id);
    expect(await standingApprovalOffer(f.t.db, f.as.lead, task.approval_request_id)).toEqual({
      offered: false,
      reason: "The agent's key has been revoked: a standing approval would cover nothing",
    });
    const before = await databaseDigest(f.t.db);
    const error = await refusalOf(
      approveAndGrant(
        f.t.db,
        f.as.lead,
        task.approval_request_id,
        grantInput({ type_pattern: action.type }),
      ),
    );
    expect(error.code).toBe("conflict");
    expect(await databaseDigest(f.t.db)).toEqual(before);
  });

  it("grants nothing when the approval is refused (four-eyes, role, a changed request, a closed one)", async () => {
    const action = documentAction("VETOED");
    const task = await submit(f.alpha, action);
    const id = task.approval_request_id;
    const before = await databaseDigest(f.t.db);
    const input = grantInput({ type_pattern: action.type });

    const ownKey = await refusalOf(approveAndGrant(f.t.db, f.as.owner, id, input));
    expect(ownKey.code).toBe("forbidden");
    expect(ownKey.message).toMatch(/own the API key/);
    const developer = await refusalOf(approveAndGrant(f.t.db, f.as.dev, id, input));
    expect(developer.code).toBe("forbidden");
    const viewer = await refusalOf(approveAndGrant(f.t.db, f.as.viewer, id, input));
    expect(viewer.code).toBe("forbidden");
    const stale = await refusalOf(
      approveAndGrant(f.t.db, f.as.lead, id, { ...input, seen_hash: "0".repeat(64) }),
    );
    expect(stale.code).toBe("conflict");
    for (const p of [TEST_OPERATOR, f.alpha] as Principal[]) {
      expect((await refusalOf(approveAndGrant(f.t.db, p, id, input))).code).toBe("forbidden");
    }
    expect(await databaseDigest(f.t.db)).toEqual(before);

    // Once decided, a second approve-and-grant is a conflict and grants nothing either.
    await approveAndGrant(f.t.db, f.as.lead, id, input);
    const decided = await databaseDigest(f.t.db);
    const twice = await refusalOf(approveAndGrant(f.t.db, f.as.lead2, id, input));
    expect(twice.code).toBe("conflict");
    expect(await databaseDigest(f.t.db)).toEqual(decided);
  });

  it("is never offered nor accepted for a critical request", async () => {
    const task = await submit(f.alpha, ACTIONS.critical);
    const id = task.approval_request_id;
    expect(await standingApprovalOffer(f.t.db, f.as.ops, id)).toEqual({
      offered: false,
      reason: "Standing approvals never cover critical requests: each one needs its own approvals",
    });
    const before = await databaseDigest(f.t.db);
    const error = await refusalOf(
      approveAndGrant(
        f.t.db,
        f.as.ops,
        id,
        grantInput({ type_pattern: ACTIONS.critical.type, justification: "Reviewed the text" }),
      ),
    );
    expect(error.code).toBe("forbidden");
    expect(error.message).toMatch(/never cover critical/);
    expect(await databaseDigest(f.t.db)).toEqual(before);
    expect(await loadRequest(f.t.db, id)).toMatchObject({ status: "pending", approvals: [] });
  });

  it("tells the page who is offered it and why not", async () => {
    const task = await submit(f.alpha, documentAction("OFFER"));
    const id = task.approval_request_id;
    expect(await standingApprovalOffer(f.t.db, f.as.dev, id)).toEqual({
      offered: false,
      reason: "A developer may not grant standing approvals",
    });
    expect(await standingApprovalOffer(f.t.db, f.as.viewer, id)).toMatchObject({
      offered: false,
    });
    expect(await standingApprovalOffer(f.t.db, f.as.owner, id)).toMatchObject({
      offered: false,
      reason: expect.stringMatching(/own the key/),
    });
    expect(await standingApprovalOffer(f.t.db, f.as.ops, id)).toMatchObject({
      offered: true,
      max_level: "high",
    });
    // Without an environment, the default covers any.
    const anywhere = await submit(f.alpha, {
      type: "DOCUMENT.GENERATE_ANYWHERE",
      operation: undefined,
      environment: undefined,
      description: "Generate a report",
    });
    expect(
      await standingApprovalOffer(f.t.db, f.as.lead, anywhere.approval_request_id),
    ).toMatchObject({ offered: true, environment: null });
    expect((await refusalOf(standingApprovalOffer(f.t.db, f.alpha, id))).code).toBe("forbidden");
  });

  it("lists active agent keys' names to those who may grant, and to no one else", async () => {
    const names = await listGrantableAgents(f.t.db, f.as.lead);
    expect(names).toEqual(expect.arrayContaining(["alpha", "beta"]));
    expect(names).not.toContain("retired");
    for (const p of [f.as.dev, f.as.viewer, TEST_OPERATOR, f.alpha] as Principal[]) {
      expect((await refusalOf(listGrantableAgents(f.t.db, p))).code).toBe("forbidden");
    }
  });
});
