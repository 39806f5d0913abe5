// The OpenAPI 3.1 document, generated from the same zod schemas the routes parse with.
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ZodMediaTypeObject,
} from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  approveBodySchema,
  assessmentSchema,
  errorSchema,
  escalateBodySchema,
  healthSchema,
  quarantineBodySchema,
  queueQuerySchema,
  queueResponseSchema,
  rejectBodySchema,
  releaseBodySchema,
  requestSummarySchema,
  riskRulesSchema,
} from "@/lib/contract/api";
import {
  checkpointPageQuerySchema,
  checkpointPageSchema,
  checkpointSchema,
  saveCheckpointSchema,
} from "@/lib/contract/checkpoints";
import { createGrantSchema, grantSchema } from "@/lib/contract/grants";
import {
  actionSchema,
  cancelTaskSchema,
  resumeResponseSchema,
  submitTaskResponseSchema,
  submitTaskSchema,
  taskSchema,
} from "@/lib/contract/tasks";

type Auth = "agent" | "reviewer" | "key" | "public";

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
const uuid = z.uuid();

interface PathSpec {
  method: "get" | "post" | "delete";
  path: string;
  summary: string;
  auth: Auth;
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyOptional?: boolean;
  ok: { status: number; schema?: z.ZodType; description?: string; contentType?: string };
  errors: number[];
}

