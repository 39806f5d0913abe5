// Slack approvals (SPEC §8). A request of a level whose channels list `slack` is posted to its
// level's channel as a Block Kit message with approve / reject buttons and a link to the
// request; every later change of the request updates that message. Both happen from the
// outbox (notify rows of channel "slack"), so a slow or failing Slack never holds a decision.
//
// Clicks come back to POST /api/integrations/slack/interactions. Nothing there is trusted
// before its `v0` signature is checked (in constant time, over the raw body, refused when
// older than five minutes); then the Slack user must be linked to an Airlock user (`hitl users
// link-slack`), and the decision goes through decideRequest like every other path, as that
// person, with their role read inside the transaction: four-eyes, quorum and expiry hold.
// A button of a message that no longer shows the request as it is (edited, or closed) is
// refused as stale. Rejecting, and approving where a justification is required, opens a
// modal for the reason. The click is answered at once; what talks to Slack afterwards
// (modals, ephemeral notes) runs after the answer.
import { createHmac, timingSafeEqual } from "node:crypto";
import { ErrorCode, WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import type { OutboxRow } from "@/db/queries/outbox";
import { findRequestRow, listApprovals, type RequestRow } from "@/db/queries/requests";
import {
  findSlackLink,
  findSlackMessage,
  insertSlackMessage,
  SLACK_PROVIDER,
  slackPostPending,
  touchSlackMessage,
  upsertSlackLink,
} from "@/db/queries/slack";
import { findUserByEmail, findUserById, listPeople } from "@/db/queries/users";
import { env } from "@/lib/env";
import {
  can,
  isOpenStatus,
  type RequestStatus,
  type RiskLevel,
  type Role,
  sha256Hex,
} from "@/lib/hitl";
import { log } from "@/lib/log";
import { requestSummary } from "@/lib/services/dto";
import { isServiceError, ServiceError } from "@/lib/services/errors";
import {
  auditActor,
  type Principal,
  requireOperator,
  type UserPrincipal,
} from "@/lib/services/principal";
import { decideRequest } from "@/lib/services/requests/lifecycle";
import { getRequestDetail } from "@/lib/services/requests/queue";
import { hitlConfig } from "@/lib/services/rules/config";
import { parseInput } from "@/lib/services/validation";
import { mrkdwn } from "./mrkdwn";
import type { DeliveryOutcome } from "./webhook";

export interface SlackSettings {
  token?: string;
  signingSecret?: string;
  /** The Web API's base URL (Slack's own, or a local stub). */
  apiUrl: string;
  /** Where a level's requests are posted: its `slack_channel`, else SLACK_CHANNEL. */
  channelFor(level: RiskLevel): string | undefined;
  /** Where the browser reaches the app, for the request's link. */
  baseUrl: string;
}

export function slackSettings(): SlackSettings {
  const e = env();
  return {
    token: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    apiUrl: e.SLACK_API_URL,
    channelFor: (level) => hitlConfig().ruleSet.levels[level].slack_channel ?? e.SLACK_CHANNEL,
    baseUrl: e.NEXTAUTH_URL ?? "http://localhost:3000",
  };
}

const clients = new Map<string, WebClient>();

/**
 * Slack's official client, one per token and base URL. No retries of its own (the outbox
 * retries deliveries; a click's follow-up is not worth repeating) and a deadline per call.
 */
function clientOf(s: SlackSettings, timeoutMs: number): WebClient {
  const key = `${s.apiUrl}\n${s.token}\n${timeoutMs}`;
  let client = clients.get(key);
  if (!client) {
    client = new WebClient(s.token, {
      slackApiUrl: s.apiUrl.endsWith("/") ? s.apiUrl : `${s.apiUrl}/`,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logger: slackLogger,
    });
    clients.set(key, client);
  }
  return client;
}

/** The client's own log lines, into ours (never the token: the client does not log it). */
const slackLogger = {
  debug: () => {},
  info: () => {},
  warn: (...msg: unknown[]) => log().warn({ slack: msg.map(String).join(" ") }, "slack client"),
  error: (...msg: unknown[]) => log().error({ slack: msg.map(String).join(" ") }, "slack client"),
  setLevel: () => {},
  getLevel: () => "warn" as never,
  setName: () => {},
};

// --- The message --------------------------------------------------------------------------

/**
 * What a button was made for: the request's content (its hash and edit generation) and
 * whether it was open. A click whose stamp differs from the request's now is stale.
 */
export function slackStamp(row: Pick<RequestRow, "contentHash" | "editGeneration" | "status">) {
  const open = isOpenStatus(row.status as RequestStatus) ? "open" : "closed";
  return sha256Hex(`${row.contentHash}|${row.editGeneration}|${open}`).slice(0, 16);
}

export const APPROVE_ACTION = "airlock_approve";
export const REJECT_ACTION = "airlock_reject";
const OPEN_ACTION = "airlock_open";
const MODAL_CALLBACK = "airlock_decision";

type Block = { type: string } & Record<string, unknown>;

interface MessageView {
  row: RequestRow;
  have: number;
  need: number;
  awaitedRole: string;
  approvers: string[];
  decidedBy: string | null;
  link: string;
}

const EMOJI: Record<string, string> = {
  low: ":large_green_circle:",
  medium: ":large_yellow_circle:",
  high: ":large_orange_circle:",
  critical: ":red_circle:",
};

const CLOSED_WORDS: Record<string, string> = {
  approved: ":white_check_mark: Approved",
  rejected: ":no_entry: Rejected",
  expired: ":hourglass: Expired undecided (failed closed: not approved)",
  cancelled: ":leftwards_arrow_with_hook: Cancelled by the agent",
};

/** Slack's date formatting: shown in each reader's own time zone, with a fallback. */
const slackDate = (d: Date, format: string) =>
  `<!date^${Math.floor(d.getTime() / 1000)}^${format}|${d.toISOString()}>`;

/**
 * A mrkdwn text object. `verbatim`: Slack does not turn plain text into links or mentions by
 * itself (an agent's bare URL or "@here" stays text); our own `<!date^…>` still formats.
 */
const md = (text: string) => ({ type: "mrkdwn", text, verbatim: true });

export function renderMessage(v: MessageView): { text: string; blocks: Block[] } {
  const r = v.row;
  const level = r.riskLevel;
  const open = isOpenStatus(r.status as RequestStatus);
  const title = `${level.toUpperCase()}: ${r.actionType}`;
  const reasons = ((r.riskFactors as { reasons?: string[] }).reasons ?? []).slice(0, 8);
  const stamp = slackStamp(r);
  const value = `${r.id}:${stamp}`;
  const where = [r.actionEnvironment, r.actionOperation].filter(Boolean).join(" · ");
  const blocks: Block[] = [
    {
      type: "section",
      text: md(
        `${EMOJI[level] ?? ""} *${mrkdwn(title)}*${where ? ` (${mrkdwn(where)})` : ""}\n${mrkdwn(r.actionDescription || "(no description)")}`,
      ),
    },
    {
      type: "section",
      fields: [
        md(`*Agent*\n${mrkdwn(r.agentName)}`),
        md(`*Workflow*\n${mrkdwn(r.workflowId)}`),
        md(`*Risk*\n${level} (score ${r.riskScore.toFixed(2)})`),
        md(`*Approvals*\n${v.have} of ${v.need} (${v.awaitedRole.replace("_", " ")} or above)`),
      ],
    },
  ];
  if (reasons.length > 0) {
    blocks.push({
      type: "section",
      text: md(`*Why*\n${reasons.map((x) => `• ${mrkdwn(x)}`).join("\n")}`),
    });
  }
  const context: string[] = [];
  if (open) {
    const soon = r.expiresAt.getTime() - Date.now() < 10 * 60_000;
    context.push(
      `${soon ? ":alarm_clock: Expires soon:" : "Decide by"} ${slackDate(r.expiresAt, "{date_short_pretty} {time}")} (${slackDate(r.expiresAt, "{ago}")}); undecided, it fails closed`,
    );
    if (r.status === "escalated" && r.escalatedTo) {
      context.push(`Escalated to ${r.escalatedTo.replace("_", " ")}`);
    }
    if (r.status === "quarantined") {
      context.push(":lock: Quarantined: only a devops engineer can release it, in Airlock");
    }
    if (v.approvers.length > 0) {
      context.push(`Approved so far by ${mrkdwn(v.approvers.join(", "))}`);
    }
  } else {
    const by = v.decidedBy ? ` by ${mrkdwn(v.decidedBy)}` : "";
    const when = r.decidedAt ? ` ${slackDate(r.decidedAt, "{date_short_pretty} {time}")}` : "";
    context.push(`${CLOSED_WORDS[r.status] ?? r.status}${by}${when}`);
    if (r.statusReason) context.push(`Reason: ${mrkdwn(r.statusReason)}`);
  }
  blocks.push({
    type: "context",
    elements: context.map(md),
  });
  const buttons: Block[] = [];
  if (open && r.status !== "quarantined") {
    buttons.push(
      {
        type: "button",
        action_id: APPROVE_ACTION,
        style: "primary",
        text: { type: "plain_text", text: "Approve" },
        value,
      },
      {
        type: "button",
        action_id: REJECT_ACTION,
        style: "danger",
        text: { type: "plain_text", text: "Reject" },
        value,
      },
    );
  }
  buttons.push({
    type: "button",
    action_id: OPEN_ACTION,
    text: { type: "plain_text", text: "Open in Airlock" },
    url: v.link,
  });
  blocks.push({ type: "actions", block_id: `airlock:${r.id}`, elements: buttons });
  const state = open ? `needs approval (${v.have} of ${v.need})` : r.status;
  // The notification's own text (and what a client without blocks shows) is mrkdwn too.
  return {
    text: `${mrkdwn(title)} ${state}: ${mrkdwn(r.actionDescription || r.actionType)} — ${v.link}`,
    blocks,
  };
}

async function messageViewOf(db: Executor, row: RequestRow, baseUrl: string): Promise<MessageView> {
  // The approvals, and the people they and the decision name, at once.
  const [approvals, people] = await Promise.all([
    listApprovals(db, row.id),
    listPeople(db, { ids: [row.decidedBy], approversOf: [row.id] }),
  ]);
  const summary = requestSummary(hitlConfig().ruleSet.policies, row, approvals);
  const emailOf = (id: string | null) => (id === null ? null : (people.get(id)?.email ?? null));
  const approvers: string[] = [];
  for (const a of approvals) {
    const email = emailOf(a.approverId);
    if (email && !approvers.includes(email)) approvers.push(email);
  }
  return {
    row,
    have: summary.approvals.have,
    need: summary.approvals.need,
    awaitedRole: summary.required_role,
    approvers,
    decidedBy: emailOf(row.decidedBy),
    link: `${baseUrl.replace(/\/+$/, "")}/requests/${row.id}`,
  };
}

// --- Delivery (outbox rows of channel "slack") ----------------------------------------------

/** The events that announce a request to Slack (post it, if it has no message yet). */
const ANNOUNCING = new Set(["hitl.approval_requested", "hitl.risk_raised", "hitl.escalated"]);

/** Slack's answers that no retry will change. */
const PERMANENT = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "missing_scope",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "message_not_found",
  "cant_update_message",
  "invalid_blocks",
]);

