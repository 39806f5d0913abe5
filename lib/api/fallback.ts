// Answers for what no handler serves, in the one JSON error shape: a method a route does not
// have (405, where Next.js would send an empty body) and a path under /api with no route at
// all (404, where Next.js would render its HTML page).
import { errorResponse } from "./errors";

/** The methods a route file may declare; HEAD and OPTIONS follow from them. */
export type RouteMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

// Async like every other handler, so a route module's methods all share one type.
type Fallback = (req: Request) => Promise<Response>;

/** Every method the route does not serve, plus OPTIONS; HEAD too unless GET answers it. */
type OtherMethods<M extends RouteMethod> =
  | Exclude<RouteMethod, M>
  | "OPTIONS"
  | ("GET" extends M ? never : "HEAD");

const ROUTE_METHODS: readonly RouteMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * Handlers for the methods a route file does not export, to export beside its own:
 * `export const { PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET", "POST"]);`
 * Next.js answers HEAD with the GET handler when there is one, so HEAD is listed as allowed
 * then; OPTIONS is ours, because Next's own would count these fallbacks as allowed methods.
 */
export function otherMethods<const M extends RouteMethod>(
  served: readonly M[],
): Record<OtherMethods<M>, Fallback> {
  const own: readonly RouteMethod[] = served;
  const hasGet = own.includes("GET");
  const allow = [...own, ...(hasGet ? ["HEAD"] : []), "OPTIONS"].sort().join(", ");
  const use = ROUTE_METHODS.filter((m) => own.includes(m)).join(" or ");
  const notAllowed: Fallback = async (req) =>
    errorResponse(
      405,
      "method_not_allowed",
      `${req.method} is not allowed on ${new URL(req.url).pathname}; use ${use}`,
      undefined,
      { Allow: allow },
    );
  const options: Fallback = async () =>
    new Response(null, { status: 204, headers: { Allow: allow } });
  const handlers = Object.fromEntries([
    ...ROUTE_METHODS.filter((m) => !own.includes(m)).map((m) => [m, notAllowed]),
    ...(hasGet ? [] : [["HEAD", notAllowed]]),
    ["OPTIONS", options],
  ]);
  return handlers as Record<OtherMethods<M>, Fallback>;
}

/** Every method of the catch-all route under /api: nothing lives at this path. */
export async function noApiRoute(req: Request): Promise<Response> {
  return errorResponse(
    404,
    "not_found",
    `No API route at ${req.method} ${new URL(req.url).pathname}`,
  );
}
