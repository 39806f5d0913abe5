// The one wrapper every API route handler goes through. It owns, in this order: the body
// size limit, authentication by API key and its scope, parsing params, query and body with
// zod, calling the handler, and turning any error into the one JSON error shape. Routes
// stay thin: they declare what they accept and call a service.
import type { z } from "zod";
import { type Database, getDb } from "@/db/client";
import { sessionPrincipal } from "@/lib/auth/session";
import { log, requestIdOf, withRequestId } from "@/lib/log";
import { authenticateApiKey, type KeyPrincipal } from "@/lib/services/accounts/keys";
import { ServiceError } from "@/lib/services/errors";
import { metrics } from "@/lib/services/insights/metrics";
import { type AgentPrincipal, requireViewer, type UserPrincipal } from "@/lib/services/principal";
import { inputError } from "@/lib/services/validation";
import { toErrorResponse } from "./errors";
import { holdStream, type StreamHold } from "./streams";

export const MAX_BODY_BYTES = 256 * 1024;
const MAX_NESTING = 64;

/** public: nobody; agent, reviewer, key: an API key of that scope (key: either); session: a
 * signed-in person's browser session (GET routes only: a cookie is sent cross-site). */
export type AuthMode = "public" | "agent" | "reviewer" | "key" | "session";

type PrincipalFor<A extends AuthMode> = A extends "public"
  ? null
  : A extends "agent"
    ? AgentPrincipal
    : A extends "reviewer" | "session"
      ? UserPrincipal
      : KeyPrincipal;

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerContext<A extends AuthMode, P, Q, B> {
  req: Request;
  db: Database;
  principal: PrincipalFor<A>;
  params: Out<P>;
  query: Out<Q>;
  /** The parsed body: the schema's output, or the raw JSON when `body: "json"`. */
  body: B extends "json" ? unknown : Out<B>;
  /**
   * For a response that outlives this call (an event stream, a `?wait=` long poll): one of the
   * caller's slots (429 when all are taken) and a signal that aborts once the caller fails
   * this same authentication again (lib/api/streams.ts). Authenticated routes only.
   */
  holdStream(): StreamHold;
}

export interface JsonResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<A extends AuthMode, P, Q, B> {
  /** "METHOD /path" as in the OpenAPI document; also the metrics label. */
  name: string;
  auth: A;
  params?: P;
  query?: Q;
  /** A zod schema, or "json" to hand the raw JSON to a service that validates it. */
  body?: B;
  /** What the OpenAPI document says of the route (lib/api/openapi.ts); none for the browser's. */
  doc?: RouteDoc;
  handler(ctx: HandlerContext<A, P, Q, B>): Promise<Response | JsonResult>;
}

/**
 * A route as the OpenAPI document describes it. Its method, path, authentication, params,
 * query and body are the spec's own; `params`, `query` and `body` here stand in for a schema
 * the document cannot show (a body the service validates itself, params renamed on the way in).
 */
export interface RouteDoc {
  summary: string;
  ok: { status: number; schema?: z.ZodType; description?: string; contentType?: string };
  /** The error statuses the route answers (their words are openapi.ts's ERRORS). */
  errors: number[];
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyOptional?: boolean;
  headers?: z.ZodObject;
}

/** What a route module's handler carries for the document: its spec, less the handler. */
export interface DocumentedSpec {
  name: string;
  auth: AuthMode;
  params?: unknown;
  query?: unknown;
  body?: unknown;
  doc?: RouteDoc;
}

type NextContext = { params: Promise<Record<string, string | string[] | undefined>> };
type Handler = (req: Request, context: NextContext) => Promise<Response>;

/** A handler that is not an apiRoute (health, metrics, this document), with what to document. */
export function documented<H extends Handler | (() => Promise<Response>)>(
  handler: H,
  spec: DocumentedSpec,
): H & { spec: DocumentedSpec } {
  return Object.assign(handler, { spec });
}

