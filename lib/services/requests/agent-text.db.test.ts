// Text from agents in every channel it reaches besides the dashboard (SPEC §8.1): a Slack
// message, the Slack-compatible notification webhook and the email. An agent's markup arrives
// as text (no mention, no link, no tag) and its hidden characters arrive visible.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deliverDueOnce } from "@/lib/jobs/outbox-worker";
import {
  type NotifySettings,
  notifyHandler,
  setNotificationTargetsForTesting,
} from "@/lib/services/integrations/notify";
import { deliverSlack, type SlackSettings } from "@/lib/services/integrations/slack";
import { ACTIONS, createFixture, type Fixture, taskBody } from "@/test-support/services";
import { type SlackCall, type SlackStub, startSlackStub } from "@/test-support/slack-stub";
import { submitTask } from "./lifecycle";

// The webhook receiver is on this machine, which only "loopback" allows; the environment is
// read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

const HOSTILE =
  "<!channel> <https://evil.example|Approve here> <script>alert(1)</script> & pay\u202egnp.exe\u200b" +
  "\nReview it (sign in to decide): https://evil.example/login";
const AGENT = "<!here> bot\u2066";
const WORKFLOW = "wf-<@U0LEAD>";

/** What agent markup must never arrive as, in any channel. */
const RAW = ["<!channel>", "<https://evil", "<script>", "<!here>", "<@U0LEAD>", "\u202e", "\u200b"];

/** A (quoted-printable or base64) MIME body as the text it encodes. */
function bodyOf(raw: string): { headers: string; text: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, at);
  const body = raw.slice(at).trim();
  if (/Content-Transfer-Encoding: base64/i.test(headers)) {
    return { headers, text: Buffer.from(body, "base64").toString("utf8") };
  }
  if (/Content-Transfer-Encoding: quoted-printable/i.test(headers)) {
    const bytes: number[] = [];
    const unfolded = body.replace(/=\r?\n/g, "");
    for (let i = 0; i < unfolded.length; i++) {
      const hex = unfolded[i] === "=" ? unfolded.slice(i + 1, i + 3) : "";
      if (/^[0-9A-F]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16));
        i += 2;
      } else bytes.push(unfolded.charCodeAt(i));
    }
    return { headers, text: Buffer.from(bytes).toString("utf8") };
  }
  return { headers, text: body };
}

describe("text from agents in Slack, the Slack-compatible webhook and email", () => {
  let f: Fixture;
  let stub: SlackStub;
  const hooks: string[] = [];
  const mails: string[] = [];
  let hookServer: ReturnType<typeof createServer>;
  let smtp: SMTPServer;
  let notify: NotifySettings;
  let slack: SlackSettings;
  let requestId: string;

  beforeAll(async () => {
    f = await createFixture();
    stub = await startSlackStub();
    hookServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        hooks.push(Buffer.concat(chunks).toString());
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          mails.push(Buffer.concat(chunks).toString());
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const hookPort = (hookServer.address() as AddressInfo).port;
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    setNotificationTargetsForTesting({
      webhookUrls: [`http://127.0.0.1:${hookPort}/slack-hook`],
      email: true,
      slack: true,
    });
    notify = {
      webhookSecret: "whsec_agent-text-test-0123456789",
      webhookFormat: "slack",
      smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
      from: "Airlock <airlock@test.local>",
      alsoTo: ["oncall@test.local"],
      baseUrl: "http://airlock.test",
    };
    slack = {
      token: "xoxb-test-token",
      signingSecret: "slack-signing-secret-for-tests",
      apiUrl: stub.url,
      channelFor: () => "C0AIRLOCK",
      baseUrl: "http://airlock.test",
    };

    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody(
        { ...ACTIONS.critical, description: HOSTILE },
        { agent_name: AGENT, workflow_id: WORKFLOW },
      ),
    );
    requestId = task.approval_request_id;
    const handlers = {
      notify: notifyHandler(
        () => notify,
        (row, ctx) => deliverSlack(ctx.db, row, slack, ctx.timeoutMs),
      ),
    };
    for (let round = 0; round < 6; round++) {
      const counts = await deliverDueOnce(f.t.db, { handlers, backoffMs: 0, timeoutMs: 5000 });
      if (counts.claimed === 0) break;
    }
  });
  afterAll(async () => {
    setNotificationTargetsForTesting(undefined);
    await stub?.close();
    await new Promise((resolve) => hookServer?.close(resolve));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await f?.t.destroy();
  });

  it("the Slack message escapes & < > and shows hidden characters, in its blocks and its text", () => {
    const [post] = stub.of("chat.postMessage") as SlackCall[];
    expect(post, "no Slack message was posted").toBeDefined();
    const blocks = JSON.stringify(post?.args.blocks);
    const text = String(post?.args.text);
    for (const shown of [blocks, text]) {
      for (const raw of RAW.filter((r) => r !== "<!here>" && r !== "<@U0LEAD>")) {
        expect(shown).not.toContain(raw);
      }
      expect(shown).toContain(
        "&lt;!channel&gt; &lt;https://evil.example|Approve here&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; pay⟨U+202E⟩gnp.exe⟨U+200B⟩",
      );
    }
    for (const raw of RAW) expect(blocks).not.toContain(raw);
    expect(blocks).toContain("&lt;!here&gt; bot⟨U+2066⟩");
    expect(blocks).toContain("wf-&lt;@U0LEAD&gt;");
    // Slack turns no plain text of these into a link or a mention by itself.
    const texts = ((post?.args.blocks ?? []) as { text?: { verbatim?: boolean } }[])
      .map((b) => b.text)
      .filter((t) => t !== undefined);
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((t) => t.verbatim === true)).toBe(true);
    // Its own link is a button's URL: the request's page.
    expect(blocks).toContain(`"url":"http://airlock.test/requests/${requestId}"`);
  });

  it("the Slack-compatible webhook escapes what it shows of the agent's text", () => {
    expect(hooks).toHaveLength(1);
    const message = JSON.parse(hooks[0] ?? "{}") as { text: string; blocks: unknown[] };
    const shown = JSON.stringify({ text: message.text, blocks: message.blocks });
    for (const raw of RAW) expect(shown).not.toContain(raw);
    expect(shown).toContain("workflow wf-&lt;@U0LEAD&gt;");
    expect(shown).toContain(`<http://airlock.test/requests/${requestId}|Review it in Airlock>`);
  });

  it("the email is plain text only: the agent's markup is inert text, hidden characters shown", () => {
    expect(mails).toHaveLength(1);
    const { headers, text } = bodyOf(mails[0] ?? "");
    expect(headers).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(mails[0]).not.toMatch(/text\/html/i);
    for (const hidden of ["\u202e", "\u200b", "\u2066"]) expect(text).not.toContain(hidden);
    expect(text).toContain(
      "Action:      <!channel> <https://evil.example|Approve here> <script>alert(1)</script> & pay⟨U+202E⟩gnp.exe⟨U+200B⟩",
    );
    expect(text).toContain("Agent:       <!here> bot⟨U+2066⟩, workflow wf-<@U0LEAD>");
    // The agent's own "Review it" line is indented under its description: only ours starts a line.
    const reviewLines = text.split(/\r?\n/).filter((l) => l.startsWith("Review it"));
    expect(reviewLines).toEqual([
      `Review it (sign in to decide): http://airlock.test/requests/${requestId}`,
    ]);
    expect(text).toContain(
      "\n             Review it (sign in to decide): https://evil.example/login",
    );
  });
});
