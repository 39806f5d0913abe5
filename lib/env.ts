// Every environment variable Airlock reads, parsed once with zod. Nothing else reads
// process.env directly, so a typo in a variable is a start-up error, not a silent default.
import path from "node:path";
import { z } from "zod";
import { DEFAULT_ALLOWED_HOSTS, parseOutboundPolicy, urlProblem } from "@/lib/net/outbound";

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], {
      error: "expected true or false",
    })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1" || v === "yes"));

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

/** A comma-separated list, each item checked by `item`. */
const list = <T extends z.ZodType<string>>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    z.array(item),
  );

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  // How much the JSON logs on stderr say.
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  ),
  // A file the JSON logs are appended to instead of stderr (created with its folder).
  LOG_FILE: z.preprocess(emptyToUndefined, z.string().optional()),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
      .optional(),
  ),
  AIRLOCK_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default(".data")),
  AIRLOCK_MIGRATIONS_DIR: z.preprocess(emptyToUndefined, z.string().default("drizzle")),
  HITL_CONFIG_DIR: z.preprocess(emptyToUndefined, z.string().default("config/hitl")),
  HITL_DEFAULT_RISK_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(["low", "medium", "high", "critical"]).default("medium"),
  ),
  HITL_AUTO_APPROVE_LOW_RISK: bool(true),
  HITL_DEFAULT_REQUIRES_APPROVAL: bool(true),
  // A runaway agent cannot flood the queue: open requests per agent key.
  HITL_MAX_OPEN_PER_AGENT: z.coerce.number().int().positive().default(500),
  // Nor flood the server (SPEC §8.1): submits per agent key per minute, per instance (0: no
  // limit), and each request's checkpoints, by count and by bytes of data in all.
  HITL_MAX_SUBMITS_PER_KEY_PER_MINUTE: z.coerce.number().int().nonnegative().default(1200),
  HITL_MAX_CHECKPOINTS_PER_REQUEST: z.coerce.number().int().positive().default(100),
  HITL_MAX_CHECKPOINT_BYTES_PER_REQUEST: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
  // Open event streams and ?wait= long polls per API key (per person for reviewer keys, and
  // for dashboard sessions), per instance; and how often each re-checks its caller (SPEC
  // §8.1: a revoked key, disabled person or lost role ends it within 5 s).
  HITL_MAX_STREAMS_PER_KEY: z.coerce.number().int().positive().default(100),
  HITL_STREAM_RECHECK_MS: z.coerce.number().int().positive().max(5000).default(4000),
  HITL_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  // The outbox worker: how often it looks for due deliveries, how many attempts a delivery
  // gets before it is dead, the first retry's backoff (doubling, with jitter) and the
  // deadline of each HTTP call.
  HITL_OUTBOX_INTERVAL_MS: z.coerce.number().int().positive().default(500),
  // false: this instance takes requests and decisions but runs no outbox worker (graph drives,
  // callbacks, notifications) nor the recovery of undriven graphs: the instances that run
  // them deliver its rows, woken by their commits.
  HITL_OUTBOX_WORKER: bool(true),
  HITL_OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().positive().max(100).default(8),
  HITL_OUTBOX_BACKOFF_MS: z.coerce.number().int().nonnegative().default(1000),
  HITL_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(5000),
  // Where callbacks and notification webhooks may go (SPEC §8.1, lib/net/outbound.ts):
  // external, loopback, private, *, CIDRs and host globs; public addresses only by default.
  HITL_CALLBACK_ALLOWED_HOSTS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default(DEFAULT_ALLOWED_HOSTS)
      .transform((v, ctx) => {
        try {
          return parseOutboundPolicy(v);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
          return z.NEVER;
        }
      }),
  ),
  // How often the audit sealer links new events into the hash chain (SPEC §8: within 1 s).
  HITL_SEAL_INTERVAL_MS: z.coerce.number().int().positive().max(1000).default(250),
  // Notifications (SPEC §8) of the channels a risk level lists: signed webhooks to these URLs
  // (JSON, or Slack-compatible), and email through SMTP to the people who may decide (and to
  // HITL_NOTIFY_EMAIL_TO). A channel left unconfigured sends nothing.
  HITL_NOTIFY_WEBHOOK_URLS: list(z.url({ protocol: /^https?$/, error: "expected http(s) URLs" })),
  HITL_NOTIFY_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  HITL_NOTIFY_WEBHOOK_FORMAT: z.preprocess(
    emptyToUndefined,
    z.enum(["json", "slack"]).default("json"),
  ),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^smtps?:\/\/[^/\s]+/, "expected smtp://[user:password@]host[:port] or smtps://…")
      .optional(),
  ),
  HITL_NOTIFY_EMAIL_FROM: z.preprocess(
    emptyToUndefined,
    z.string().default("Airlock <airlock@localhost>"),
  ),
  HITL_NOTIFY_EMAIL_TO: list(z.email({ error: "expected email addresses" })),
  // Slack approvals (SPEC §8): a bot token posts each new request with approve / reject
  // buttons to its level's channel (`slack_channel` in the config, else SLACK_CHANNEL); the
  // signing secret verifies the clicks Slack sends to /api/integrations/slack/interactions.
  // SLACK_API_URL is the Web API's base URL (a local stub in tests).
  SLACK_BOT_TOKEN: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
  SLACK_SIGNING_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  SLACK_CHANNEL: z.preprocess(emptyToUndefined, z.string().max(80).optional()),
  SLACK_API_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
      .default("https://slack.com/api/"),
  ),
  // When set, /api/metrics answers only `Authorization: Bearer <this token>` (a scraper).
  HITL_METRICS_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  NEXTAUTH_SECRET: z.preprocess(emptyToUndefined, z.string().min(16).optional()),
  NEXTAUTH_URL: z.preprocess(emptyToUndefined, z.url().optional()),
  // How many reverse proxies stand in front of Airlock, each appending to X-Forwarded-For: the
  // sign-in limit per address believes the entry the outermost one added. 0 (the default): the
  // header is anyone's to write, so it is ignored and only the per-account limit applies.
  HITL_TRUSTED_PROXIES: z.coerce.number().int().nonnegative().max(20).default(0),
  OIDC_ISSUER: z.preprocess(emptyToUndefined, z.url().optional()),
  OIDC_CLIENT_ID: z.preprocess(emptyToUndefined, z.string().optional()),
  OIDC_CLIENT_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  OIDC_ROLE_CLAIM: z.preprocess(emptyToUndefined, z.string().default("groups")),
  // Which identity-provider group grants which role: "group=role,group=role"; a person gets
  // the highest role any of their groups grants, and no access with none.
  OIDC_ROLE_MAP: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        const map: Record<string, string> = {};
        for (const pair of (v ?? "")
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [group, role, ...rest] = pair.split("=").map((s) => s.trim());
          if (!group || !role || rest.length > 0) {
            ctx.addIssue({ code: "custom", message: `"${pair}" is not group=role` });
            continue;
          }
          if (!["viewer", "developer", "tech_lead", "devops_engineer"].includes(role)) {
            ctx.addIssue({
              code: "custom",
              message: `"${role}" is not a role (viewer, developer, tech_lead or devops_engineer)`,
            });
            continue;
          }
          map[group] = role;
        }
        return map;
      }),
  ),
  OIDC_NAME: z.preprocess(emptyToUndefined, z.string().default("single sign-on")),
});