function failureOf(error: unknown): Extract<DeliveryOutcome, { ok: false }> {
  const e = error as { code?: string; data?: { error?: string }; message?: string };
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? "unknown_error";
    return { ok: false, error: `Slack: ${code}`, permanent: PERMANENT.has(code) };
  }
  return { ok: false, error: `Slack: ${e.message ?? String(error)}` };
}

/**
 * Bring the request's Slack message up to date with the request as it is now (so rows
 * delivered out of order still end with the latest state): post it when an announcing
 * event finds none, update it otherwise.
 */
export async function deliverSlack(
  db: Database,
  row: OutboxRow,
  s: SlackSettings,
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  if (!s.token) return { ok: false, error: "SLACK_BOT_TOKEN is not set", permanent: true };
  if (!row.requestId) return { ok: false, error: "the row has no request", permanent: true };
  const request = await findRequestRow(db, row.requestId);
  if (!request) return { ok: false, error: "the request is gone", permanent: true };
  const client = clientOf(s, timeoutMs);
  const message = await findSlackMessage(db, request.id);
  const rendered = renderMessage(await messageViewOf(db, request, s.baseUrl));
  if (message) {
    try {
      await client.chat.update({ channel: message.channel, ts: message.ts, ...rendered });
    } catch (error) {
      return failureOf(error);
    }
    await touchSlackMessage(db, request.id);
    return { ok: true };
  }
  // Not posted yet: wait for the announcement that is on its way, rather than race it.
  if (await slackPostPending(db, request.id, row.id)) {
    return { ok: false, error: "its announcement is not delivered yet", busy: true };
  }
  // Nothing to update, and nothing to announce: a request closed before Slack heard of it.
  if (!row.eventType || !ANNOUNCING.has(row.eventType)) return { ok: true };
  if (!isOpenStatus(request.status as RequestStatus)) return { ok: true };
  const channel = s.channelFor(request.riskLevel as RiskLevel);
  if (!channel) {
    return {
      ok: false,
      error: `no Slack channel for ${request.riskLevel}: set SLACK_CHANNEL or levels.${request.riskLevel}.slack_channel`,
      permanent: true,
    };
  }
  let posted: { channel?: string; ts?: string };
  try {
    posted = await client.chat.postMessage({ channel, ...rendered, unfurl_links: false });
  } catch (error) {
    return failureOf(error);
  }
  if (!posted.ts) return { ok: false, error: "Slack: chat.postMessage returned no ts" };
  await insertSlackMessage(db, {
    requestId: request.id,
    channel: posted.channel ?? channel,
    ts: posted.ts,
  });
  return { ok: true };
}

