// Notifications (SPEC §8): the channels a risk level lists, for a new request, an escalation
// (to the role it now waits for), a quarantine and a level raised by an edit. Each is an
// outbox row written with the change (lib/services/requests/outbox.ts notifyRows) and delivered by the
// outbox worker, with its retries, dead letters and deadlines: a failing or hanging channel
// never holds up a decision, nor another channel (each webhook URL is a row of its own).
// - webhook: the event as JSON, or as a Slack-compatible message, signed as the agents'
//   callbacks are (Airlock-Signature with HITL_NOTIFY_WEBHOOK_SECRET; Airlock-Delivery).
// - email: through SMTP_URL to the enabled people whose role may act on it now, and to
//   HITL_NOTIFY_EMAIL_TO: the action, its risk and reasons, the deadline and the request's
//   link. Never a link that decides: deciding takes a signed-in reviewer. Plain text only (no
//   HTML part an agent's text could add markup to), its hidden characters shown.
// Text from agents is escaped in the Slack-compatible message (mrkdwn.ts) (SPEC §8.1).
// The decision itself reaches the agent as its callback (lib/jobs/workflow.ts).
import nodemailer, { type Transporter } from "nodemailer";
import type { Database } from "@/db/client";
import type { OutboxRow } from "@/db/queries/outbox";
import { findRequestRow } from "@/db/queries/requests";
import { listEmailsOfRoles } from "@/db/queries/users";
import { env } from "@/lib/env";
import { ROLE_RANK, ROLES, type Role } from "@/lib/hitl";
import { visibleText } from "@/lib/hitl/text";
import { mrkdwn } from "./mrkdwn";
import { type OutboxHandler, postSignedWebhook } from "./webhook";

/** Where notifications can go: what the outbox rows are written for. */
export interface NotificationTargets {
  webhookUrls: readonly string[];
  email: boolean;
  slack: boolean;
}

let targetsOverride: NotificationTargets | undefined;

export function notificationTargets(): NotificationTargets {
  if (targetsOverride) return targetsOverride;
  const e = env();
  return {
    webhookUrls: e.HITL_NOTIFY_WEBHOOK_URLS,
    email: e.SMTP_URL !== undefined,
    slack: e.SLACK_BOT_TOKEN !== undefined,
  };
}

/** Make notifyRows write for these targets (tests; the environment is read once per process). */
export function setNotificationTargetsForTesting(targets: NotificationTargets | undefined): void {
  targetsOverride = targets;
}

export interface NotifySettings {
  webhookSecret?: string;
  webhookFormat: "json" | "slack";
  smtpUrl?: string;
  from: string;
  /** Addresses that hear of every emailed notification, beside the reviewers. */
  alsoTo: readonly string[];
  /** Where the browser reaches the app, for the request's link. */
  baseUrl: string;
}

export function notifySettings(): NotifySettings {
  const e = env();
  return {
    webhookSecret: e.HITL_NOTIFY_WEBHOOK_SECRET,
    webhookFormat: e.HITL_NOTIFY_WEBHOOK_FORMAT,
    smtpUrl: e.SMTP_URL,
    from: e.HITL_NOTIFY_EMAIL_FROM,
    alsoTo: e.HITL_NOTIFY_EMAIL_TO,
    baseUrl: e.NEXTAUTH_URL ?? "http://localhost:3000",
  };
}

/** The event as its notify row carries it (lib/services/requests/outbox.ts payloadOf). */
interface NotifyPayload {
  event: string;
  request_id: string;
  task_id: string;
  workflow_id: string;
  status: string;
  risk_level: string;
  action_type: string;
  escalated_to: string | null;
  /** The role that may act on it now: whom an email goes to (and above). */
  audience_role: Role;
  expires_at: string;
  reason: string | null;
}

const WORDS: Record<string, string> = {
  "hitl.approval_requested": "needs approval",
  "hitl.escalated": "was escalated",
  "hitl.quarantined": "was quarantined",
  "hitl.risk_raised": "was edited to a higher risk level",
  "hitl.expiring": "expires soon",
};

/**
 * Delivers `notify` rows by their channel; `slack` rows go to `slack` (lib/services/integrations/slack.ts
 * deliverSlack, given by the caller: it decides through the lifecycle, which writes these rows).
 */
