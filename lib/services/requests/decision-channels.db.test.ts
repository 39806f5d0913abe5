// SPEC §8.2: every decision records how it was made — in the browser, through a reviewer key's
// API, from Slack, or from the CLI with the OS user who ran it — and every read names people by
// name and email beside their ids: the task API (and its ?wait= answer), `hitl status`, the
// request page's detail and the agent's callback. Each channel is driven through its own entry
// point: a server action under a session, the route handler with a reviewer key, a signed Slack
// click, and the CLI's command as the operator.

import { createHmac } from "node:crypto";
import os from "node:os";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import type { WorkflowStatusDto } from "@/lib/contract/api";
import { driveTask } from "@/lib/jobs/workflow";
import {
  handleSlackInteraction,
  linkSlackUser,
  type SlackSettings,
  slackStamp,
} from "@/lib/services/integrations/slack";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { browser } from "@/test-support/browser";
import { hitlIn } from "@/test-support/cli";
import { ACTIONS, loadRequestRow, TEST_OPERATOR, taskBody } from "@/test-support/services";
import { type SlackStub, startSlackStub } from "@/test-support/slack-stub";
import { submitTask } from "./lifecycle";
import { getRequestDetail } from "./queue";

// The browser's session as next-auth decodes it, and a server action's own-origin headers.
vi.mock("next-auth", async (original) =>
  (await import("@/test-support/browser")).nextAuth(original),
);
vi.mock("next/headers", async () => (await import("@/test-support/browser")).nextHeaders());