// --- Interactions -------------------------------------------------------------------------

/** How old a signed request may be (SPEC §8: five minutes), either way. */
const MAX_SKEW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Slack's `v0` signature of a request, checked in constant time. */
export function verifySlackSignature(
  secret: string,
  headers: { timestamp: string | null; signature: string | null },
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: "missing or malformed X-Slack-Request-Timestamp" };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > MAX_SKEW_SECONDS) {
    return { ok: false, reason: "stale X-Slack-Request-Timestamp (more than 5 minutes off)" };
  }
  if (!signature) return { ok: false, reason: "missing X-Slack-Signature" };
  const expected = Buffer.from(
    `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`,
  );
  const given = Buffer.from(signature);
  // Equal lengths for timingSafeEqual; a wrong length is compared against itself so the
  // answer takes the same time.
  const same =
    given.length === expected.length
      ? timingSafeEqual(given, expected)
      : !timingSafeEqual(expected, expected);
  return same ? { ok: true } : { ok: false, reason: "bad X-Slack-Signature" };
}

const slackUser = z.object({ id: z.string().min(1).max(64) });
const blockActions = z.object({
  type: z.literal("block_actions"),
  user: slackUser,
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().max(2000).optional() }))
    .min(1),
});
const viewSubmission = z.object({
  type: z.literal("view_submission"),
  user: slackUser,
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string().max(3000),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))),
    }),
  }),
});
const payloadSchema = z.union([
  blockActions,
  viewSubmission,
  z.object({ type: z.string() }).loose(),
]);

