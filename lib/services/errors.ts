// The one error type services throw. Routes, server actions and the CLI map `code` to an
// HTTP status, a typed result or an exit code; `message` is safe to show to the caller.
export type ServiceErrorCode =
  | "invalid" // bad input: 400, with details per field
  | "unauthorized" // no or bad credentials: 401
  | "forbidden" // not allowed: 403
  | "not_found" // 404
  | "conflict" // the state forbids it: 409
  | "gone" // expired or cancelled: 410
  | "unprocessable" // well-formed but impossible: 422
  | "limit" // too many open requests for one agent: 429
  | "unavailable"; // database unreachable: 503

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
  ) {
    super(message);
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
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