const SPECS: PathSpec[] = [
  {
    method: "post",
    path: "/api/hitl/assess-risk",
    summary: "Assess an action; stores nothing",
    auth: "key",
    body: actionSchema,
    ok: { status: 200, schema: assessmentSchema },
    errors: [400, 401, 413, 422],
  },
  {
    method: "get",
    path: "/api/hitl/risk-rules",
    summary: "The active levels, rules, modifiers and policies",
    auth: "key",
    ok: { status: 200, schema: riskRulesSchema },
    errors: [401],
  },
  {
    method: "post",
    path: "/api/tasks",
    summary: "Submit a task (honours Idempotency-Key)",
    auth: "agent",
    body: submitTaskSchema,
    ok: {
      status: 201,
      schema: submitTaskResponseSchema,
      description: "Created; 200 with Idempotent-Replayed: true for a retry",
    },
    errors: [400, 401, 403, 413, 422, 429, 503],
  },
  {
    method: "get",
    path: "/api/tasks/{id}",
    summary: "The task and its request; ?wait=N (≤ 60) holds until the status changes",
    auth: "key",
    params: { id: uuid },
    query: z.object({ wait: z.int().min(0).max(60).optional() }),
    ok: { status: 200, schema: taskSchema },
    errors: [400, 401, 404, 429],
  },
  {
    method: "get",
    path: "/api/tasks/{id}/events",
    summary: "Server-sent events of the task's status changes",
    auth: "key",
    params: { id: uuid },
    ok: {
      status: 200,
      description:
        "`event: status` with the task as data, until the request closes (or the key is revoked)",
      contentType: "text/event-stream",
    },
    errors: [400, 401, 404, 429],
  },
  {
    method: "post",
    path: "/api/tasks/{id}/resume",
    summary: "Resume after the decision (once; again answers the same)",
    auth: "agent",
    params: { id: uuid },
    ok: { status: 200, schema: resumeResponseSchema },
    errors: [401, 403, 404, 409, 410],
  },
  {
    method: "post",
    path: "/api/tasks/{id}/cancel",
    summary: "The submitting agent withdraws an open request",
    auth: "agent",
    params: { id: uuid },
    body: cancelTaskSchema,
    bodyOptional: true,
    ok: { status: 200, schema: taskSchema },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: "get",
    path: "/api/hitl/approval-queue",
    summary:
      "Open requests, newest risk first, each saying whether this reviewer may approve it (actionable=true: only those); signed keyset cursors",
    auth: "reviewer",
    query: queueQuerySchema,
    ok: { status: 200, schema: queueResponseSchema },
    errors: [400, 401, 403],
  },
  ...(
    [
      ["approve", approveBodySchema, true],
      ["reject", rejectBodySchema, false],
      ["escalate", escalateBodySchema, true],
      ["quarantine", quarantineBodySchema, false],
      ["release", releaseBodySchema, true],
    ] as const
  ).map(
    ([verb, body, optional]): PathSpec => ({
      method: "post",
      path: `/api/hitl/actions/{id}/${verb}`,
      summary: `${verb[0]?.toUpperCase()}${verb.slice(1)} a request (reviewer keys)`,
      auth: "reviewer",
      params: { id: uuid },
      body,
      bodyOptional: optional,
      ok: { status: 200, schema: requestSummarySchema },
      errors: [400, 401, 403, 404, 409, 422],
    }),
  ),
  {
    method: "post",
    path: "/api/hitl/actions/{id}/checkpoints",
    summary: "Save a named checkpoint",
    auth: "agent",
    params: { id: uuid },
    body: saveCheckpointSchema,
    ok: { status: 201, schema: checkpointSchema },
    errors: [400, 401, 403, 404, 413, 429],
  },
  {
    method: "get",
    path: "/api/hitl/actions/{id}/checkpoints",
    summary: "An action's checkpoints in sequence, a page (at most 100) at a time",
    auth: "key",
    params: { id: uuid },
    query: checkpointPageQuerySchema,
    ok: { status: 200, schema: checkpointPageSchema },
    errors: [400, 401, 404],
  },
  {
    method: "get",
    path: "/api/hitl/actions/{id}/checkpoints/{name}",
    summary: "The latest checkpoint of a name",
    auth: "key",
    params: { id: uuid, name: z.string() },
    ok: { status: 200, schema: checkpointSchema },
    errors: [401, 404],
  },
  {
    method: "post",
    path: "/api/hitl/actions/{id}/checkpoints/{checkpoint_id}/resume",
    summary: "Mark a checkpoint resumed (once)",
    auth: "agent",
    params: { id: uuid, checkpoint_id: uuid },
    ok: { status: 200, schema: checkpointSchema },
    errors: [401, 403, 404, 409],
  },
  {
    method: "post",
    path: "/api/hitl/grants",
    summary: "Grant a standing approval",
    auth: "reviewer",
    body: createGrantSchema,
    ok: { status: 201, schema: grantSchema },
    errors: [400, 401, 403, 422],
  },
  {
    method: "get",
    path: "/api/hitl/grants",
    summary: "List standing approvals",
    auth: "reviewer",
    query: z.object({ active: z.enum(["true", "false"]).optional() }),
    ok: { status: 200, schema: z.object({ items: z.array(grantSchema) }) },
    errors: [401, 403],
  },
  {
    method: "delete",
    path: "/api/hitl/grants/{id}",
    summary: "Revoke a standing approval",
    auth: "reviewer",
    params: { id: uuid },
    ok: { status: 200, schema: grantSchema },
    errors: [401, 403, 404, 409],
  },
  {
    method: "get",
    path: "/api/health",
    summary: "Liveness and database reachability",
    auth: "public",
    ok: { status: 200, schema: healthSchema },
    errors: [503],
  },
  {
    method: "get",
    path: "/api/metrics",
    summary: "Prometheus metrics",
    auth: "public",
    ok: {
      status: 200,
      description: "Prometheus text exposition format",
      contentType: "text/plain",
    },
    errors: [],
  },
  {
    method: "post",
    path: "/api/integrations/slack/interactions",
    summary:
      "Slack's button clicks and modal submissions: a form-encoded `payload`, signed by Slack (X-Slack-Signature v0 over the raw body, X-Slack-Request-Timestamp within 5 minutes)",
    auth: "public",
    ok: {
      status: 200,
      description: "Empty, or a modal's field errors (`response_action: errors`)",
    },
    errors: [400, 401, 404, 413],
  },
  {
    method: "get",
    path: "/api/openapi.json",
    summary: "This document",
    auth: "public",
    ok: { status: 200, description: "OpenAPI 3.1" },
    errors: [],
  },
];

/** Every documented route, for tests that check each one is served. */
export const DOCUMENTED_ROUTES = SPECS.map((s) => ({
  method: s.method,
  path: s.path,
  auth: s.auth,
}));

let cached: object | undefined;

export function openApiDocument(): object {
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
  for (const s of SPECS) {
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
        ...(s.params ? { params: z.object(s.params) } : {}),
        ...(s.query ? { query: s.query } : {}),
        ...(s.path === "/api/tasks"
          ? { headers: z.object({ "Idempotency-Key": z.string().max(200).optional() }) }
          : {}),
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