const modalMetadata = z.object({
  r: z.uuid(),
  s: z.string(),
  d: z.enum(["approve", "reject"]),
  c: z.string().optional(),
});

export interface InteractionAnswer {
  status: number;
  body: unknown;
  /** What to tell Slack after answering (a modal, an ephemeral note); never throws. */
  followUp: () => Promise<void>;
}

const nothing = async () => {};
const answer = (status: number, body: unknown, followUp = nothing): InteractionAnswer => ({
  status,
  body,
  followUp,
});

/** Slack's deadline for a trigger_id (3 s from the click) bounds every follow-up call. */
const FOLLOW_UP_TIMEOUT_MS = 2500;

export async function handleSlackInteraction(
  db: Database,
  request: { rawBody: string; timestamp: string | null; signature: string | null },
  s: SlackSettings = slackSettings(),
  nowSeconds?: number,
): Promise<InteractionAnswer> {
  if (!s.signingSecret || !s.token) {
    return answer(404, { error: { code: "not_found", message: "Slack approvals are not set up" } });
  }
  const check = verifySlackSignature(s.signingSecret, request, request.rawBody, nowSeconds);
  if (!check.ok) {
    log().warn({ reason: check.reason }, "slack interaction refused");
    return answer(401, { error: { code: "unauthorized", message: check.reason } });
  }
  let payload: z.infer<typeof payloadSchema>;
  try {
    const raw = new URLSearchParams(request.rawBody).get("payload");
    payload = payloadSchema.parse(JSON.parse(raw ?? ""));
  } catch {
    return answer(400, {
      error: { code: "invalid", message: "payload: expected Slack's form field with JSON" },
    });
  }
  const client = clientOf(s, FOLLOW_UP_TIMEOUT_MS);
  const safely = (what: string, call: () => Promise<unknown>) => async () => {
    try {
      await call();
    } catch (error) {
      log().warn({ err: failureOf(error).error, what }, "slack follow-up failed");
    }
  };
  const tell = (channel: string | undefined, user: string, text: string) =>
    channel
      ? safely("chat.postEphemeral", () => client.chat.postEphemeral({ channel, user, text }))
      : nothing;

  if (payload.type === "block_actions") {
    const p = blockActions.parse(payload);
    const action = p.actions[0];
    const channel = p.channel?.id ?? p.container?.channel_id;
    if (!action || (action.action_id !== APPROVE_ACTION && action.action_id !== REJECT_ACTION)) {
      return answer(200, null); // the link button, or another app's
    }
    const decision = action.action_id === APPROVE_ACTION ? "approve" : "reject";
    const [requestId, stamp] = (action.value ?? "").split(":");
    const target = await clickTarget(db, p.user.id, requestId, stamp, s);
    if (!target.ok) return answer(200, null, tellAndRefresh(target, channel, p.user.id));
    const { principal, row } = target;
    // Only what this person may do now opens a modal or counts (the same verdict as the queue).
    const detail = await getRequestDetail(db, principal, row.id);
    if (!detail.actionable && decision === "approve") {
      return answer(
        200,
        null,
        tell(channel, p.user.id, refusal(detail.not_actionable_reason ?? "you may not approve it")),
      );
    }
    if (decision === "reject") {
      const role = (await findUserById(db, principal.userId))?.role as Role | undefined;
      const level = row.riskLevel as RiskLevel;
      if (!role || !can(hitlConfig().ruleSet.policies, role, "reject", level)) {
        const who = role ? `a ${role.replace("_", " ")}` : "an unknown user";
        return answer(
          200,
          null,
          tell(channel, p.user.id, refusal(`${who} may not reject ${level}-risk requests`)),
        );
      }
    }
    if (decision === "reject" || row.requiresJustification) {
      if (!p.trigger_id) return answer(400, { error: { code: "invalid", message: "trigger_id" } });
      const view = modalOf(row, decision, stamp as string, channel);
      const trigger = p.trigger_id;
      return answer(
        200,
        null,
        safely("views.open", () => client.views.open({ trigger_id: trigger, view })),
      );
    }
    const outcome = await decideAs(db, principal, row.id, {
      type: "approve",
      seen_hash: row.contentHash,
    });
    return answer(200, null, tell(channel, p.user.id, outcome.message));
  }

  if (payload.type === "view_submission") {
    const p = viewSubmission.parse(payload);
    if (p.view.callback_id !== MODAL_CALLBACK) return answer(200, null);
    let meta: z.infer<typeof modalMetadata>;
    try {
      meta = modalMetadata.parse(JSON.parse(p.view.private_metadata));
    } catch {
      return answer(400, { error: { code: "invalid", message: "private_metadata" } });
    }
    const reason = p.view.state.values[REASON_BLOCK]?.[REASON_INPUT]?.value?.trim() ?? "";
    const target = await clickTarget(db, p.user.id, meta.r, meta.s, s);
    if (!target.ok) return modalError(target.message);
    if (meta.d === "reject" && reason.length === 0) {
      return modalError("A reason is required to reject");
    }
    const outcome = await decideAs(
      db,
      target.principal,
      target.row.id,
      meta.d === "reject"
        ? { type: "reject", reason }
        : {
            type: "approve",
            justification: reason || undefined,
            seen_hash: target.row.contentHash,
          },
    );
    if (!outcome.ok) return modalError(outcome.message);
    return answer(200, null, tell(meta.c, p.user.id, outcome.message));
  }
  return answer(200, null);

  function tellAndRefresh(
    refused: Extract<ClickTarget, { ok: false }>,
    channel: string | undefined,
    user: string,
  ) {
    const note = tell(channel, user, refusal(refused.message));
    if (!refused.row) return note;
    const row = refused.row;
    // A stale button: bring its message up to date, so the next click is on what is true.
    return async () => {
      await note();
      const message = await findSlackMessage(db, row.id);
      if (!message) return;
      const rendered = renderMessage(await messageViewOf(db, row, s.baseUrl));
      await safely("chat.update", () =>
        client.chat.update({ channel: message.channel, ts: message.ts, ...rendered }),
      )();
    };
  }
}

