import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { deliverDueOnce } from "@/lib/jobs/outbox-worker";
import { decideRequest, submitTask } from "@/lib/services/requests/lifecycle";
import {
  ACTIONS,
  createFixture,
  databaseDigest,
  type Fixture,
  loadRequest,
  loadRequestRow,
  PEOPLE,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { type SlackCall, type SlackStub, startSlackStub } from "@/test-support/slack-stub";
import { notifyHandler, notifySettings, setNotificationTargetsForTesting } from "./notify";
import {
  APPROVE_ACTION,
  deliverSlack,
  handleSlackInteraction,
  linkSlackUser,
  REJECT_ACTION,
  type SlackSettings,
  verifySlackSignature,
} from "./slack";

const SECRET = "slack-signing-secret-for-tests";
const CHANNEL = "C0AIRLOCK";
// Slack user ids of the people linked in beforeAll.
const SLACK = { lead: "U0LEAD", dev: "U0DEV", ops: "U0OPS", ops2: "U0OPS2", stranger: "U0NOBODY" };

type Block = { type: string; elements?: { action_id?: string; value?: string; url?: string }[] };

describe("Slack approvals", () => {
  let f: Fixture;
  let stub: SlackStub;
  let settings: SlackSettings;

  beforeAll(async () => {
    f = await createFixture();
    stub = await startSlackStub();
    setNotificationTargetsForTesting({ webhookUrls: [], email: false, slack: true });
    settings = {
      token: "xoxb-test-token",
      signingSecret: SECRET,
      apiUrl: stub.url,
      channelFor: () => CHANNEL,
      baseUrl: "http://airlock.test",
    };
    for (const person of ["lead", "dev", "ops", "ops2"] as const) {
      await linkSlackUser(f.t.db, TEST_OPERATOR, {
        email: PEOPLE[person].email,
        slack_user: SLACK[person],
      });
    }
  });
  afterAll(async () => {
    setNotificationTargetsForTesting(undefined);
    await stub?.close();
    await f?.t.destroy();
  });
  beforeEach(() => {
    stub.calls.length = 0;
  });

  /** Deliver the due notify rows (Slack's among them) until none is due. */
  async function deliver() {
    const handlers = {
      notify: notifyHandler(notifySettings, (row, ctx) =>
        deliverSlack(ctx.db, row, settings, ctx.timeoutMs),
      ),
    };
    for (let round = 0; round < 6; round++) {
      const counts = await deliverDueOnce(f.t.db, { handlers, backoffMs: 0, timeoutMs: 5000 });
      if (counts.claimed === 0) return;
    }
  }

  async function submit(action: Record<string, unknown>, workflow = "wf-slack") {
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(action, { workflow_id: workflow }));
    return task.approval_request_id;
  }

  /** Slack's form-encoded `payload`, signed as Slack signs it. */
  function signed(
    payload: unknown,
    options: { secret?: string; at?: number } = {},
  ): { rawBody: string; timestamp: string; signature: string } {
    const at = options.at ?? Math.floor(Date.now() / 1000);
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const mac = createHmac("sha256", options.secret ?? SECRET)
      .update(`v0:${at}:${rawBody}`)
      .digest("hex");
    return { rawBody, timestamp: String(at), signature: `v0=${mac}` };
  }

  const buttonsOf = (call: SlackCall) =>
    (call.args.blocks as Block[])
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements ?? []);

  const click = (user: string, action: string, value: string) => ({
    type: "block_actions",
    user: { id: user },
    trigger_id: `trigger-${user}`,
    channel: { id: CHANNEL },
    actions: [{ action_id: action, value }],
  });

  /** The value of the approve button on the latest message (posted or updated) of a request. */
  function buttonValue(requestId: string): string {
    const messages = stub.calls.filter(
      (c) =>
        (c.method === "chat.postMessage" || c.method === "chat.update") &&
        JSON.stringify(c.args.blocks).includes(requestId),
    );
    const last = messages.at(-1);
    if (!last) throw new Error(`no Slack message of ${requestId}`);
    const approve = buttonsOf(last).find((b) => b.action_id === APPROVE_ACTION);
    if (!approve?.value) throw new Error("the message has no approve button");
    return approve.value;
  }

  async function interact(payload: unknown, options?: { secret?: string; at?: number }) {
    const answer = await handleSlackInteraction(f.t.db, signed(payload, options), settings);
    await answer.followUp();
    return answer;
  }

  it("posts a new high request with approve and reject buttons, the reasons and a link", async () => {
    const id = await submit(ACTIONS.high);
    await deliver();
    const [post] = stub.of("chat.postMessage");
    expect(post?.authorization).toBe("Bearer xoxb-test-token");
    expect(post?.args.channel).toBe(CHANNEL);
    const buttons = buttonsOf(post as SlackCall);
    expect(buttons.map((b) => b.action_id)).toEqual([
      expect.stringContaining("approve"),
      expect.stringContaining("reject"),
      "airlock_open",
    ]);
    expect(buttons[2]?.url).toBe(`http://airlock.test/requests/${id}`);
    const text = JSON.stringify(post?.args.blocks);
    expect(text).toContain("HIGH: deploy");
    expect(text).toContain("0 of 1");
    expect(text).toMatch(/<!date\^\d+\^/); // the deadline, in each reader's time zone
    expect(text).toContain((await loadRequest(f.t.db, id)).risk_level);
    const [row] = await execRows<{ channel: string; ts: string }>(
      f.t.db,
      sql`SELECT channel, ts FROM slack_messages WHERE request_id = ${id}`,
    );
    expect(row).toMatchObject({ channel: CHANNEL, ts: expect.stringMatching(/^\d+\.\d+$/) });
  });

  it("a signed click by a linked tech lead approves; the message is updated when it closes", async () => {
    const id = await submit(ACTIONS.high);
    await deliver();
    const answer = await interact(click(SLACK.lead, APPROVE_ACTION, buttonValue(id)));
    expect(answer.status).toBe(200);
    expect((await loadRequest(f.t.db, id)).status).toBe("approved");
    const [note] = stub.of("chat.postEphemeral");
    expect(note?.args).toMatchObject({ channel: CHANNEL, user: SLACK.lead });
    expect(String(note?.args.text)).toContain("Approved");

    await deliver();
    const update = stub.of("chat.update").at(-1) as SlackCall;
    expect(update.args.ts).toBeDefined();
    const text = JSON.stringify(update.args.blocks);
    expect(text).toContain("Approved");
    expect(text).toContain(PEOPLE.lead.email);
    // Closed: no buttons left that decide.
    expect(buttonsOf(update).map((b) => b.action_id)).toEqual(["airlock_open"]);
  });

  it("a forged signature, a stale timestamp, an unlinked user and a linked developer change nothing", async () => {
    const id = await submit(ACTIONS.high);
    await deliver();
    const value = buttonValue(id);
    const before = await databaseDigest(f.t.db);

    const forged = await interact(click(SLACK.lead, APPROVE_ACTION, value), {
      secret: "not-the-signing-secret",
    });
    expect(forged.status).toBe(401);
    const stale = await interact(click(SLACK.lead, APPROVE_ACTION, value), {
      at: Math.floor(Date.now() / 1000) - 301,
    });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatchObject({ error: { message: expect.stringContaining("stale") } });

    const unlinked = await interact(click(SLACK.stranger, APPROVE_ACTION, value));
    expect(unlinked.status).toBe(200);
    const developer = await interact(click(SLACK.dev, APPROVE_ACTION, value));
    expect(developer.status).toBe(200);
    const devReject = await interact(click(SLACK.dev, REJECT_ACTION, value));
    expect(devReject.status).toBe(200);

    expect(await databaseDigest(f.t.db)).toEqual(before);
    expect((await loadRequest(f.t.db, id)).status).toBe("pending");
    const notes = stub
      .of("chat.postEphemeral")
      .map((c) => ({ user: c.args.user, text: c.args.text }));
    expect(notes).toEqual([
      { user: SLACK.stranger, text: expect.stringContaining("hitl users link-slack") },
      { user: SLACK.dev, text: expect.stringMatching(/developer|may not/i) },
      { user: SLACK.dev, text: expect.stringMatching(/developer may not reject/) },
    ]);
    // The developer was not even offered the modal.
    expect(stub.of("views.open")).toEqual([]);
  });

  it("refuses a signed body that is not Slack's payload, and a button naming no request, changing nothing", async () => {
    const before = await databaseDigest(f.t.db);
    const send = (rawBody: string) => {
      const at = Math.floor(Date.now() / 1000);
      const mac = createHmac("sha256", SECRET).update(`v0:${at}:${rawBody}`).digest("hex");
      return handleSlackInteraction(
        f.t.db,
        { rawBody, timestamp: String(at), signature: `v0=${mac}` },
        settings,
      );
    };
    for (const body of ["", "payload=", "payload=%7Bnot%20json", "other=1", "payload=%5B%5D"]) {
      const answer = await send(body);
      expect(answer.status, body).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: "invalid" } });
    }
    const missing = await interact(
      click(SLACK.lead, APPROVE_ACTION, "00000000-0000-4000-8000-000000000000:abc"),
    );
    expect(missing.status).toBe(200);
    expect(String(stub.of("chat.postEphemeral").at(-1)?.args.text)).toContain("does not exist");
    // Another app's action, or the link button: acknowledged, nothing else.
    expect((await interact(click(SLACK.lead, "airlock_open", ""))).body).toBeNull();
    expect(await databaseDigest(f.t.db)).toEqual(before);
  });

  it("checks the v0 signature exactly: body, timestamp and the signature's own form", () => {
    const at = 1_800_000_000;
    const body = "payload=%7B%7D";
    const mac = createHmac("sha256", SECRET).update(`v0:${at}:${body}`).digest("hex");
    const ok = { timestamp: String(at), signature: `v0=${mac}` };
    expect(verifySlackSignature(SECRET, ok, body, at + 300)).toEqual({ ok: true });
    expect(verifySlackSignature(SECRET, ok, body, at - 300)).toEqual({ ok: true });
    expect(verifySlackSignature(SECRET, ok, body, at + 301).ok).toBe(false);
    expect(verifySlackSignature(SECRET, ok, `${body}x`, at).ok).toBe(false);
    expect(
      verifySlackSignature(SECRET, { ...ok, signature: `v0=${mac.slice(1)}` }, body, at).ok,
    ).toBe(false);
    expect(verifySlackSignature(SECRET, { ...ok, signature: mac }, body, at).ok).toBe(false);
    expect(verifySlackSignature(SECRET, { ...ok, timestamp: "soon" }, body, at).ok).toBe(false);
    expect(verifySlackSignature(SECRET, { ...ok, signature: null }, body, at).ok).toBe(false);
  });

  it("reject opens a modal for the reason; the reason reaches the request, and none is refused", async () => {
    const id = await submit(ACTIONS.high);
    await deliver();
    await interact(click(SLACK.lead, REJECT_ACTION, buttonValue(id)));
    const [open] = stub.of("views.open");
    expect(open?.args.trigger_id).toBe(`trigger-${SLACK.lead}`);
    const view = open?.args.view as { callback_id: string; private_metadata: string };
    const submission = (reason: string | null) => ({
      type: "view_submission",
      user: { id: SLACK.lead },
      view: {
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: { airlock_reason: { reason: { value: reason } } } },
      },
    });
    const empty = await interact(submission("  "));
    expect(empty.body).toEqual({
      response_action: "errors",
      errors: { airlock_reason: expect.stringContaining("reason is required") },
    });
    expect((await loadRequest(f.t.db, id)).status).toBe("pending");

    const done = await interact(submission("Not during the freeze"));
    expect(done).toMatchObject({ status: 200, body: null });
    const after = await loadRequest(f.t.db, id);
    expect(after).toMatchObject({ status: "rejected", status_reason: "Not during the freeze" });
    expect(after.decided_by).toBe(f.users.lead.id);
    // Recorded as decided from Slack, on the request and in the rejection's event.
    expect(await loadRequestRow(f.t.db, id)).toMatchObject({
      decidedChannel: "slack",
      decidedOsUser: null,
    });
    const [event] = await execRows<{ via: unknown }>(
      f.t.db,
      sql`SELECT payload->'via' AS via FROM audit_events
          WHERE request_id = ${id} AND type = 'hitl.rejected'`,
    );
    expect(event?.via).toEqual({ channel: "slack", os_user: null });
  });

  it("critical: approve opens a modal for the justification; two devops engineers reach the quorum, the message follows", async () => {
    const id = await submit(ACTIONS.critical, "wf-slack-critical");
    await deliver();
    const approveBy = async (user: string, justification: string) => {
      const opened = stub.of("views.open").length;
      await interact(click(user, APPROVE_ACTION, buttonValue(id)));
      const open = stub.of("views.open")[opened] as SlackCall;
      const view = open.args.view as { callback_id: string; private_metadata: string };
      return interact({
        type: "view_submission",
        user: { id: user },
        view: {
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          state: { values: { airlock_reason: { reason: { value: justification } } } },
        },
      });
    };
    const first = await approveBy(SLACK.ops, "Customer asked for it");
    expect(first.body).toBeNull();
    expect((await loadRequest(f.t.db, id)).status).toBe("pending");
    await deliver();
    expect(JSON.stringify(stub.of("chat.update").at(-1)?.args.blocks)).toContain("1 of 2");
    expect(String(stub.of("chat.postEphemeral").at(-1)?.args.text)).toContain("1 of 2");

    // The same person again: the service's own refusal, shown in the modal.
    await interact(click(SLACK.ops, APPROVE_ACTION, buttonValue(id)));
    expect(String(stub.of("chat.postEphemeral").at(-1)?.args.text)).toMatch(/Not done/);

    await approveBy(SLACK.ops2, "Second pair of eyes");
    const after = await loadRequest(f.t.db, id);
    expect(after.status).toBe("approved");
    expect(after.approvals.map((a) => a.justification)).toEqual([
      "Customer asked for it",
      "Second pair of eyes",
    ]);
  });

  it("a button of a request that changed since the message was posted is refused as stale, and the message refreshed", async () => {
    const id = await submit(ACTIONS.critical, "wf-slack-stale");
    await deliver();
    const old = buttonValue(id);
    // Edited in the browser (an edit-then-approve: the first of two approvals).
    await decideRequest(f.t.db, f.as.ops, id, {
      type: "approve",
      justification: "Fixed the address",
      edited_inputs: { to: "support@customer.example" },
    });
    const updates = stub.of("chat.update").length;
    const before = await databaseDigest(f.t.db);
    await interact(click(SLACK.ops2, APPROVE_ACTION, old));
    expect(await databaseDigest(f.t.db)).toEqual(before);
    expect(String(stub.of("chat.postEphemeral").at(-1)?.args.text)).toContain("changed");
    expect(stub.of("views.open")).toEqual([]);
    // Refreshed at once, with buttons for the content as it is now.
    const refreshed = stub.of("chat.update")[updates] as SlackCall;
    expect(JSON.stringify(refreshed.args.blocks)).toContain("1 of 2");
    expect(buttonValue(id)).not.toBe(old);

    // A decided request's old button: stale too.
    const high = await submit(ACTIONS.high, "wf-slack-stale-2");
    await deliver();
    const value = buttonValue(high);
    await decideRequest(f.t.db, f.as.lead2, high, { type: "approve" });
    await interact(click(SLACK.lead, APPROVE_ACTION, value));
    expect(String(stub.of("chat.postEphemeral").at(-1)?.args.text)).toContain("already approved");
    const approvals = (await loadRequest(f.t.db, high)).approvals;
    expect(approvals.map((a) => a.approver_id)).toEqual([f.users.lead2.id]);
  });

  it("answers the click before Slack answers the follow-up, and a failing Slack never undoes the decision", async () => {
    const id = await submit(ACTIONS.high, "wf-slack-slow");
    await deliver();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    stub.on("chat.postEphemeral", async () => {
      await held;
      return { ok: false, error: "channel_not_found" };
    });
    try {
      const answer = await handleSlackInteraction(
        f.t.db,
        signed(click(SLACK.lead, APPROVE_ACTION, buttonValue(id))),
        settings,
      );
      // Answered, and the decision recorded, while Slack still holds the follow-up.
      expect(answer.status).toBe(200);
      expect((await loadRequest(f.t.db, id)).status).toBe("approved");
      const followUp = answer.followUp();
      await stub.next("chat.postEphemeral", 0);
      release();
      await expect(followUp).resolves.toBeUndefined();
    } finally {
      stub.on("chat.postEphemeral", undefined);
    }
  });

  it("posts nothing for a request decided before its announcement went out, and updates nothing it never posted", async () => {
    const id = await submit(ACTIONS.high, "wf-slack-late");
    await decideRequest(f.t.db, f.as.lead, id, { type: "approve" });
    await deliver();
    // (Earlier tests' deferred rows may update their own messages meanwhile.)
    const ofThis = stub.calls.filter((c) => JSON.stringify(c.args).includes(id));
    expect(ofThis).toEqual([]);
    const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
      f.t.db,
      sql`SELECT count(*)::int AS n FROM outbox WHERE request_id = ${id} AND channel = 'slack' AND status = 'delivered' AND event_type = 'hitl.approval_requested'`,
    );
    expect(n).toBe(1);
  });

  it("a low request (no slack channel at its level) writes no Slack row", async () => {
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.medium));
    const rows = await execRows<{ channel: string }>(
      f.t.db,
      sql`SELECT channel FROM outbox WHERE request_id = ${task.approval_request_id} AND channel = 'slack'`,
    );
    expect(rows).toEqual([]);
  });

  it("links a Slack user to one Airlock user, refusing bad input with the field", async () => {
    await expect(
      linkSlackUser(f.t.db, TEST_OPERATOR, { email: "nobody@test.local", slack_user: "U0X" }),
    ).rejects.toMatchObject({ code: "not_found" });
    await expect(
      linkSlackUser(f.t.db, TEST_OPERATOR, { email: PEOPLE.lead.email, slack_user: "lead" }),
    ).rejects.toMatchObject({ code: "invalid", details: [{ path: "slack_user" }] });
    await expect(
      linkSlackUser(f.t.db, f.as.ops, { email: PEOPLE.lead.email, slack_user: "U0Y" }),
    ).rejects.toMatchObject({ code: "forbidden" });
    const moved = await linkSlackUser(f.t.db, TEST_OPERATOR, {
      email: PEOPLE.lead2.email,
      slack_user: "U0MOVES",
    });
    expect(moved.replaced).toBeNull();
    const again = await linkSlackUser(f.t.db, TEST_OPERATOR, {
      email: PEOPLE.lead.email,
      slack_user: "U0MOVES",
    });
    expect(again).toMatchObject({ email: PEOPLE.lead.email, replaced: PEOPLE.lead2.email });
    const events = await execRows<{ type: string }>(
      f.t.db,
      sql`SELECT type FROM audit_events WHERE payload->>'slack_user' = 'U0MOVES' ORDER BY id`,
    );
    expect(events.map((e) => e.type)).toEqual(["user.slack_linked", "user.slack_linked"]);
  });
});
