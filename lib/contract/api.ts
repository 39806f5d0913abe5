// Shapes of the reviewer-facing and utility routes, and the one error shape.
import { z } from "zod";
import { DECISIONS, OPEN_STATUSES, REQUEST_STATUSES, RISK_LEVELS } from "@/lib/hitl/types";
import { checkpointSchema } from "./checkpoints";
import { jsonObject, requiredText, text } from "./json";
import {
  actionDtoSchema,
  approvalGivenSchema,
  EXECUTION_STATUSES,
  personSchema,
  riskSchema,
  viaSchema,
} from "./tasks";

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
  status: z.enum(REQUEST_STATUSES),
  priority: z.string(),
  action: z.object({
    type: z.string(),
    operation: z.string().optional(),
    environment: z.string().optional(),
    resource_type: z.string().optional(),
    description: z.string(),
  }),
  risk: riskSchema,
  /** What the agent accepts back: without "edit", no edit-then-approve. */
  allowed_decisions: z.array(z.enum(DECISIONS)),
  /** Approvals that count now (since the last edit, from the awaited role or above). */
  approvals: z.object({ have: z.int(), need: z.int() }),
  /** The role an approval must come from now: the escalated-to role, else the level's. */
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

/** The queue's "recently decided" tab: a page, newest decision first, and where the next starts. */
export interface RecentResponse {
  items: RequestSummaryDto[];
  next_before: { decided_at: string; id: string } | null;
}

/** A queue row: the request, and whether the reviewer reading the queue may approve it now. */
export const queueItemSchema = requestSummarySchema.extend({
  actionable: z.boolean(),
  /** Why not, in words for the reviewer (their own agent's request, a level above their role…). */
  not_actionable_reason: z.string().nullable(),
});
export type QueueItemDto = z.infer<typeof queueItemSchema>;