const WORKFLOW = "wf-channels";
const OS_USER = os.userInfo().username;
const SECRET = "slack-signing-secret-for-tests";
const SLACK_LEAD = "U0LEADCHAN";
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("how each decision was made, and who made it, by name", () => {
  let api: ApiHarness;
  let stub: SlackStub;
  let slack: SlackSettings;
  let agent: string;
  beforeAll(async () => {
    api = await createApiHarness();
    agent = api.f.alpha.key;
    stub = await startSlackStub();
    slack = {
      token: "xoxb-test-token",
      signingSecret: SECRET,
      apiUrl: stub.url,
      channelFor: () => "C0AIRLOCK",
      baseUrl: "http://airlock.test",
    };
    await linkSlackUser(api.f.t.db, TEST_OPERATOR, {
      email: api.f.users.lead.email,
      slack_user: SLACK_LEAD,
    });
  });
  afterAll(async () => {
    await stub?.close();
    await api?.f.t.destroy();
  });

  const person = (who: "lead" | "ops" | "ops2") => ({
    id: api.f.users[who].id,
    email: api.f.users[who].email,
    name: null,
  });

  /** `hitl <name> ...args`, in-process, as the operator: what it printed. */
  const hitl = (name: string, ...args: string[]) => hitlIn(api.f.t, name, ...args);

  async function submit(action: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const { task } = await submitTask(
      api.f.t.db,
      api.f.alpha,
      taskBody(action, { workflow_id: WORKFLOW, ...extra }),
    );
    return task;
  }

  /** A signed click on a request's Slack approve button, as Slack sends it. */
  async function slackApprove(requestId: string, slackUser: string) {
    const row = await loadRequestRow(api.f.t.db, requestId);
    const payload = {
      type: "block_actions",
      user: { id: slackUser },
      trigger_id: "trigger",
      channel: { id: "C0AIRLOCK" },
      actions: [{ action_id: "airlock_approve", value: `${requestId}:${slackStamp(row)}` }],
    };
    const at = Math.floor(Date.now() / 1000);
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const mac = createHmac("sha256", SECRET).update(`v0:${at}:${rawBody}`).digest("hex");
    const answer = await handleSlackInteraction(
      api.f.t.db,
      { rawBody, timestamp: String(at), signature: `v0=${mac}` },
      slack,
    );
    await answer.followUp();
    expect(answer.status).toBe(200);
  }

  const approvalsOf = (requestId: string) =>
    execRows<{ approver_id: string; channel: string | null; os_user: string | null }>(
      api.f.t.db,
      sql`SELECT approver_id, channel, os_user FROM approvals
          WHERE request_id = ${requestId} ORDER BY created_at, id`,
    );
  const decisionEvents = (requestId: string) =>
    execRows<{ type: string; via: unknown }>(
      api.f.t.db,
      sql`SELECT type, payload->'via' AS via FROM audit_events
          WHERE request_id = ${requestId} AND actor_type = 'user' AND type LIKE 'hitl.%'
          ORDER BY id`,
    );

  const viaBrowser = { channel: "browser", os_user: null };
  const viaApi = { channel: "api", os_user: null };
  const viaSlack = { channel: "slack", os_user: null };
  const viaCli = { channel: "cli", os_user: OS_USER };

  // The requests of the workflow, decided one way each in the first test, read in the others.
  const ids = { browser: "", api: "", slack: "", cliReject: "", critical: "" };
  const tasks = { slack: "" };

  it("records the channel of a decision from each of the four, and the CLI's OS user", async () => {
    const { approveRequest } = await import("@/app/(dashboard)/actions");
    // In the browser: the session's server action.
    ids.browser = (await submit(ACTIONS.high)).approval_request_id;
    browser.session = { user: { id: api.f.users.lead.id } };
    expect(await approveRequest({ id: ids.browser })).toMatchObject({
      ok: true,
      data: { status: "approved" },
    });
    // Through the API, with a reviewer key.
    ids.api = (await submit(ACTIONS.high)).approval_request_id;
    const byKey = await api.call("POST", `/api/hitl/actions/${ids.api}/approve`, {
      key: await api.reviewerKey("lead"),
      body: { justification: "Checked the diff" },
    });
    expect(byKey.json).toMatchObject({ status: "approved" });
    // From Slack: the linked person's click. Its task calls back, to see the callback's body.
    const slackTask = await submit(ACTIONS.high, { callback_url: "https://agent.example/done" });
    ids.slack = slackTask.approval_request_id;
    tasks.slack = slackTask.task_id;
    await slackApprove(ids.slack, SLACK_LEAD);
    // From the CLI, as a named person: a rejection.
    ids.cliReject = (await submit(ACTIONS.medium)).approval_request_id;
    const rejected = JSON.parse(
      await hitl(
        "reject",
        ids.cliReject,
        "--as",
        api.f.users.lead.email,
        "--reason",
        "Not this week",
        "--json",
      ),
    );
    expect(rejected).toMatchObject({ status: "rejected" });
    // Two votes by two channels: the CLI, then a reviewer key.
    ids.critical = (await submit(ACTIONS.critical)).approval_request_id;
    await hitl(
      "approve",
      ids.critical,
      "--as",
      api.f.users.ops.email,
      "--justification",
      "Customer asked for it",
    );
    const second = await api.call("POST", `/api/hitl/actions/${ids.critical}/approve`, {
      key: await api.reviewerKey("ops2"),
      body: { justification: "Agreed" },
    });
    expect(second.json).toMatchObject({ status: "approved" });

    // On each approval row.
    expect(await approvalsOf(ids.browser)).toEqual([
      { approver_id: api.f.users.lead.id, channel: "browser", os_user: null },
    ]);
    expect(await approvalsOf(ids.api)).toEqual([
      { approver_id: api.f.users.lead.id, channel: "api", os_user: null },
    ]);
    expect(await approvalsOf(ids.slack)).toEqual([
      { approver_id: api.f.users.lead.id, channel: "slack", os_user: null },
    ]);
    expect(await approvalsOf(ids.critical)).toEqual([
      { approver_id: api.f.users.ops.id, channel: "cli", os_user: OS_USER },
      { approver_id: api.f.users.ops2.id, channel: "api", os_user: null },
    ]);
    // On the request that a person closed.
    const closedBy = async (id: string) => {
      const row = await loadRequestRow(api.f.t.db, id);
      return { by: row.decidedBy, channel: row.decidedChannel, os_user: row.decidedOsUser };
    };
    expect(await closedBy(ids.browser)).toEqual({
      by: api.f.users.lead.id,
      channel: "browser",
      os_user: null,
    });
    expect(await closedBy(ids.slack)).toEqual({
      by: api.f.users.lead.id,
      channel: "slack",
      os_user: null,
    });
    expect(await closedBy(ids.cliReject)).toEqual({
      by: api.f.users.lead.id,
      channel: "cli",
      os_user: OS_USER,
    });
    expect(await closedBy(ids.critical)).toEqual({
      by: api.f.users.ops2.id,
      channel: "api",
      os_user: null,
    });
    // In the payload of each audit event the decision wrote.
    expect(await decisionEvents(ids.browser)).toEqual([{ type: "hitl.approved", via: viaBrowser }]);
    expect(await decisionEvents(ids.api)).toEqual([{ type: "hitl.approved", via: viaApi }]);
    expect(await decisionEvents(ids.slack)).toEqual([{ type: "hitl.approved", via: viaSlack }]);
    expect(await decisionEvents(ids.cliReject)).toEqual([{ type: "hitl.rejected", via: viaCli }]);
    expect(await decisionEvents(ids.critical)).toEqual([
      { type: "hitl.approval_recorded", via: viaCli },
      { type: "hitl.approved", via: viaApi },
    ]);
  });

  it("an approval with a standing approval, from the browser, records its channel too", async () => {
    const { approveRequestAndGrant } = await import("@/app/(dashboard)/grant-actions");
    const action = {
      type: "DOCUMENT.GENERATE_CHANNELS",
      environment: "production",
      description: "Generate the channels report",
    };
    const id = (await submit(action, { workflow_id: "wf-channels-grant" })).approval_request_id;
    browser.session = { user: { id: api.f.users.lead.id } };
    expect(
      await approveRequestAndGrant({
        id,
        type_pattern: action.type,
        max_uses: 2,
        expires_in_minutes: 60,
        reason: "Same report every hour today",
      }),
    ).toMatchObject({ ok: true, data: { request: { status: "approved" } } });
    expect(await approvalsOf(id)).toEqual([
      { approver_id: api.f.users.lead.id, channel: "browser", os_user: null },
    ]);
    // The decision's event; the grant's own event (hitl.grant_created) is not a decision.
    expect((await decisionEvents(id)).filter((e) => e.type === "hitl.approved")).toEqual([
      { type: "hitl.approved", via: viaBrowser },
    ]);
  });

  it("GET /api/tasks/{id} names the approvers and the decider by email, beside their ids", async () => {
    const { json: task } = await api.call("GET", `/api/tasks/${tasks.slack}`, { key: agent });
    expect(task).toMatchObject({
      status: "approved",
      approvals: [{ approver_id: api.f.users.lead.id, approver: person("lead"), via: viaSlack }],
      decision: {
        status: "approved",
        reviewer_id: api.f.users.lead.id,
        reviewer: person("lead"),
        via: viaSlack,
      },
    });
    const criticalTask = (await loadRequestRow(api.f.t.db, ids.critical)).taskId;
    const { json: critical } = await api.call("GET", `/api/tasks/${criticalTask}`, {
      key: agent,
    });
    expect(critical.approvals).toEqual([
      expect.objectContaining({ approver: person("ops"), via: viaCli }),
      expect.objectContaining({ approver: person("ops2"), via: viaApi }),
    ]);
    expect(critical.decision).toMatchObject({ reviewer: person("ops2"), via: viaApi });
  });

  it("the request's detail says who closed it and how; a request nobody decided names nobody", async () => {
    const detail = await getRequestDetail(api.f.t.db, api.f.as.viewer, ids.cliReject);
    expect(detail).toMatchObject({
      status: "rejected",
      decider: person("lead"),
      decided_via: viaCli,
      approvals_given: [],
    });
    const open = (await submit(ACTIONS.high, { workflow_id: "wf-channels-open" }))
      .approval_request_id;
    expect(await getRequestDetail(api.f.t.db, api.f.as.viewer, open)).toMatchObject({
      decider: null,
      decided_via: null,
    });
  });

  it("hitl status names each approver and decider by email and channel, in JSON and in words", async () => {
    const status = JSON.parse(await hitl("status", WORKFLOW, "--json")) as WorkflowStatusDto;
    const byId = new Map(status.requests.map((r) => [r.id, r]));
    expect(byId.get(ids.slack)).toMatchObject({
      status: "approved",
      approvals_given: [{ approver: person("lead"), via: viaSlack }],
      decider: person("lead"),
      decided_via: viaSlack,
    });
    expect(byId.get(ids.cliReject)).toMatchObject({
      status: "rejected",
      decider: person("lead"),
      decided_via: viaCli,
    });
    expect(byId.get(ids.critical)?.approvals_given).toEqual([
      expect.objectContaining({ approver: person("ops"), via: viaCli }),
      expect.objectContaining({ approver: person("ops2"), via: viaApi }),
    ]);
    // Each event a person made names them; the others name nobody.
    const decisions = status.events.filter((e) => e.actor_type === "user");
    expect(decisions.map((e) => [e.type, e.person?.email])).toEqual([
      ["hitl.approved", api.f.users.lead.email],
      ["hitl.approved", api.f.users.lead.email],
      ["hitl.approved", api.f.users.lead.email],
      ["hitl.rejected", api.f.users.lead.email],
      ["hitl.approval_recorded", api.f.users.ops.email],
      ["hitl.approved", api.f.users.ops2.email],
    ]);
    expect(status.events.filter((e) => e.actor_type !== "user").map((e) => e.person)).toEqual(
      status.events.filter((e) => e.actor_type !== "user").map(() => null),
    );

    const human = await hitl("status", WORKFLOW);
    expect(human).toContain(`${api.f.users.lead.email} via Slack`);
    expect(human).toContain(`${api.f.users.lead.email} via the CLI (OS user ${OS_USER})`);
    expect(human).toContain(`${api.f.users.ops2.email} via the API`);
    expect(human).toContain(`${api.f.users.lead.email} via the browser`);
    // The approval that did not close its request is there too, with its channel.
    expect(human).toMatch(
      new RegExp(
        `${ids.critical.slice(0, 8)}\\s+${escaped(api.f.users.ops.email)}\\s+devops_engineer\\s+the CLI \\(OS user ${escaped(OS_USER)}\\)`,
      ),
    );
    // No person is shown by a bare id.
    for (const who of ["lead", "ops", "ops2"] as const) {
      expect(human).not.toContain(api.f.users[who].id.slice(0, 8));
    }
  });

  it("the agent's callback names the decider by email, and how they decided", async () => {
    expect(await driveTask(await api.f.workflows(), tasks.slack)).toMatchObject({
      kind: "completed",
    });
    const [callback] = await execRows<{ payload: Record<string, unknown> }>(
      api.f.t.db,
      sql`SELECT payload FROM outbox WHERE request_id = ${ids.slack} AND kind = 'webhook'`,
    );
    expect(callback?.payload).toMatchObject({
      event: "task.executed",
      decided_by: api.f.users.lead.id,
      decider: person("lead"),
      decided_via: viaSlack,
    });
    // The graph's drive row, written by the decision, carries the same.
    const [drive] = await execRows<{ payload: Record<string, unknown> }>(
      api.f.t.db,
      sql`SELECT payload FROM outbox
          WHERE request_id = ${ids.slack} AND kind = 'workflow' AND event_type = 'hitl.approved'`,
    );
    expect(drive?.payload).toMatchObject({ decider: person("lead"), decided_via: viaSlack });
  });
});
