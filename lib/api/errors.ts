// The one error shape of the API: { error: { code, message, details? } }, never a stack or SQL.
import type { ErrorBody } from "@/lib/contract/api";
import { asServiceError, type ServiceErrorCode } from "@/lib/services/errors";

export const STATUS_OF: Record<ServiceErrorCode, number> = {
  invalid: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unprocessable: 422,
  limit: 429,
  unavailable: 503,
  internal: 500,
};

export const NO_STORE = { "Cache-Control": "no-store" } as const;

export function errorResponse(
  status: number,
  code: ServiceErrorCode,
  message: string,
  details?: unknown,
  headers: Record<string, string> = {},
): Response {
  const body: ErrorBody = {
    error: { code, message, ...(details === undefined ? {} : { details }) },
  };
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

export function toErrorResponse(error: unknown, route: string): Response {
  const e = asServiceError(error, route);
  return errorResponse(
    STATUS_OF[e.code],
    e.code,
    e.message,
    e.details,
    e.code === "unavailable"
      ? { "Retry-After": "5" }
      : e.retryAfterSeconds !== undefined
        ? { "Retry-After": String(Math.max(1, Math.ceil(e.retryAfterSeconds))) }
        : {},
  );
}