export const queueQuerySchema = z.strictObject({
  status: z.enum(OPEN_STATUSES).optional(),
  risk_level: z.enum(RISK_LEVELS).optional(),
  agent: text(100).optional(),
  workflow_id: text(200).optional(),
  /** Part of the action type, any case (e.g. "deploy", "SEND_EMAIL"). */
  type: text(200).optional(),
  /** "true": only what the reviewer may approve now; counts follow the same filter. */
  actionable: z.enum(["true", "false"]).default("false"),
  /** Opaque and signed by the server: only a next_cursor it issued is accepted. */
  cursor: text(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type QueueQuery = z.input<typeof queueQuerySchema>;

export const queueResponseSchema = z.object({
  items: z.array(queueItemSchema),
  next_cursor: z.string().nullable(),
  /** Open requests per tab under the same filters as the items (all statuses). */
  counts: z.object({ pending: z.int(), escalated: z.int(), quarantined: z.int() }),
});
export type QueueResponse = z.infer<typeof queueResponseSchema>;

export const auditEventSchema = z.object({
  /** The order in which events were written. */
  id: z.int(),
  /** Its place in the hash chain; null until the sealer links it in (within a second). */
  seq: z.int().nullable(),
  type: z.string(),
  at: z.iso.datetime(),
  actor_type: z.enum(["user", "agent", "operator", "system"]),
  actor_id: z.string().nullable(),
  request_id: z.uuid().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

export const requestDetailSchema = requestSummarySchema.extend({
  action_details: actionDtoSchema,
  edited_inputs: z.record(z.string(), z.unknown()).nullable(),
  content_hash: z.string(),
  edit_generation: z.int(),
  rule_set_version: z.string(),
  requires_justification: z.boolean(),
  execution: z.enum(EXECUTION_STATUSES),
  callback_url: z.string().nullable(),
  approvals_given: z.array(approvalGivenSchema),
  /** Who closed it (the last approver, or the rejecter) by name; null when nobody did. */
  decider: personSchema.nullable(),
  /** How they decided; null when no person did (or before channels were recorded). */
  decided_via: viaSchema.nullable(),
  events: z.array(auditEventSchema),
  /** Whether the person reading may approve it now, and why not (as in the queue). */
  actionable: z.boolean(),
  not_actionable_reason: z.string().nullable(),
});
export type RequestDetailDto = z.infer<typeof requestDetailSchema>;

/** A request of a workflow, with who approved and who closed it, by name, and how. */
export const workflowRequestSchema = requestSummarySchema.extend({
  approvals_given: z.array(approvalGivenSchema),
  decider: personSchema.nullable(),
  decided_via: viaSchema.nullable(),
});
export type WorkflowRequestDto = z.infer<typeof workflowRequestSchema>;

/** An event of a workflow, and the person behind it when a person acted (else null). */
export const workflowEventSchema = auditEventSchema.extend({ person: personSchema.nullable() });

/** The lists of a workflow, each read a page at a time (SPEC §8.1: at most 100 a page). */
export const WORKFLOW_LISTS = ["requests", "events", "checkpoints"] as const;
export type WorkflowList = (typeof WORKFLOW_LISTS)[number];
export const WORKFLOW_PAGE_MAX = 100;

const perList = <T extends z.ZodType>(item: T) =>
  z.object({ requests: item, events: item, checkpoints: item });

export const workflowStatusSchema = z.object({
  workflow_id: z.string(),
  /** Requests per status, and `total`: the whole workflow's, not the page's. */
  counts: z.record(z.string(), z.int()),
  started_at: z.iso.datetime().nullable(),
  last_activity_at: z.iso.datetime().nullable(),
  /** The first page of its requests, oldest first. */
  requests: z.array(workflowRequestSchema),
  /** The latest page of its timeline (a timeline is read from its end), oldest first. */
  events: z.array(workflowEventSchema),
  /**
   * The first page of what its agents saved along the way, with the data: request by request,
   * in the requests' order, each request's in sequence.
   */
  checkpoints: z.array(checkpointSchema),
  /** How many of each the whole workflow has. */
  totals: perList(z.int()),
  /**
   * Where each list goes on (a workflow page's `cursor`): the requests and checkpoints after
   * these, the events before them; null when there are no more.
   */
  cursors: perList(z.string().nullable()),
});
export type WorkflowStatusDto = z.infer<typeof workflowStatusSchema>;

/** The next page of one of a workflow's lists, from a cursor the answer before it gave. */
export const workflowPageQuerySchema = z.strictObject({
  workflow_id: requiredText(200),
  list: z.enum(WORKFLOW_LISTS),
  /** Checked against the list in the service: only a cursor of that list is accepted. */
  cursor: z.string().max(500, "must be at most 500 characters"),
});
export type WorkflowPageQuery = z.input<typeof workflowPageQuerySchema>;

const pageOf = <L extends WorkflowList, T extends z.ZodType>(list: L, item: T) =>
  z.object({ list: z.literal(list), items: z.array(item), next_cursor: z.string().nullable() });

/** A page of one list, in the list's order; `next_cursor` continues it (null: no more). */
export const workflowPageSchema = z.discriminatedUnion("list", [
  pageOf("requests", workflowRequestSchema),
  /** The events before the cursor, oldest first; `next_cursor` is for the ones before these. */
  pageOf("events", workflowEventSchema),
  pageOf("checkpoints", checkpointSchema),
]);
export type WorkflowPageDto = z.infer<typeof workflowPageSchema>;

export const assessmentSchema = z.object({
  level: z.enum(RISK_LEVELS),
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

export type AssessmentDto = z.infer<typeof assessmentSchema>;

/** The rule viewer's JSON: levels, rules, modifiers, roles and the permission table. */
export const riskRulesSchema = z.object({
  version: z.string(),
  defaults: z.object({
    level: z.enum(RISK_LEVELS),
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

export type RiskRulesDto = z.infer<typeof riskRulesSchema>;

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.enum(["ok", "unreachable"]),
});

export const idParamsSchema = z.object({ id: z.uuid({ error: "expected a uuid" }) });
/** The action's approval request: `{id}` in /api/hitl/actions/{id}/… */
export const ACTION_ID_DESCRIPTION =
  "The action's approval request: approval_request_id in the submit's answer (not the task id)";
/** `{id}` of /api/hitl/actions/{id}/…, said to be the approval request's id in the document. */
export const actionParamsSchema = z.object({
  id: z.uuid({ error: "expected a uuid" }).describe(ACTION_ID_DESCRIPTION),
});
