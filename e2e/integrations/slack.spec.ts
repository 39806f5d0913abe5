import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { type SlackCall, type SlackStub, startSlackStub } from "@/test-support/slack-stub";
import { hitl, type Server, type Storage, startServer, storage } from "../servers";

// Slack approvals against the built app, configured as a user configures them (SLACK_* in the
// environment, `hitl users link-slack`), with Slack's Web API replaced by a local stub: the
// server posts the request, a signed click comes back over HTTP as Slack sends it (form-
// encoded, signed over the raw body), and the message follows the decision.
const SECRET = "e2e-slack-signing-secret-0123";
const CHANNEL = "C0E2EAPPROVALS";

test.describe("Slack approvals", () => {
  test.describe.configure({ mode: "serial", timeout: 90_000 });
  let scratch: string;
  let store: Storage;
  let server: Server;
  let stub: SlackStub;
  let agentKey: string;

  test.beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-slack-"));
    store = await storage("pglite", path.join(scratch, "data"));
    hitl(store.env, "init-db");
    hitl(store.env, "users", "add", "--email", "owner@slack.test", "--role", "developer");
    hitl(store.env, "users", "add", "--email", "lead@slack.test", "--role", "tech_lead");
    const linked = JSON.parse(
      hitl(
        store.env,
        "users",
        "link-slack",
        "--email",
        "lead@slack.test",
        "--slack-user",
        "U0LEAD",
        "--json",
      ),
    );
    expect(linked).toMatchObject({ email: "lead@slack.test", slack_user: "U0LEAD" });
    agentKey = JSON.parse(
      hitl(
        store.env,
        "keys",
        "create",
        "--agent",
        "slacker",
        "--owner",
        "owner@slack.test",
        "--json",
      ),
    ).key;
    stub = await startSlackStub();
    server = await startServer({
      ...store.env,
      SLACK_BOT_TOKEN: "xoxb-e2e-token",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: stub.url,
    });
  });

  test.afterAll(async () => {
    await server?.kill();
    await stub?.close();
    await store?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function submit(description: string) {
    const response = await fetch(`${server.base}/api/tasks`, {
      method: "POST",
      headers: { Authorization: `Bearer ${agentKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        workflow_id: "wf-slack-e2e",
        agent_name: "release-bot",
        action: { type: "deploy", operation: "deploy", environment: "production", description },
      }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { task_id: string; approval_request_id: string };
  }

  async function status(taskId: string) {
    const response = await fetch(`${server.base}/api/tasks/${taskId}`, {
      headers: { Authorization: `Bearer ${agentKey}` },
    });
    return ((await response.json()) as { status: string }).status;
  }

  /** The message Slack received for a request: its posted call, found among all calls. */
  async function posted(requestId: string): Promise<SlackCall> {
    for (let n = 0; ; n++) {
      const call = await stub.next("chat.postMessage", n);
      if (JSON.stringify(call.args.blocks).includes(requestId)) return call;
    }
  }

  const approveValue = (call: SlackCall) => {
    const blocks = call.args.blocks as {
      type: string;
      elements?: { action_id?: string; value?: string }[];
    }[];
    const button = blocks
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id?.includes("approve"));
    return button?.value as string;
  };

  /** POST a payload to the interactions endpoint, form-encoded and signed as Slack does. */
  function send(payload: unknown, options: { secret?: string; at?: number } = {}) {
    const at = options.at ?? Math.floor(Date.now() / 1000);
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const mac = createHmac("sha256", options.secret ?? SECRET)
      .update(`v0:${at}:${body}`)
      .digest("hex");
    return fetch(`${server.base}/api/integrations/slack/interactions`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": String(at),
        "X-Slack-Signature": `v0=${mac}`,
      },
      body,
    });
  }

  const click = (user: string, action: string, value: string) => ({
    type: "block_actions",
    user: { id: user },
    trigger_id: "1337.42.e2e",
    channel: { id: CHANNEL },
    actions: [{ action_id: action, value }],
  });

  test("a new request is posted with buttons; a linked tech lead's click approves it within 3 s and the message follows", async () => {
    const task = await submit("Deploy the billing service");
    const post = await posted(task.approval_request_id);
    expect(post.authorization).toBe("Bearer xoxb-e2e-token");
    expect(post.args.channel).toBe(CHANNEL);
    expect(JSON.stringify(post.args.blocks)).toContain(
      `${server.base}/requests/${task.approval_request_id}`,
    );

    const updates = stub.of("chat.update").length;
    const started = performance.now();
    const response = await send(click("U0LEAD", "airlock_approve", approveValue(post)));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await status(task.task_id)).toBe("approved");

    const note = await stub.next("chat.postEphemeral", 0);
    expect(note.args).toMatchObject({ channel: CHANNEL, user: "U0LEAD" });
    const update = await stub.next("chat.update", updates);
    expect(update.args).toMatchObject({
      channel: CHANNEL,
      ts: expect.stringMatching(/^\d+\.\d+$/),
    });
    expect(JSON.stringify(update.args.blocks)).toContain("Approved by lead@slack.test");
  });

  test("forged, stale and unlinked clicks change nothing; reject goes through a modal", async () => {
    const task = await submit("Deploy the search service");
    const value = approveValue(await posted(task.approval_request_id));

    expect(
      (await send(click("U0LEAD", "airlock_approve", value), { secret: "forged-secret-0000" }))
        .status,
    ).toBe(401);
    const stale = await send(click("U0LEAD", "airlock_approve", value), {
      at: Math.floor(Date.now() / 1000) - 600,
    });
    expect(stale.status).toBe(401);
    const notes = stub.of("chat.postEphemeral").length;
    expect((await send(click("U0STRANGER", "airlock_approve", value))).status).toBe(200);
    const refusal = await stub.next("chat.postEphemeral", notes);
    expect(String(refusal.args.text)).toContain("link-slack");
    expect(await status(task.task_id)).toBe("pending");

    const opened = stub.of("views.open").length;
    expect((await send(click("U0LEAD", "airlock_reject", value))).status).toBe(200);
    const open = await stub.next("views.open", opened);
    expect(open.args.trigger_id).toBe("1337.42.e2e");
    const view = open.args.view as { callback_id: string; private_metadata: string };
    const submitted = await send({
      type: "view_submission",
      user: { id: "U0LEAD" },
      view: {
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: { airlock_reason: { reason: { value: "Search is frozen this week" } } } },
      },
    });
    // An empty 200 closes the modal.
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toBe("");
    expect(await status(task.task_id)).toBe("rejected");
  });
});
