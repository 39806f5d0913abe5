// The operator CLI's commands. Each calls a service as the operator (the OS user running it,
// recorded in the audit); decisions act as the person named by --as, with that person's role.
import os from "node:os";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { DbHandle } from "@/db/client";
import type { RequestSummaryDto, WorkflowStatusDto } from "@/lib/contract/api";
import { channelWords, personWords, viaWords } from "@/lib/contract/tasks";
import { type Command as DecisionCommand, OPEN_STATUSES } from "@/lib/hitl";
import {
  createApiKey,
  listApiKeys,
  MAX_KEY_LIFETIME_SECONDS,
  revokeApiKey,
} from "@/lib/services/accounts/keys";
import {
  actAs,
  addUser,
  disableUser,
  enableUser,
  listUsers,
  setUserRole,
} from "@/lib/services/accounts/users";
import { verifyAuditLog } from "@/lib/services/audit/audit";
import { linkSlackUser } from "@/lib/services/integrations/slack";
import {
  listOutbox,
  OUTBOX_LIST_MAX,
  OUTBOX_STATUSES,
  type OutboxEntryDto,
  retryOutbox,
} from "@/lib/services/outbox-admin";
import { operator } from "@/lib/services/principal";
import { expireCheckpoints } from "@/lib/services/requests/checkpoints";
import { decideRequest, sweepDueRequests } from "@/lib/services/requests/lifecycle";
import { getQueue, getWorkflowStatus } from "@/lib/services/requests/queue";
import { parseDuration } from "./duration";
import { CliError, table } from "./output";

export interface CommandContext {
  db(): Promise<DbHandle>;
  out(text: string): void;
}

/** The operator, named after the OS user, so the audit says who ran the CLI. */
const OS_USER = os.userInfo().username;
const OPERATOR = operator(`cli:${OS_USER}`, OS_USER);

interface Command {
  summary: string;
  run(args: string[], ctx: CommandContext): Promise<void>;
}

type OptionSpec = Record<string, { type: "string" | "boolean" }>;