export type Env = z.infer<typeof envSchema>;

/** Settings that only make sense together. */
function crossCheck(e: Env): string[] {
  const problems: string[] = [];
  if (e.HITL_NOTIFY_WEBHOOK_URLS.length > 0 && !e.HITL_NOTIFY_WEBHOOK_SECRET) {
    problems.push(
      "  HITL_NOTIFY_WEBHOOK_SECRET: required with HITL_NOTIFY_WEBHOOK_URLS (every notification webhook is signed)",
    );
  }
  for (const url of e.HITL_NOTIFY_WEBHOOK_URLS) {
    const problem = urlProblem(e.HITL_CALLBACK_ALLOWED_HOSTS, url);
    if (problem) problems.push(`  HITL_NOTIFY_WEBHOOK_URLS: ${url}: ${problem}`);
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET) {
    problems.push(
      "  SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (the buttons' clicks are verified with it)",
    );
  }
  return problems;
}

export class EnvError extends Error {
  override name = "EnvError";
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new EnvError(`Invalid environment:\n${problems.join("\n")}`);
  return result.data;
}

let cached: Env | undefined;

/** The process environment, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** Resolve a path setting relative to the working directory the app was started in. */
export function resolveFromCwd(p: string): string {
  // Settings name runtime paths; nothing here should be traced into the build output.
  return path.isAbsolute(p) ? p : path.join(/*turbopackIgnore: true*/ process.cwd(), p);
}