export function apiRoute<
  A extends AuthMode,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | "json" | undefined = undefined,
>(spec: RouteSpec<A, P, Q, B>): Handler & { spec: DocumentedSpec } {
  const [method] = spec.name.split(" ");
  const route = async (req: Request, context: NextContext): Promise<Response> => {
    const requestId = requestIdOf(req.headers.get("x-request-id"));
    return withRequestId(requestId, async () => {
      const started = performance.now();
      let response: Response;
      try {
        response = await handle(spec, req, context);
      } catch (error) {
        response = toErrorResponse(error, spec.name);
      }
      const ms = performance.now() - started;
      const m = metrics();
      m.httpRequests.inc({ route: spec.name, method, status: String(response.status) });
      m.httpDuration.observe({ route: spec.name, method }, ms / 1000);
      log().info(
        { route: spec.name, status: response.status, ms: Math.round(ms * 100) / 100 },
        "request",
      );
      // The handler's own time (for a stream: until it started), as browsers' devtools and
      // `npm run bench` read it: what the server spent, without the network or the framework.
      response.headers.set("Server-Timing", `app;dur=${ms.toFixed(2)}`);
      response.headers.set("X-Request-Id", requestId);
      return response;
    });
  };
  return Object.assign(route, { spec });
}

async function handle<A extends AuthMode, P, Q, B>(
  spec: RouteSpec<A, P, Q, B>,
  req: Request,
  context: NextContext,
): Promise<Response> {
  // Before anything else: an oversized body is refused unread.
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();

  const { db } = await getDb();
  const principal =
    spec.auth === "public"
      ? null
      : spec.auth === "session"
        ? await authenticateSession(req)
        : await authenticate(db, req, spec.auth);
  const params = parseWith(spec.params, await context.params, "params");
  const query = parseWith(spec.query, Object.fromEntries(new URL(req.url).searchParams), "query");
  let body: unknown;
  if (spec.body !== undefined) {
    const json = await readJson(req);
    if (spec.body === "json" && json === undefined) {
      throw invalidJson("The body must be a JSON object");
    }
    body = spec.body === "json" ? json : parseWith(spec.body as z.ZodType, json, "body");
  }
  const result = await spec.handler({
    req,
    db,
    principal: principal as PrincipalFor<A>,
    params: params as Out<P>,
    query: query as Out<Q>,
    body: body as HandlerContext<A, P, Q, B>["body"],
    holdStream: () => {
      if (principal === null) throw new Error(`${spec.name} is public: no caller to hold for`);
      return holdStream(streamOwner(spec.auth, principal), () =>
        reauthenticate(db, req, spec.auth, principal),
      );
    },
  });
  if (result instanceof Response) return result;
  const text = JSON.stringify(result.body);
  return new Response(text, {
    status: result.status ?? 200,
    headers: {
      "Content-Type": "application/json",
      // A small answer is sent as it is: compressing a task's kilobyte cost the server more
      // than it saved (zlib was 7 % of its CPU with 32 agents submitting, `npm run bench --
      // --profile`). Next.js's compression leaves a response marked no-transform alone.
      "Cache-Control": text.length < COMPRESS_FROM_BYTES ? "no-store, no-transform" : "no-store",
      ...result.headers,
    },
  });
}

/** Answers at least this long are compressed (when the client accepts it); shorter ones not. */
const COMPRESS_FROM_BYTES = 8 * 1024;

async function authenticateSession(req: Request): Promise<UserPrincipal> {
  if (req.method !== "GET") throw new ServiceError("forbidden", "Sessions may only read here");
  // Next.js's internal header (CVE-2025-29927): no browser sends it.
  if (req.headers.has("x-middleware-subrequest")) {
    throw new ServiceError("forbidden", "This request carries an internal header; refused");
  }
  const principal = await sessionPrincipal();
  if (!principal) throw new ServiceError("unauthorized", "Sign in first");
  return principal;
}