const refusal = (message: string) => `:warning: Not done: ${message}`;

function modalError(message: string): InteractionAnswer {
  return answer(200, { response_action: "errors", errors: { [REASON_BLOCK]: message } });
}

type ClickTarget =
  | { ok: true; principal: UserPrincipal; row: RequestRow }
  | { ok: false; message: string; row?: RequestRow };

/** The linked person and the request a click names, unless the click is stale. */
async function clickTarget(
  db: Database,
  slackUserId: string,
  requestId: string | undefined,
  stamp: string | undefined,
  s: SlackSettings,
): Promise<ClickTarget> {
  const link = await findSlackLink(db, slackUserId);
  if (!link) {
    return {
      ok: false,
      message: `your Slack account is not linked to an Airlock user. An operator links it with \`hitl users link-slack --email YOU --slack-user ${slackUserId}\`; until then, decide in Airlock.`,
    };
  }
  const parsed = z.uuid().safeParse(requestId);
  const row = parsed.success ? await findRequestRow(db, parsed.data) : undefined;
  if (!row) return { ok: false, message: "this request does not exist" };
  if (stamp !== slackStamp(row)) {
    const closed = !isOpenStatus(row.status as RequestStatus);
    return {
      ok: false,
      row,
      message: closed
        ? `this request is already ${row.status}; the message was out of date (it is refreshed now). ${s.baseUrl.replace(/\/+$/, "")}/requests/${row.id}`
        : "the request changed since this message was posted (it was edited); the message is refreshed now: look again before you decide",
    };
  }
  return {
    ok: true,
    principal: { kind: "user", userId: link.userId, via: { channel: "slack" } },
    row,
  };
}