function parse<O extends OptionSpec>(args: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, json: { type: "boolean" } },
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals) {
      throw new CliError(`unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message);
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.length === 0) throw new CliError(`${flag} is required`);
  return value;
}

const print = (ctx: CommandContext, json: boolean | undefined, data: unknown, human: string) =>
  ctx.out(json ? JSON.stringify(data, null, 2) : human);

export const COMMANDS: Record<string, Command> = {
  "init-db": {
    summary: "apply the database migrations (idempotent)",
    async run(args, ctx) {
      const { values } = parse(args, {});
      const handle = await ctx.db();
      await handle.migrate();
      print(
        ctx,
        values.json,
        { ok: true, database: handle.kind },
        `Database is up to date (${handle.kind}).`,
      );
    },
  },
  users: {
    summary:
      "users add --email E --role R [--password P] [--name N] | users list | users set-role --email E --role R | users disable --email E | users enable --email E | users link-slack --email E --slack-user U…",
    async run(args, ctx) {
      const [sub, ...rest] = args;
      const { db } = await ctx.db();
      if (sub === "add") {
        const { values } = parse(rest, {
          email: { type: "string" },
          role: { type: "string" },
          password: { type: "string" },
          name: { type: "string" },
        });
        const user = await addUser(db, OPERATOR, {
          email: required(values.email, "--email"),
          role: required(values.role, "--role"),
          password: values.password,
          name: values.name,
        });
        print(
          ctx,
          values.json,
          { id: user.id, email: user.email, role: user.role },
          `Added ${user.email} (${user.role}), id ${user.id}`,
        );
      } else if (sub === "list") {
        const { values } = parse(rest, {});
        const users = await listUsers(db, OPERATOR);
        const rows = users.map((u) => ({
          ...u,
          disabled: u.disabled_at ? `${u.disabled_at} (${u.disabled_by})` : null,
        }));
        print(ctx, values.json, users, table(rows, ["id", "email", "role", "name", "disabled"]));
      } else if (sub === "set-role") {
        const { values } = parse(rest, { email: { type: "string" }, role: { type: "string" } });
        const user = await setUserRole(db, OPERATOR, {
          email: required(values.email, "--email"),
          role: required(values.role, "--role"),
        });
        print(ctx, values.json, user, `${user.email} is now ${user.role}`);
      } else if (sub === "disable") {
        const { values } = parse(rest, { email: { type: "string" } });
        const user = await disableUser(db, OPERATOR, { email: required(values.email, "--email") });
        print(
          ctx,
          values.json,
          user,
          `Disabled ${user.email} at ${user.disabled_at}: their sessions, server actions, event streams and reviewer keys are refused from their next request.`,
        );
      } else if (sub === "enable") {
        const { values } = parse(rest, { email: { type: "string" } });
        const user = await enableUser(db, OPERATOR, { email: required(values.email, "--email") });
        print(ctx, values.json, user, `Enabled ${user.email} (${user.role})`);
      } else if (sub === "link-slack") {
        const { values } = parse(rest, {
          email: { type: "string" },
          "slack-user": { type: "string" },
        });
        const linked = await linkSlackUser(db, OPERATOR, {
          email: required(values.email, "--email"),
          slack_user: required(values["slack-user"], "--slack-user"),
        });
        print(
          ctx,
          values.json,
          linked,
          `Slack user ${linked.slack_user} now acts as ${linked.email}${linked.replaced ? ` (was ${linked.replaced})` : ""}`,
        );
      } else {
        throw new CliError(
          'expected "users add", "users list", "users set-role", "users disable", "users enable" or "users link-slack"',
        );
      }
    },
  },
  keys: {
    summary:
      "keys create --agent NAME --owner EMAIL | keys create --user EMAIL [--expires-in 90m|12h|30d] | keys list | keys revoke ID — --owner is required: four-eyes keeps the owner from approving what the key submits",
    async run(args, ctx) {
      const [sub, ...rest] = args;
      const { db } = await ctx.db();
      if (sub === "create") {
        const { values } = parse(rest, {
          agent: { type: "string" },
          owner: { type: "string" },
          user: { type: "string" },
          "expires-in": { type: "string" },
        });
        if (Boolean(values.agent) === Boolean(values.user)) {
          throw new CliError("give exactly one of --agent NAME or --user EMAIL");
        }
        if (values.user && values.owner) throw new CliError("--owner goes with --agent");
        if (values.agent && values["expires-in"] !== undefined) {
          throw new CliError(
            "--expires-in goes with --user: agent keys do not expire (revoke them instead)",
          );
        }
        let expiresIn: number | undefined;
        if (values["expires-in"] !== undefined) {
          const duration = parseDuration(
            values["expires-in"],
            "--expires-in",
            MAX_KEY_LIFETIME_SECONDS,
          );
          if (!duration.ok) throw new CliError(duration.problem);
          expiresIn = duration.seconds;
        }
        if (values.agent && !values.owner) {
          throw new CliError(
            "--owner EMAIL is required with --agent: the owner is the person four-eyes keeps from approving what the key submits",
          );
        }
        const created = await createApiKey(
          db,
          OPERATOR,
          values.agent
            ? { agent: values.agent, owner: values.owner }
            : { user: values.user as string, expires_in_seconds: expiresIn },
        );
        const json = {
          id: created.id,
          key: created.key,
          ...(created.webhook_secret ? { webhook_secret: created.webhook_secret } : {}),
          ...(created.expires_at ? { expires_at: created.expires_at } : {}),
        };
        const human = [
          `Created ${created.scope} key ${created.id} for ${created.name}. It is shown once; store it now:`,
          `  key:            ${created.key}`,
          ...(created.webhook_secret ? [`  webhook secret: ${created.webhook_secret}`] : []),
          ...(created.expires_at ? [`  expires:        ${created.expires_at}`] : []),
        ].join("\n");
        print(ctx, values.json, json, human);
      } else if (sub === "list") {
        const { values } = parse(rest, {});
        const keys = await listApiKeys(db, OPERATOR);
        print(
          ctx,
          values.json,
          keys,
          table(keys, [
            "id",
            "scope",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
            "expires_at",
          ]),
        );
      } else if (sub === "revoke") {
        const { values, positionals } = parse(rest, {}, 1);
        const key = await revokeApiKey(db, OPERATOR, required(positionals[0], "the key ID"));
        print(
          ctx,
          values.json,
          { id: key.id, revoked_at: key.revoked_at },
          `Revoked key ${key.id} (${key.name})`,
        );
      } else {
        throw new CliError('expected "keys create", "keys list" or "keys revoke"');
      }
    },
  },
};

/** A decision command acting as the named user, with that user's current role. */
function decisionCommand(
  verb: "approve" | "reject" | "escalate" | "quarantine" | "release",
  needsReason: boolean,
): Command {
  const flags =
    verb === "approve" ? "--justification TEXT" : needsReason ? "--reason TEXT" : "[--reason TEXT]";
  return {
    summary: `${verb} ID --as EMAIL ${verb === "approve" ? `[${flags}]` : flags}`,
    async run(args, ctx) {
      const { values, positionals } = parse(
        args,
        { as: { type: "string" }, reason: { type: "string" }, justification: { type: "string" } },
        1,
      );
      const id = required(positionals[0], "the request ID");
      const as = required(values.as, "--as");
      if (!z.email().safeParse(as.trim().toLowerCase()).success) {
        throw new CliError("--as: expected an email address");
      }
      if (needsReason) required(values.reason, "--reason");
      const { db } = await ctx.db();
      const person = await actAs(db, OPERATOR, as).catch((error: unknown) => {
        throw new CliError(`--as: ${(error as Error).message.replace(/^No/, "no")}`, 1);
      });
      const command: DecisionCommand =
        verb === "approve"
          ? { type: "approve", justification: values.justification }
          : verb === "reject"
            ? { type: "reject", reason: values.reason ?? "" }
            : verb === "quarantine"
              ? { type: "quarantine", reason: values.reason ?? "" }
              : { type: verb, reason: values.reason };
      const request = await decideRequest(db, person, id, command);
      print(
        ctx,
        values.json,
        {
          id: request.id,
          status: request.status,
          escalated_to: request.escalated_to,
          approvals: request.approvals,
        },
        `Request ${request.id} is now ${request.status}${request.escalated_to ? ` (waiting for ${request.escalated_to})` : ""}` +
          (request.status === "pending" || request.status === "escalated"
            ? `, ${request.approvals.have} of ${request.approvals.need} approvals`
            : ""),
      );
    },
  };
}

function until(iso: string): string {
  const ms = Date.parse(iso) - Date.now();
  if (ms <= 0) return "overdue";
  const minutes = Math.floor(ms / 60_000);
  return minutes >= 60
    ? `${Math.floor(minutes / 60)}h${minutes % 60}m`
    : `${minutes}m${Math.floor((ms % 60_000) / 1000)}s`;
}

const queueRow = (r: RequestSummaryDto) => ({
  id: r.id,
  risk: r.risk.level,
  status: r.status,
  action: [r.action.type, r.action.environment].filter(Boolean).join(" @ "),
  agent: r.agent_name,
  workflow: r.workflow_id,
  approvals: `${r.approvals.have}/${r.approvals.need}`,
  role: r.required_role,
  expires:
    r.status === "pending" || r.status === "escalated" || r.status === "quarantined"
      ? until(r.expires_at)
      : "-",
});

COMMANDS["list-pending"] = {
  summary:
    "list-pending [--as EMAIL] [--status pending|escalated|quarantined] [--limit N] — with --as, only what that person may approve",
  async run(args, ctx) {
    const { values } = parse(args, {
      as: { type: "string" },
      status: { type: "string" },
      limit: { type: "string" },
    });
    const status = values.status ? z.enum(OPEN_STATUSES).safeParse(values.status) : undefined;
    if (status && !status.success)
      throw new CliError(`--status: expected one of ${OPEN_STATUSES.join(", ")}`);
    const limit = values.limit ? Number(values.limit) : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 200)
      throw new CliError("--limit: a whole number from 1 to 200");
    const { db } = await ctx.db();
    const reader = values.as
      ? await actAs(db, OPERATOR, values.as).catch((error: unknown) => {
          throw new CliError(`--as: ${(error as Error).message.replace(/^No/, "no")}`, 1);
        })
      : OPERATOR;
    const queue = await getQueue(db, reader, {
      status: status?.data,
      limit,
      actionable: values.as ? "true" : "false",
    });
    print(
      ctx,
      values.json,
      queue.items,
      table(queue.items.map(queueRow), [
        "id",
        "risk",
        "status",
        "action",
        "agent",
        "workflow",
        "approvals",
        "role",
        "expires",
      ]),
    );
  },
};
for (const [verb, needsReason] of [
  ["approve", false],
  ["reject", true],
  ["escalate", false],
  ["quarantine", true],
  ["release", false],
] as const) {
  COMMANDS[verb] = decisionCommand(verb, needsReason);
}
COMMANDS.status = {
  summary:
    "status WORKFLOW_ID — a workflow's counts, first requests (who approved and decided each, and how) and latest events",
  async run(args, ctx) {
    const { values, positionals } = parse(args, {}, 1);
    const { db } = await ctx.db();
    const status = await getWorkflowStatus(
      db,
      OPERATOR,
      required(positionals[0], "the workflow ID"),
    );
    const counts = Object.entries(status.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    const { totals } = status;
    // The first page of each list (the oldest requests, the latest events): a line says so
    // when there are more; --json carries the totals and each list's cursor.
    const human = [
      `Workflow ${status.workflow_id}: ${counts}`,
      `Started ${status.started_at ?? "-"}, last activity ${status.last_activity_at ?? "-"}`,
      "",
      table(
        status.requests.map((r) => ({
          ...queueRow(r),
          decided_by: r.decider
            ? `${personWords(r.decider)}${r.decided_via ? ` ${viaWords(r.decided_via)}` : ""}`
            : "-",
        })),
        ["id", "risk", "status", "action", "agent", "approvals", "decided_by"],
      ),
      ...showing(status.requests.length, totals.requests, "requests"),
      table(approvalRows(status), ["request", "approver", "role", "via", "at", "counts"]),
      table(
        status.events.map((e) => ({
          seq: e.seq ?? "-",
          at: e.at,
          event: e.type,
          actor: e.person
            ? personWords(e.person)
            : `${e.actor_type}${e.actor_id ? `:${e.actor_id.slice(0, 8)}` : ""}`,
          request: e.request_id?.slice(0, 8) ?? "-",
        })),
        ["seq", "at", "event", "actor", "request"],
      ),
      ...showing(status.events.length, totals.events, "events", "the latest "),
    ].join("\n");
    print(ctx, values.json, status, human);
  },
};

/** Said under a list the answer holds only the first page of (SPEC §8.1: at most 100 a page). */
function showing(shown: number, total: number, what: string, which = ""): string[] {
  return shown < total
    ? [
        `Showing ${which}${shown} of ${total} ${what}; the dashboard's workflow page pages through them.\n`,
      ]
    : [];
}

