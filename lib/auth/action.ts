// The one wrapper every server action goes through (STYLE habit 3): same-origin check, the
// session, zod, the service, and a typed result — never a thrown error page. The service
// decides who may do what; the wrapper trusts nothing the page sent beyond the parsed input.
import "server-only";
import { headers } from "next/headers";
import type { z } from "zod";
import { type Database, getDb } from "@/db/client";
import { env } from "@/lib/env";
import { asServiceError, ServiceError, type ServiceErrorCode } from "@/lib/services/errors";
import type { UserPrincipal } from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";
import { sessionPrincipal } from "./session";

export type ActionError = { code: ServiceErrorCode; message: string; details?: unknown };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

export interface ActionContext {
  db: Database;
  principal: UserPrincipal;
}

/**
 * A request from this app's own pages: an Origin header naming this server. Next.js checks
 * the Origin too, but lets a request without one through; a browser always sends it for a
 * server action, so its absence is refused here. `x-middleware-subrequest` is Next's internal
 * header (CVE-2025-29927): no browser sends it, so it is refused too.
 */
async function assertSameOrigin(): Promise<void> {
  const h = await headers();
  if (h.has("x-middleware-subrequest")) {
    throw new ServiceError("forbidden", "This request carries an internal header; refused");
  }
  const origin = h.get("origin");
  if (!origin) throw new ServiceError("forbidden", "The request has no Origin; refused");
  const configured = env().NEXTAUTH_URL;
  const expected = configured
    ? new URL(configured).host
    : (h.get("x-forwarded-host") ?? h.get("host"));
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ServiceError("forbidden", "The request's Origin is not a URL; refused");
  }
  if (host !== expected) {
    throw new ServiceError("forbidden", `Requests from ${origin} are not accepted; refused`);
  }
}

export function toActionError(error: unknown, name: string): ActionError {
  const e = asServiceError(error, `action ${name}`);
  return {
    code: e.code,
    message: e.message,
    ...(e.details === undefined ? {} : { details: e.details }),
  };
}

/** A server action: `(input) => Promise<ActionResult<T>>`, for `useMutation` on the page. */
export function serverAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  run: (ctx: ActionContext, input: z.output<S>) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      await assertSameOrigin();
      const principal = await sessionPrincipal();
      if (!principal)
        throw new ServiceError("unauthorized", "Your session has ended; sign in again");
      const parsed = parseInput(schema, input);
      const { db } = await getDb();
      return { ok: true, data: await run({ db, principal }, parsed) };
    } catch (error) {
      return { ok: false, error: toActionError(error, name) };
    }
  };
}