/** The decision through the one service, as the person; its refusal in words. */
async function decideAs(
  db: Database,
  principal: UserPrincipal,
  requestId: string,
  command:
    | { type: "approve"; justification?: string; seen_hash: string }
    | { type: "reject"; reason: string },
): Promise<{ ok: boolean; message: string }> {
  try {
    const done = await decideRequest(db, principal, requestId, command);
    const what =
      done.status === "approved"
        ? ":white_check_mark: Approved."
        : done.status === "rejected"
          ? ":no_entry: Rejected; the agent is told your reason."
          : `Your approval is recorded: ${done.approvals.have} of ${done.approvals.need}.`;
    return { ok: true, message: `${what} ${mrkdwn(done.action.type)} (${done.risk.level})` };
  } catch (error) {
    if (isServiceError(error) && error.code !== "internal" && error.code !== "unavailable") {
      return { ok: false, message: error.message };
    }
    log().error({ err: error }, "slack decision failed");
    return { ok: false, message: "Airlock could not record it; try again in the browser" };
  }
}

const REASON_BLOCK = "airlock_reason";
const REASON_INPUT = "reason";

function modalOf(
  row: RequestRow,
  decision: "approve" | "reject",
  stamp: string,
  channel: string | undefined,
) {
  const approve = decision === "approve";
  return {
    type: "modal" as const,
    callback_id: MODAL_CALLBACK,
    private_metadata: JSON.stringify({ r: row.id, s: stamp, d: decision, c: channel }),
    title: { type: "plain_text" as const, text: approve ? "Approve" : "Reject" },
    submit: { type: "plain_text" as const, text: approve ? "Approve" : "Reject" },
    close: { type: "plain_text" as const, text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: md(
          `*${mrkdwn(row.riskLevel.toUpperCase())}: ${mrkdwn(row.actionType)}*\n${mrkdwn(row.actionDescription || "(no description)")}`,
        ),
      },
      {
        type: "input",
        block_id: REASON_BLOCK,
        label: {
          type: "plain_text",
          text: approve ? "Justification (required at this level)" : "Reason (sent to the agent)",
        },
        element: {
          type: "plain_text_input",
          action_id: REASON_INPUT,
          multiline: true,
          max_length: 3000,
        },
      },
    ],
  };
}