async function authenticate(db: Database, req: Request, mode: AuthMode): Promise<KeyPrincipal> {
  const header = req.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match?.[1]) {
    throw new ServiceError("unauthorized", "Send an API key: Authorization: Bearer <key>");
  }
  const principal = await authenticateApiKey(db, match[1]);
  if (!principal) throw new ServiceError("unauthorized", "The API key is unknown or revoked");
  if (mode === "agent" && principal.kind !== "agent") {
    throw new ServiceError("forbidden", "This route needs an agent key");
  }
  if (mode === "reviewer" && principal.kind !== "user") {
    throw new ServiceError("forbidden", "This route needs a reviewer key");
  }
  return principal;
}

/** Whose slots a stream takes: an agent key's; a person's for their reviewer keys, and apart
 * from those, for their browser sessions. */
function streamOwner(mode: AuthMode, principal: KeyPrincipal): string {
  if (principal.kind === "agent") return `key:${principal.keyId}`;
  return `${mode === "session" ? "session" : "reviewer"}:${principal.userId}`;
}

/**
 * The caller checked again, for a stream or a wait that outlives its request: the same key
 * through the same lookup (revoked, or its person disabled: 401), then a person's record as it
 * stands now (disabled, or a role that may no longer read: 403).
 */
async function reauthenticate(
  db: Database,
  req: Request,
  mode: AuthMode,
  principal: KeyPrincipal,
): Promise<void> {
  const now = mode === "session" ? principal : await authenticate(db, req, mode);
  if (now.kind === "user") await requireViewer(db, now, "keep reading");
}

function parseWith(schema: unknown, input: unknown, where: "params" | "query" | "body"): unknown {
  if (schema === undefined) return undefined;
  const result = (schema as z.ZodType).safeParse(input);
  if (result.success) return result.data;
  throw inputError(result.error, where, where === "body" ? undefined : where);
}

/** A body that is not JSON at all: like every 400, `details` names what is wrong (the root). */
function invalidJson(message: string, what: "body" | "q" = "body"): ServiceError {
  return new ServiceError("invalid_json", message, [
    { path: what === "body" ? "(root)" : "query.q", message },
  ]);
}

function tooLarge(): ServiceError {
  return new ServiceError(
    "payload_too_large",
    `The body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
  );
}

/** Read at most MAX_BODY_BYTES (whatever Content-Length claimed), then parse JSON. */
async function readJson(req: Request): Promise<unknown> {
  const text = await readLimited(req);
  // No body at all: the schema decides whether one was needed.
  if (text.trim() === "") return undefined;
  return parseJsonText(text, "body");
}

/**
 * JSON sent by a caller (a body; a session read's `?q=`), parsed with the same guards: no
 * pathological nesting, and no "__proto__" key, which JSON.parse keeps as data but zod drops
 * on parse — refused rather than accepted with a field silently lost.
 */
export function parseJsonText(text: string, what: "body" | "q"): unknown {
  const where = what === "body" ? "The body" : "The query's q";
  if (nestingDepth(text) > MAX_NESTING) {
    throw invalidJson(`${where} nests deeper than ${MAX_NESTING} levels`, what);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson(`${where} is not valid JSON`, what);
  }
  const proto = protoKeyPath(value, "");
  if (proto !== null) {
    const message = `"__proto__" is not allowed as a key`;
    throw new ServiceError("invalid", `Invalid ${what} — ${proto}: ${message}`, [
      { path: proto, message },
    ]);
  }
  return value;
}

function protoKeyPath(value: unknown, path: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const at = path === "" ? key : `${path}.${key}`;
    if (key === "__proto__") return at;
    const found = protoKeyPath(child, at);
    if (found !== null) return found;
  }
  return null;
}

export async function readLimited(req: Request): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw invalidJson("The body is not valid UTF-8");
  }
}

/** Deepest bracket nesting outside strings: refuses pathological bodies before parsing. */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}