/** Every approval of a workflow's requests, by whom and how. */
function approvalRows(status: WorkflowStatusDto) {
  return status.requests.flatMap((r) =>
    r.approvals_given.map((a) => ({
      request: r.id.slice(0, 8),
      approver: personWords(a.approver),
      role: a.role,
      via: a.via ? channelWords(a.via) : "-",
      at: a.at,
      counts: a.counts ? "yes" : "no (edited since)",
    })),
  );
}

COMMANDS["clean-expired"] = {
  summary: "expire and auto-escalate what is due now (the app's sweeper does this every second)",
  async run(args, ctx) {
    const { values } = parse(args, {});
    const { db } = await ctx.db();
    const swept = await sweepDueRequests(db, OPERATOR);
    const checkpoints = await expireCheckpoints(db, OPERATOR);
    const result = { ...swept, checkpoints_expired: checkpoints };
    print(
      ctx,
      values.json,
      result,
      `Expired ${swept.expired} request(s), escalated ${swept.escalated}, expired ${checkpoints} checkpoint(s).`,
    );
  },
};
COMMANDS.audit = {
  summary: "audit verify — check the whole hash chain and name the first broken link",
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub !== "verify") throw new CliError('expected "audit verify"');
    const { values } = parse(rest, {});
    const { db } = await ctx.db();
    const result = await verifyAuditLog(db, OPERATOR);
    print(
      ctx,
      values.json,
      result,
      [
        result.ok
          ? `Audit chain intact: ${result.count} event(s) verified.`
          : `Audit chain BROKEN at event ${result.break.seq} (${result.break.kind}): ${result.break.message}`,
        result.unsealed.count > 0
          ? `${result.unsealed.count} newer event(s) not yet sealed; the oldest has waited ${result.unsealed.lag_seconds.toFixed(1)} s.`
          : "No event waits to be sealed.",
      ].join("\n"),
    );
    if (!result.ok) throw new CliError("the audit chain does not verify", 1);
  },
};

