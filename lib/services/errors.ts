// The one error type of the whole server: services throw it, and so does the route wrapper
// for what it refuses before a service runs. Routes, server actions and the CLI map `code` to
// an HTTP status, a typed result or an exit code; `message` is safe to show to the caller.
import { isDatabaseUnavailable } from "@/db/client";
import { log } from "@/lib/log";

export type ServiceErrorCode =
  | "invalid" // bad input: 400, with details per field
  | "invalid_json" // a body that is not JSON at all (or not UTF-8, or nested too deep): 400
  | "unauthorized" // no or bad credentials: 401
  | "forbidden" // not allowed: 403
  | "not_found" // 404 (also: no such API route)
  | "method_not_allowed" // the route exists, not with this method: 405
  | "conflict" // the state forbids it: 409
  | "gone" // expired or cancelled: 410
  | "payload_too_large" // a body over the size limit: 413
  | "unprocessable" // well-formed but impossible: 422
  | "limit" // too many open requests for one agent: 429
  | "unavailable" // database unreachable: 503
  | "internal"; // a bug: 500, logged, nothing of it shown

export interface FieldIssue {
  path: string;
  message: string;
}

export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly details?: FieldIssue[] | Record<string, unknown>,
    /** When asking again may succeed (a limit's window): the answer's Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}

/**
 * Any error as the one error type, for the entry points' wrappers: a ServiceError as it is, a
 * lost database as "unavailable", anything else logged (under `where`) and shown as nothing
 * more than "internal".
 */
export function asServiceError(error: unknown, where: string): ServiceError {
  if (isServiceError(error)) return error;
  if (isDatabaseUnavailable(error)) {
    return new ServiceError("unavailable", "The database is unavailable; try again shortly");
  }
  // Logged for operators; the caller sees nothing of it.
  log().error({ err: error, where }, "internal error");
  return new ServiceError("internal", "Something went wrong on our side; it has been logged");
}

/** The domain core's refusal codes as service errors ("invalid" there means impossible: 422). */
const REFUSAL_CODES = {
  forbidden: "forbidden",
  conflict: "conflict",
  invalid: "unprocessable",
} as const satisfies Record<string, ServiceErrorCode>;

export function refusalError(
  refusal: { code: keyof typeof REFUSAL_CODES; message: string },
  message = refusal.message,
  details?: ServiceError["details"],
): ServiceError {
  return new ServiceError(REFUSAL_CODES[refusal.code], message, details);
}
