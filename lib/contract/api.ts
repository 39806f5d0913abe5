// Shapes of the reviewer-facing and utility routes, and the one error shape.
import { z } from "zod";
import { decodeCursor } from "./cursor";
import { jsonObject, requiredText, text } from "./json";
import { REQUEST_STATUS_VALUES, RISK_LEVEL_VALUES, riskSchema } from "./tasks";

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorSchema>;

export const approveBodySchema = z.strictObject({
  justification: text(5000).optional(),
  edited_inputs: jsonObject.optional(),
  /** The content hash the reviewer saw; refused with 409 if the request changed since. */
  seen_hash: z
    .string()
    .regex(/^[0-9a-f]{64}$/, "expected a sha256 hex digest")
    .optional(),
});
export const rejectBodySchema = z.strictObject({ reason: requiredText(5000) });
export const escalateBodySchema = z.strictObject({ reason: text(5000).optional() });
export const quarantineBodySchema = z.strictObject({ reason: requiredText(5000) });
export const releaseBodySchema = z.strictObject({ reason: text(5000).optional() });

export const requestSummarySchema = z.object({
  id: z.uuid(),
  task_id: z.uuid(),
  workflow_id: z.string(),
  thread_id: z.string(),
  agent_name: z.string(),
  status: z.enum(REQUEST_STATUS_VALUES),
  priority: z.string(),
  action: z.object({
    type: z.string(),
    operation: z.string().optional(),
    environment: z.string().optional(),
    resource_type: z.string().optional(),
    description: z.string(),
  }),
  risk: riskSchema,
  approvals: z.object({ have: z.int(), need: z.int() }),
  required_role: z.string(),
  escalated_to: z.string().nullable(),
  claimed_by: z.string().nullable(),
  status_reason: z.string().nullable(),
  auto_approved: z.boolean(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  decided_at: z.iso.datetime().nullable(),
});
export type RequestSummaryDto = z.infer<typeof requestSummarySchema>;

export const queueQuerySchema = z.strictObject({
  status: z.enum(["pending", "escalated", "quarantined"]).optional(),
  risk_level: z.enum(RISK_LEVEL_VALUES).optional(),
  agent: text(100).optional(),
  workflow_id: text(200).optional(),
  cursor: text(500)
    .refine((c) => decodeCursor(c) !== null, "not a cursor this server issued")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const queueResponseSchema = z.object({
  items: z.array(requestSummarySchema),
  next_cursor: z.string().nullable(),
  counts: z.object({ pending: z.int(), escalated: z.int(), quarantined: z.int() }),
});

export const assessmentSchema = z.object({
  level: z.enum(RISK_LEVEL_VALUES),
  score: z.number(),
  requires_approval: z.boolean(),
  reasons: z.array(z.string()),
  matched_rules: z.array(z.string()),
  timeout_minutes: z.int(),
  required_approvals: z.int(),
  required_role: z.string(),
  requires_justification: z.boolean(),
  rule_set_version: z.string(),
});

/** The rule viewer's JSON: levels, rules, modifiers, roles and the permission table. */
export const riskRulesSchema = z.object({
  version: z.string(),
  defaults: z.object({
    level: z.enum(RISK_LEVEL_VALUES),
    auto_approve_low_risk: z.boolean(),
    requires_approval: z.boolean(),
  }),
  levels: z.array(z.record(z.string(), z.unknown())),
  rules: z.array(z.record(z.string(), z.unknown())),
  modifiers: z.array(z.record(z.string(), z.unknown())),
  internal_domains: z.array(z.string()),
  roles: z.array(z.record(z.string(), z.unknown())),
  permissions: z.record(z.string(), z.unknown()),
});

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.enum(["ok", "unreachable"]),
});

export const idParamsSchema = z.object({ id: z.uuid({ error: "expected a uuid" }) });
