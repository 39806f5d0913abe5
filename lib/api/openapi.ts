// The OpenAPI 3.1 document, generated from the routes themselves: each route's spec (its name,
// authentication and the zod schemas it parses with) and its `doc` (summary, answers, errors),
// for every route module app/api/routes.ts lists.
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ZodMediaTypeObject,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { errorSchema } from "@/lib/contract/api";
import type { AuthMode, DocumentedSpec, RouteDoc } from "./route";

const ERRORS: Record<number, string> = {
  400: "Invalid body, params or query; `details` lists each bad field",
  401: "No API key, or an unknown or revoked one",
  403: "The key may not do this",
  404: "No such resource (or not this agent's)",
  409: "The request's state forbids it",
  410: "Expired or cancelled",
  413: "Body over 256 KiB",
  422: "Well-formed but impossible, or refused (an action identifier that is not one); `details` names the field",
  429: "Over a limit (open requests, submits a minute, checkpoints, streams); the message names its setting, and Retry-After says when to ask again where waiting helps",
  503: "Database unavailable; see Retry-After",
};

// The registry's own type for a schema: with langchain's typings in the same program (the
// integration tests), TypeScript no longer matches zod's ZodType against the registry's union
// of ZodType and OpenAPI schema objects by itself, though both are the same zod.
const json = (schema: z.ZodType) => ({
  content: { "application/json": { schema: schema as ZodMediaTypeObject["schema"] } },
});

interface PathSpec {
  method: "get" | "post" | "delete";
  path: string;
  summary: string;
  /** The browser's (session) routes are not in the document. */
  auth: Exclude<AuthMode, "session">;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  bodyOptional?: boolean;
  headers?: z.ZodObject;
  ok: RouteDoc["ok"];
  errors: number[];
}

/** This document's own route: documented here, since its module serves what this builds. */
const THIS_DOCUMENT: PathSpec = {
  method: "get",
  path: "/api/openapi.json",
  summary: "This document",
  auth: "public",
  ok: { status: 200, description: "OpenAPI 3.1" },
  errors: [],
};

const isSchema = (s: unknown): s is z.ZodType => s instanceof z.ZodType;

/**
 * Every documented route of these route modules (app/api/routes.ts), from the spec its
 * handler carries (apiRoute, documented): the method, path and authentication of its name and
 * auth, the params, query and body it parses (or its doc's stand-ins), and its doc.
 */
export function documentedRoutes(routes: readonly Readonly<Record<string, unknown>>[]): PathSpec[] {
  const specs: PathSpec[] = [];
  for (const mod of routes) {
    for (const handler of Object.values(mod)) {
      const spec = (handler as { spec?: DocumentedSpec } | null | undefined)?.spec;
      const doc = spec?.doc;
      if (!spec || !doc) continue;
      if (spec.auth === "session")
        throw new Error(`${spec.name}: the browser's routes are not documented`);
      const [method, path] = spec.name.split(" ");
      specs.push({
        method: (method as string).toLowerCase() as PathSpec["method"],
        path: path as string,
        summary: doc.summary,
        auth: spec.auth,
        params: doc.params ?? (isSchema(spec.params) ? spec.params : undefined),
        query: doc.query ?? (isSchema(spec.query) ? spec.query : undefined),
        body: doc.body ?? (isSchema(spec.body) ? spec.body : undefined),
        bodyOptional: doc.bodyOptional,
        headers: doc.headers,
        ok: doc.ok,
        errors: doc.errors,
      });
    }
  }
  return [...specs, THIS_DOCUMENT];
}

let cached: object | undefined;

/** The OpenAPI 3.1 document of these route modules (app/api/routes.ts); built once. */
export function openApiDocument(routes: readonly Readonly<Record<string, unknown>>[]): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  // Inlined rather than registered: naming a component needs zod patched before the
  // contract's schemas are built, and lib/contract stays free of OpenAPI (the SDK uses it).
  const error = errorSchema;
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description: "An Airlock API key (agent or reviewer scope)",
  });
  for (const s of documentedRoutes(routes)) {
    const responses: Record<string, object> = {
      [s.ok.status]: {
        description: s.ok.description ?? "OK",
        ...(s.ok.schema
          ? json(s.ok.schema)
          : s.ok.contentType
            ? { content: { [s.ok.contentType]: { schema: { type: "string" } } } }
            : {}),
      },
    };
    for (const status of s.errors) {
      responses[status] = { description: ERRORS[status] ?? "Error", ...json(error) };
    }
    registry.registerPath({
      method: s.method,
      path: s.path,
      summary: s.summary,
      ...(s.auth === "public" ? {} : { security: [{ apiKey: [] }] }),
      request: {
        ...(s.params ? { params: s.params as z.ZodObject } : {}),
        ...(s.query ? { query: s.query as z.ZodObject } : {}),
        ...(s.headers ? { headers: s.headers } : {}),
        ...(s.body ? { body: { required: !s.bodyOptional, ...json(s.body) } } : {}),
      },
      responses,
    });
  }
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Airlock API",
      version: "1.0.0",
      description:
        "Human approval gates for AI agents. Errors are { error: { code, message, details? } }.",
    },
  });
  return cached;
}
