import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { verifyWebhook } from "@airlock/sdk";
import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { deliverDueOnce } from "@/lib/jobs/outbox-worker";
import { SYSTEM } from "@/lib/services/principal";
import { decideRequest, submitTask, sweepDueRequests } from "@/lib/services/requests/lifecycle";
import { ACTIONS, createFixture, type Fixture, PEOPLE, taskBody } from "@/test-support/services";
import { type NotifySettings, notifyHandler, setNotificationTargetsForTesting } from "./notify";

// Callbacks and webhooks go to receivers on this machine, which only "loopback" allows (SPEC
// §8.1); the environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

const SECRET = "whsec_notifications-test-0123456789";

/** A local webhook receiver: each path answers as its behaviour says (204 by default). */
async function startReceiver() {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const behaviours = new Map<string, (attempt: number) => number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const attempt = received.filter((r) => r.path === path).length;
      res.writeHead(behaviours.get(path)?.(attempt) ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((r) => r.path === path),
    on: (path: string, behaviour: (attempt: number) => number) => behaviours.set(path, behaviour),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) on a loopback port, keeping what it receives. */
async function startSmtp() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => (raw += c.toString()));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A mail server that accepts the connection and never says a word. */
async function startSilentSmtp(): Promise<{ url: string; server: TcpServer }> {
  const server = createTcpServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The body of a (quoted-printable) text mail, unfolded. */
const textOf = (raw: string) =>
  raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

describe("notifications by risk level", () => {
  let f: Fixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let settings: NotifySettings;

  beforeAll(async () => {
    f = await createFixture();
    receiver = await startReceiver();
    smtp = await startSmtp();
    setNotificationTargetsForTesting({
      webhookUrls: [receiver.url("/ops-hook"), receiver.url("/flaky-hook")],
      email: true,
      slack: false,
    });
    settings = {
      webhookSecret: SECRET,
      webhookFormat: "json",
      smtpUrl: smtp.url,
      from: "Airlock <airlock@test.local>",
      alsoTo: ["oncall@test.local"],
      baseUrl: "http://airlock.test/",
    };
  });
  afterAll(async () => {
    setNotificationTargetsForTesting(undefined);
    await receiver?.close();
    await smtp?.close();
    await f?.t.destroy();
  });

  /** Deliver notify rows until none is due (retries due at once). */
  async function deliver(s: NotifySettings = settings, timeoutMs = 5000) {
    const handlers = { notify: notifyHandler(() => s) };
    const total = { delivered: 0, failed: 0, dead: 0 };
    for (let round = 0; round < 6; round++) {
      const counts = await deliverDueOnce(f.t.db, { handlers, backoffMs: 0, timeoutMs });
      total.delivered += counts.delivered;
      total.failed += counts.failed;
      total.dead += counts.dead;
      if (counts.claimed === 0) break;
    }
    return total;
  }

  const reviewersFrom = (role: "tech_lead" | "devops_engineer") =>
    Object.values(PEOPLE)
      .filter((p) =>
        role === "tech_lead"
          ? p.role !== "developer" && p.role !== "viewer"
          : p.role === "devops_engineer",
      )
      .map((p) => p.email)
      .sort();

  it("a high request: one signed webhook per URL (retries keep one delivery id) and one email to who may decide", async () => {
    receiver.on("/flaky-hook", (attempt) => (attempt <= 2 ? 503 : 204));
    const { task } = await submitTask(
      f.t.db,
      f.alpha,
      taskBody({ ...ACTIONS.high, description: "Deploy the auth service to production" }),
    );
    expect(await deliver()).toMatchObject({ delivered: 3, failed: 2, dead: 0 });

    const [hook] = receiver.at("/ops-hook");
    expect(receiver.at("/ops-hook")).toHaveLength(1);
    expect(verifyWebhook(SECRET, hook?.headers ?? {}, hook?.body ?? "")).toMatchObject({
      ok: true,
    });
    expect(JSON.parse(hook?.body ?? "{}")).toMatchObject({
      event: "hitl.approval_requested",
      request_id: task.approval_request_id,
      risk_level: "high",
      audience_role: "tech_lead",
      request_url: `http://airlock.test/requests/${task.approval_request_id}`,
    });
    const flaky = receiver.at("/flaky-hook");
    expect(flaky).toHaveLength(3);
    expect(new Set(flaky.map((r) => r.headers["airlock-delivery"])).size).toBe(1);
    expect(flaky.every((r) => verifyWebhook(SECRET, r.headers, r.body).ok)).toBe(true);

    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    // Tech leads and devops engineers (the key's owner among them), and the on-call list.
    expect([...(mail?.to ?? [])].sort()).toEqual(
      [...reviewersFrom("tech_lead"), "oncall@test.local"].sort(),
    );
    const text = textOf(mail?.raw ?? "");
    expect(text).toMatch(/Subject: \[Airlock\] HIGH: deploy needs approval/);
    expect(text).toContain("Deploy the auth service to production");
    expect(text).toContain("Why:");
    expect(text).toMatch(/Decide by: +\w{3}, /);
    expect(text).toContain(`http://airlock.test/requests/${task.approval_request_id}`);
    // Never a link that decides: the request's page is the only one.
    const links = text.match(/https?:\/\/\S+/g) ?? [];
    expect(new Set(links)).toEqual(
      new Set([`http://airlock.test/requests/${task.approval_request_id}`]),
    );
  });

  it("an escalation tells the role it now waits for; nothing is sent for a level without the channel", async () => {
    smtp.mails.length = 0;
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    await deliver();
    smtp.mails.length = 0;
    await decideRequest(f.t.db, f.as.lead, task.approval_request_id, {
      type: "escalate",
      reason: "needs ops",
    });
    await deliver();
    expect(smtp.mails).toHaveLength(1);
    expect([...(smtp.mails[0]?.to ?? [])].sort()).toEqual(
      [...reviewersFrom("devops_engineer"), "oncall@test.local"].sort(),
    );
    expect(textOf(smtp.mails[0]?.raw ?? "")).toMatch(
      /Subject: \[Airlock\] HIGH: deploy was escalated/,
    );

    // A low request's level lists only the log.
    const before = await execRows<{ n: number }>(
      f.t.db,
      sql`SELECT count(*)::int AS n FROM outbox WHERE kind = 'notify'`,
    );
    await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.low));
    const after = await execRows<{ n: number }>(
      f.t.db,
      sql`SELECT count(*)::int AS n FROM outbox WHERE kind = 'notify'`,
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  it("a mail server that hangs times out on its own row; the webhooks of the same batch go out meanwhile", async () => {
    const silent = await startSilentSmtp();
    try {
      const hooksBefore = receiver.at("/ops-hook").length;
      await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
      const started = Date.now();
      const counts = await deliverDueOnce(f.t.db, {
        handlers: { notify: notifyHandler(() => ({ ...settings, smtpUrl: silent.url })) },
        timeoutMs: 1000,
        maxAttempts: 1,
      });
      expect(counts).toMatchObject({ claimed: 3, delivered: 2, dead: 1 });
      expect(receiver.at("/ops-hook").length).toBe(hooksBefore + 1);
      expect(Date.now() - started).toBeLessThan(5000);
      const [dead] = await execRows<{ last_error: string }>(
        f.t.db,
        sql`SELECT last_error FROM outbox WHERE kind = 'notify' AND status = 'dead' AND channel = 'email'`,
      );
      expect(dead?.last_error).toMatch(/^SMTP: /);
    } finally {
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });

  it("speaks Slack's incoming-webhook format when asked, still signed", async () => {
    const before = receiver.at("/ops-hook").length;
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    await deliver({ ...settings, webhookFormat: "slack" });
    const hook = receiver.at("/ops-hook")[before];
    expect(verifyWebhook(SECRET, hook?.headers ?? {}, hook?.body ?? "")).toMatchObject({
      ok: true,
    });
    const body = JSON.parse(hook?.body ?? "{}");
    expect(body.text).toContain("HIGH: deploy needs approval");
    expect(body.blocks[0]).toMatchObject({ type: "section" });
    expect(body.airlock).toMatchObject({ request_id: task.approval_request_id });
  });

  it("announces a near deadline once per deadline, to the level's channels", async () => {
    smtp.mails.length = 0;
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    await deliver();
    smtp.mails.length = 0;
    const id = task.approval_request_id;
    // Time passes: five minutes left of its sixty.
    await execRows(
      f.t.db,
      sql`UPDATE approval_requests SET expires_at = now() + interval '5 minutes' WHERE id = ${id}`,
    );
    expect(await sweepDueRequests(f.t.db, SYSTEM)).toMatchObject({ warned: 1, expired: 0 });
    expect(await sweepDueRequests(f.t.db, SYSTEM)).toMatchObject({ warned: 0 });
    await deliver();
    expect(smtp.mails).toHaveLength(1);
    expect(textOf(smtp.mails[0]?.raw ?? "")).toMatch(
      /Subject: \[Airlock\] HIGH: deploy expires soon/,
    );
    const events = await execRows<{ type: string }>(
      f.t.db,
      sql`SELECT type FROM audit_events WHERE request_id = ${id} AND type = 'hitl.expiry_warned'`,
    );
    expect(events).toHaveLength(1);
    // A new deadline (as an escalation's fresh timeout) is announced again, when it nears.
    await execRows(
      f.t.db,
      sql`UPDATE approval_requests SET expires_at = now() + interval '40 minutes' WHERE id = ${id}`,
    );
    expect(await sweepDueRequests(f.t.db, SYSTEM)).toMatchObject({ warned: 0 });
    await execRows(
      f.t.db,
      sql`UPDATE approval_requests SET expires_at = now() + interval '3 minutes' WHERE id = ${id}`,
    );
    expect(await sweepDueRequests(f.t.db, SYSTEM)).toMatchObject({ warned: 1 });
  });
});