export function notifyHandler(
  settings: () => NotifySettings = notifySettings,
  slack?: OutboxHandler,
): OutboxHandler {
  const transports = new Map<string, Transporter>();
  return async (row, ctx) => {
    if (row.channel === "slack" && slack) return slack(row, ctx);
    const s = settings();
    const payload = row.payload as NotifyPayload;
    const link = `${s.baseUrl.replace(/\/+$/, "")}/requests/${payload.request_id}`;
    if (row.channel === "webhook") {
      if (!row.targetUrl) return { ok: false, error: "the row has no target URL", permanent: true };
      if (!s.webhookSecret) {
        return { ok: false, error: "HITL_NOTIFY_WEBHOOK_SECRET is not set", permanent: true };
      }
      const body =
        s.webhookFormat === "slack"
          ? slackMessage(payload, link, row.id)
          : { ...payload, request_url: link, delivery_id: row.id };
      return postSignedWebhook({
        url: row.targetUrl,
        deliveryId: row.id,
        secret: s.webhookSecret,
        body: JSON.stringify(body),
        timeoutMs: ctx.timeoutMs,
        resolve: ctx.resolve,
      });
    }
    if (row.channel === "email") {
      if (!s.smtpUrl) return { ok: false, error: "SMTP_URL is not set", permanent: true };
      return sendEmail(ctx.db, row, payload, link, s, ctx.timeoutMs, transports);
    }
    return { ok: false, error: `no ${row.channel ?? "unnamed"} channel is built`, permanent: true };
  };
}

async function sendEmail(
  db: Database,
  row: OutboxRow,
  payload: NotifyPayload,
  link: string,
  s: NotifySettings,
  timeoutMs: number,
  transports: Map<string, Transporter>,
) {
  const request = await findRequestRow(db, payload.request_id);
  if (!request) return { ok: false as const, error: "the request is gone", permanent: true };
  const audience = ROLES.filter((r) => ROLE_RANK[r] >= ROLE_RANK[payload.audience_role]);
  const reviewers = await listEmailsOfRoles(db, audience);
  const to = [...new Set([...reviewers, ...s.alsoTo])];
  if (to.length === 0) {
    return {
      ok: false as const,
      error: `nobody to email (no ${payload.audience_role} or above)`,
      permanent: true,
    };
  }
  let transport = transports.get(s.smtpUrl as string);
  if (!transport) {
    transport = nodemailer.createTransport({
      ...smtpServerOf(s.smtpUrl as string),
      // Every wait has the deadline of the other channels (nodemailer's greeting alone
      // would wait 30 s).
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    transports.set(s.smtpUrl as string, transport);
  }
  const reasons = ((request.riskFactors as { reasons?: string[] }).reasons ?? []).map(
    (r) => `  - ${agentText(r, "    ")}`,
  );
  const level = payload.risk_level.toUpperCase();
  const what = WORDS[payload.event] ?? payload.event;
  const type = visibleText(request.actionType);
  try {
    await transport.sendMail({
      from: s.from,
      // Blind copies only: no reviewer sees the others' addresses.
      bcc: to,
      subject: `[Airlock] ${level}: ${type} ${what}`,
      headers: { "X-Airlock-Delivery": row.id, "X-Airlock-Request": payload.request_id },
      text: [
        `${type} ${what}.`,
        "",
        `Action:      ${agentText(request.actionDescription || "(no description)")}`,
        `Agent:       ${agentText(request.agentName)}, workflow ${agentText(request.workflowId)}`,
        `Risk:        ${payload.risk_level} (score ${request.riskScore.toFixed(2)})`,
        ...(reasons.length > 0 ? ["Why:", ...reasons] : []),
        `Waits for:   ${payload.audience_role.replace("_", " ")} or above`,
        `Decide by:   ${new Date(payload.expires_at).toUTCString()} (undecided, it fails closed: never approved)`,
        ...(payload.reason ? [`Note:        ${agentText(payload.reason)}`] : []),
        "",
        `Review it (sign in to decide): ${link}`,
      ].join("\n"),
    });
    return { ok: true as const };
  } catch (error) {
    return { ok: false as const, error: `SMTP: ${(error as Error).message}` };
  }
}

/**
 * Text from an agent in the email's plain text: hidden characters shown, and every line after
 * its first indented under it, so no line of it passes for one of ours (a "Review it:" link).
 */
function agentText(s: string, indent = " ".repeat(13)): string {
  return visibleText(s).replace(/\r\n?|\n/g, `\n${indent}`);
}

/**
 * smtp://user:password@host:port (smtps:// for TLS from the start) as nodemailer's options:
 * given as `url`, nodemailer would drop the deadlines set beside it.
 */
function smtpServerOf(url: string) {
  const u = new URL(url);
  const secure = u.protocol === "smtps:";
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
  };
}

/** An incoming-webhook message Slack (and tools that speak its format) can show as it is. */
function slackMessage(p: NotifyPayload, link: string, deliveryId: string) {
  const title = `${p.risk_level.toUpperCase()}: ${mrkdwn(p.action_type)} ${WORDS[p.event] ?? p.event}`;
  return {
    text: `${title} — ${link}`,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `*${title}*\n<${link}|Review it in Airlock>`,
          verbatim: true,
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `workflow ${mrkdwn(p.workflow_id)} · waits for ${p.audience_role} · decide by ${p.expires_at}`,
            verbatim: true,
          },
        ],
      },
    ],
    airlock: { ...p, request_url: link, delivery_id: deliveryId },
  };
}
