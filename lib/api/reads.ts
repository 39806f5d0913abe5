// The dashboard's reads: every page's polled data through one session-authenticated GET route,
// /api/dashboard/{read}?q=<the read's input as JSON>. A read is a zod schema for its input and
// the service call that answers it (the table is app/(dashboard)/reads.ts; the browser's typed
// caller components/reads.ts). Server actions are kept for what changes state: Next.js runs a
// page's server actions one at a time, so a read made through one waited behind every other
// read and every decision, and as a POST it could never be cached.
import { z } from "zod";
import type { Database } from "@/db/client";
import { ServiceError } from "@/lib/services/errors";
import type { UserPrincipal } from "@/lib/services/principal";
import { parseInput } from "@/lib/services/validation";
import { toErrorResponse } from "./errors";
import { apiRoute, parseJsonText } from "./route";

export interface Read<S extends z.ZodType, T> {
  input: S;
  run(ctx: { db: Database; principal: UserPrincipal }, input: z.output<S>): Promise<T> | T;
}

export function read<S extends z.ZodType, T>(input: S, run: Read<S, T>["run"]): Read<S, T> {
  return { input, run };
}

/** A read's input, `?q=`: JSON, as long as a URL comfortably carries. */
const QUERY_MAX = 16_000;
const readQuery = z.strictObject({
  q: z.string().max(QUERY_MAX, `must be at most ${QUERY_MAX} characters`).optional(),
});

type NextContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** The GET handler of /api/dashboard/{read}: each read is its own route to metrics and logs. */
export function readsRoute(reads: Readonly<Record<string, Read<z.ZodType, unknown>>>) {
  const handlers = new Map(
    Object.entries(reads).map(([name, r]) => [
      name,
      apiRoute({
        name: `GET /api/dashboard/${name}`,
        auth: "session",
        query: readQuery,
        async handler({ db, principal, query }) {
          const input = query.q === undefined ? {} : parseJsonText(query.q, "q");
          return { body: await r.run({ db, principal }, parseInput(r.input, input)) };
        },
      }),
    ]),
  );
  return async (req: Request, context: NextContext): Promise<Response> => {
    const { read: name } = await context.params;
    const handler = typeof name === "string" ? handlers.get(name) : undefined;
    if (handler) return handler(req, context);
    return toErrorResponse(
      new ServiceError(
        "not_found",
        `No dashboard read "${name}"; there are ${[...handlers.keys()].join(", ")}`,
      ),
      "GET /api/dashboard/{read}",
    );
  };
}