const ERROR_SHOWN = 60;

const outboxRow = (e: OutboxEntryDto) => ({
  id: e.id,
  kind: e.kind,
  event: e.event,
  target: e.target,
  status: e.status,
  attempts: e.attempts,
  next_attempt: e.status === "pending" ? e.next_attempt_at : "-",
  last_error:
    e.last_error && e.last_error.length > ERROR_SHOWN
      ? `${e.last_error.slice(0, ERROR_SHOWN - 1)}…`
      : e.last_error,
});
const OUTBOX_COLUMNS = [
  "id",
  "kind",
  "event",
  "target",
  "status",
  "attempts",
  "next_attempt",
  "last_error",
];

COMMANDS.outbox = {
  summary: `outbox list [--status ${OUTBOX_STATUSES.join("|")}] [--limit N] | outbox retry ID… | outbox retry --dead`,
  async run(args, ctx) {
    const [sub, ...rest] = args;
    if (sub === "list") {
      const { values } = parse(rest, { status: { type: "string" }, limit: { type: "string" } });
      const status = values.status ? z.enum(OUTBOX_STATUSES).safeParse(values.status) : undefined;
      if (status && !status.success) {
        throw new CliError(`--status: expected one of ${OUTBOX_STATUSES.join(", ")}`);
      }
      const limit = values.limit ? Number(values.limit) : 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > OUTBOX_LIST_MAX) {
        throw new CliError(`--limit: a whole number from 1 to ${OUTBOX_LIST_MAX}`);
      }
      const { db } = await ctx.db();
      const entries = await listOutbox(db, OPERATOR, { status: status?.data, limit });
      print(ctx, values.json, entries, table(entries.map(outboxRow), OUTBOX_COLUMNS));
    } else if (sub === "retry") {
      const { values, positionals } = parse(
        rest,
        { dead: { type: "boolean" } },
        Number.POSITIVE_INFINITY,
      );
      if (values.dead && positionals.length > 0) {
        throw new CliError("give the row IDs or --dead, not both");
      }
      if (!values.dead && positionals.length === 0) {
        throw new CliError("give the IDs of dead rows to retry, or --dead for all of them");
      }
      const bad = positionals.find((id) => !z.uuid().safeParse(id).success);
      if (bad !== undefined) throw new CliError(`"${bad}" is not an outbox row id (a uuid)`);
      const { db } = await ctx.db();
      const retried = await retryOutbox(
        db,
        OPERATOR,
        values.dead ? { dead: true } : { ids: positionals },
      );
      print(
        ctx,
        values.json,
        retried,
        retried.length === 0
          ? "No dead rows to retry."
          : `Retrying ${retried.length} row(s) now: ${retried.map((e) => e.id).join(", ")}`,
      );
    } else {
      throw new CliError('expected "outbox list" or "outbox retry"');
    }
  },
};

