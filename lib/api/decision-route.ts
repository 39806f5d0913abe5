// POST /api/hitl/actions/{id}/<verb> for reviewer keys: the same decisions, through the same
// service and rules, as the browser's and the CLI's.
import type { z } from "zod";
import {
  actionParamsSchema,
  approveBodySchema,
  escalateBodySchema,
  quarantineBodySchema,
  rejectBodySchema,
  releaseBodySchema,
  requestSummarySchema,
} from "@/lib/contract/api";
import type { Command } from "@/lib/hitl";
import { decideRequest } from "@/lib/services/requests/lifecycle";
import { apiRoute } from "./route";

const BODIES = {
  approve: approveBodySchema,
  reject: rejectBodySchema,
  escalate: escalateBodySchema,
  quarantine: quarantineBodySchema,
  release: releaseBodySchema,
} as const;
type Verb = keyof typeof BODIES;

/** Any of the bodies above, once parsed. */
interface DecisionBody {
  justification?: string;
  edited_inputs?: Record<string, unknown>;
  seen_hash?: string;
  reason?: string;
}

function commandOf(verb: Verb, b: DecisionBody): Command {
  switch (verb) {
    case "approve":
      return {
        type: "approve",
        justification: b.justification,
        edited_inputs: b.edited_inputs,
        seen_hash: b.seen_hash,
      };
    case "reject":
      return { type: "reject", reason: b.reason ?? "" };
    case "quarantine":
      return { type: "quarantine", reason: b.reason ?? "" };
    case "escalate":
    case "release":
      return { type: verb, reason: b.reason };
  }
}

export function decisionRoute(verb: Verb) {
  const schema: z.ZodType<DecisionBody> = BODIES[verb];
  // Bodies with only optional fields may be left out entirely.
  const optional = verb !== "reject" && verb !== "quarantine";
  return apiRoute({
    name: `POST /api/hitl/actions/{id}/${verb}`,
    auth: "reviewer",
    params: actionParamsSchema,
    body: optional ? schema.optional().default({}) : schema,
    doc: {
      summary: `${verb[0]?.toUpperCase()}${verb.slice(1)} a request (reviewer keys)`,
      body: schema,
      bodyOptional: optional,
      ok: { status: 200, schema: requestSummarySchema },
      errors: [400, 401, 403, 404, 409, 422],
    },
    async handler({ db, principal, params, body }) {
      const summary = await decideRequest(db, principal, params.id, commandOf(verb, body));
      return { body: requestSummarySchema.parse(summary) };
    },
  });
}