// --- Linking people -----------------------------------------------------------------------

const linkInput = z.object({
  email: z.email({ error: "expected an email address" }).transform((e) => e.toLowerCase()),
  slack_user: z
    .string({ error: "expected a Slack user id" })
    .regex(/^[UW][A-Z0-9]{2,20}$/, "expected a Slack user id (U… or W…, as Slack shows it)"),
});

/** The operator links a Slack user to an Airlock user: their clicks then act as that user. */
export async function linkSlackUser(
  db: Database,
  principal: Principal,
  input: { email?: string; slack_user?: string },
): Promise<{ email: string; user_id: string; slack_user: string; replaced: string | null }> {
  requireOperator(principal, "link Slack users");
  const data = parseInput(linkInput, input);
  return db.transaction(async (tx) => {
    const user = await findUserByEmail(tx, data.email);
    if (!user) {
      throw new ServiceError("not_found", `No user with email ${data.email}`, [
        { path: "email", message: "no user has this email" },
      ]);
    }
    const { previousUserId } = await upsertSlackLink(tx, data.slack_user, user.id);
    const replaced = previousUserId
      ? ((await findUserById(tx, previousUserId))?.email ?? null)
      : null;
    await appendAuditEvents(tx, [
      {
        ...auditActor(principal),
        type: "user.slack_linked",
        payload: {
          user_id: user.id,
          email: user.email,
          provider: SLACK_PROVIDER,
          slack_user: data.slack_user,
          replaced,
        },
      },
    ]);
    return { email: user.email, user_id: user.id, slack_user: data.slack_user, replaced };
  });
}