// MCP speaks over stdout, so this command prints nothing of its own there, and it needs no
// database: it talks to Airlock over HTTP with an agent key, like any agent.
COMMANDS.mcp = {
  summary:
    "mcp serve — the approval_prompt tool over stdio | mcp proxy -- CMD [ARGS…] — gate an MCP server's tool calls",
  async run(args) {
    // The SDK's MCP server, loaded here: the other commands need none of the MCP SDK.
    const { runMcp, McpUsageError } = await import("@airlock/sdk/mcp");
    try {
      await runMcp(args, process.env);
    } catch (error) {
      if (error instanceof McpUsageError) throw new CliError(error.message);
      throw error;
    }
  },
};

export function usage(width = 80): string {
  const pad = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  const indent = " ".repeat(2 + pad);
  const room = width - indent.length;
  const lines = Object.entries(COMMANDS).flatMap(([name, c]) => {
    // Wrap between the alternatives of a summary ("a | b"), and between words only inside an
    // alternative that is too long for a line of its own.
    const alternatives = c.summary.split(" | ");
    const units = alternatives.flatMap((alt, i) => {
      const unit = i < alternatives.length - 1 ? `${alt} |` : alt;
      return unit.length > room ? unit.split(" ") : [unit];
    });
    const rows: string[] = [];
    for (const unit of units) {
      const last = rows.length - 1;
      if (last >= 0 && `${rows[last]} ${unit}`.length <= room) rows[last] = `${rows[last]} ${unit}`;
      else rows.push(unit);
    }
    return rows.map((text, i) => (i === 0 ? `  ${name.padEnd(pad)}${text}` : `${indent}${text}`));
  });
  return `Usage: npm run --silent hitl -- <command> [options] [--json]\n\nCommands:\n${lines.join("\n")}\n`;
}
