// Structured logs: JSON lines (pino) on stderr, or appended to LOG_FILE — stdout is the CLI's
// output and the MCP server's protocol — one per API request with its request id, and one per
// problem. Whatever is logged passes through redaction first: API keys, webhook secrets,
// passwords, tokens, cookies and Authorization headers are replaced wherever they sit in the
// logged object, so a careless `log.info({ body })` cannot leak them.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger } from "pino";
import { env } from "./env";

const SECRET_FIELDS = [
  "authorization",
  "cookie",
  "password",
  "key",
  "api_key",
  "apiKey",
  "secret",
  "webhook_secret",
  "webhookSecret",
  "token",
  "session",
];

/** The paths pino redacts: each secret field at the top and up to three levels down. */
export const REDACTED_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

/**
 * Where the logs go: appended to LOG_FILE when it is set (several processes may share one:
 * each line is one append), else stderr.
 */
export function logDestination(file: string | undefined = logFileOf()): DestinationStream {
  if (file === undefined) return pino.destination(2);
  return pino.destination({ dest: file, append: true, mkdir: true, sync: true });
}

export function createLogger(destination: DestinationStream = logDestination()): Logger {
  return pino(
    {
      base: { app: "airlock" },
      level: levelOf(),
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Every line logged while an API request is handled names it.
      mixin: () => {
        const requestId = requests.getStore();
        return requestId === undefined ? {} : { request_id: requestId };
      },
    },
    destination,
  );
}

const requests = new AsyncLocalStorage<string>();
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is a sane one, else a new id. */
export function requestIdOf(header: string | null): string {
  return header !== null && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Run `fn` with `requestId` on every log line it (and what it awaits) writes. */
export function withRequestId<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  return requests.run(requestId, fn);
}

/** A log setting, or its default while the environment itself is what is wrong. */
function setting<T>(read: (e: ReturnType<typeof env>) => T, otherwise: T): T {
  try {
    return read(env());
  } catch {
    return otherwise;
  }
}

/** The configured log file; none (stderr) while the environment is wrong. */
function logFileOf(): string | undefined {
  return setting((e) => e.LOG_FILE, undefined);
}

/** The configured level; "info" while the environment is wrong. */
function levelOf(): string {
  return setting<string>((e) => e.LOG_LEVEL, "info");
}

const key = Symbol.for("airlock.log");
type GlobalWithLog = typeof globalThis & { [key]?: Logger };

/** The process's logger (one for every Next.js bundle). */
export function log(): Logger {
  const g = globalThis as GlobalWithLog;
  g[key] ??= createLogger();
  return g[key];
}
