// The agent-facing shapes of an action and a task submission, shared by the API routes, the
// services, the OpenAPI document and the SDK.
import { z } from "zod";
import { DECISIONS, REQUEST_STATUSES, RISK_LEVELS } from "../hitl/types";
import { identifier, jsonObject, requiredText, text, unstorableText } from "./json";

/** An action as an agent submits it, and as it is assessed (`POST /api/hitl/assess-risk`). */
export const actionSchema = z.strictObject({
  type: identifier(200),
  operation: identifier(100).optional(),
  environment: identifier(100).optional(),
  resource_type: identifier(100).optional(),
  description: text(10_000),
  inputs: jsonObject.optional(),
  context: jsonObject.optional(),
});
export type ActionInput = z.output<typeof actionSchema>;

/**
 * An action as Airlock answers it: its identifiers as they were stored (a request submitted
 * before they had to be identifiers keeps its text), the description optional.
 */
export const actionDtoSchema = actionSchema
  .extend({
    type: z.string(),
    operation: z.string().optional(),
    environment: z.string().optional(),
    resource_type: z.string().optional(),
  })
  .partial({ description: true });

export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

/** What the agent's own approval protocol accepts back; rejection always stands. */
export const allowedDecisionsSchema = z
  .array(z.enum(DECISIONS, { error: `expected one of ${DECISIONS.join(", ")}` }))
  .min(1, "must name at least one decision")
  .refine((d) => new Set(d).size === d.length, "names a decision twice")
  .refine((d) => d.includes("approve") || d.includes("edit"), "must allow approve or edit");

export const submitTaskSchema = z.strictObject({
  workflow_id: requiredText(200),
  agent_name: requiredText(100),
  action: actionSchema,
  thread_id: requiredText(200).optional(),
  priority: z.enum(PRIORITIES).default("normal"),
  allowed_decisions: allowedDecisionsSchema.optional(),
  callback_url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
    .max(2000)
    // z.url() lets a NUL through, which PostgreSQL text cannot store.
    .refine((s) => unstorableText(s) === null, "must not contain NUL characters or lone surrogates")
    .optional(),
});
export type SubmitTaskInput = z.output<typeof submitTaskSchema>;

export const IDEMPOTENCY_KEY_MAX = 200;

/** Where a task's execution stands: waiting for its request, running past the gate, done. */
export const EXECUTION_STATUSES = ["waiting", "running", "completed", "failed"] as const;

export const riskSchema = z.object({
  level: z.enum(RISK_LEVELS),
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()),
  matched_rules: z.array(z.string()),
});

/** A person, by name and email (the id beside them). */
export const personSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string().nullable(),
});
export type PersonDto = z.infer<typeof personSchema>;

/** The standing approval that approved a request on arrival, and who granted it; else null. */
export const approvedByGrantSchema = z
  .object({ id: z.uuid(), granted_by: personSchema })
  .nullable();
export type ApprovedByGrant = z.infer<typeof approvedByGrantSchema>;

export const submitTaskResponseSchema = z.object({
  task_id: z.uuid(),
  thread_id: z.string(),
  approval_request_id: z.uuid(),
  status: z.enum(REQUEST_STATUSES),
  auto_approved: z.boolean(),
  approved_by_grant: approvedByGrantSchema,
  risk: riskSchema,
  expires_at: z.iso.datetime().nullable(),
});
export type SubmitTaskResponse = z.infer<typeof submitTaskResponseSchema>;

/** How a decision reached Airlock (SPEC §8.2): the page, a reviewer key, Slack, or the CLI. */
export const DECISION_CHANNELS = ["browser", "api", "slack", "cli"] as const;
export type DecisionChannel = (typeof DECISION_CHANNELS)[number];

/**
 * How a decision was made: its channel and, from the CLI, the operating-system user who ran
 * it (else null). A decision recorded before channels were recorded has none: null.
 */
export const viaSchema = z.object({
  channel: z.enum(DECISION_CHANNELS),
  os_user: z.string().nullable(),
});
export type ViaDto = z.infer<typeof viaSchema>;

/** A person as a sentence names them: "Ada Lovelace <ada@example.com>", or the address alone. */
export function personWords(p: PersonDto): string {
  return p.name ? `${p.name} <${p.email}>` : p.email;
}

const CHANNEL_WORDS: Record<DecisionChannel, string> = {
  browser: "the browser",
  api: "the API",
  slack: "Slack",
  cli: "the CLI",
};

/** The channel a decision came through, in words: "Slack", "the CLI (OS user alice)". */
export function channelWords(v: ViaDto): string {
  return `${CHANNEL_WORDS[v.channel]}${v.os_user === null ? "" : ` (OS user ${v.os_user})`}`;
}

/** How a decision was made, as a sentence says it: "via Slack", "via the CLI (OS user alice)". */
export function viaWords(v: ViaDto): string {
  return `via ${channelWords(v)}`;
}

export const approvalGivenSchema = z.object({
  approver_id: z.uuid(),
  /** The approver by name and email. */
  approver: personSchema,
  /** How they approved; null for an approval given before channels were recorded. */
  via: viaSchema.nullable(),
  role: z.string(),
  justification: z.string().nullable(),
  /** False once an edit changed what was approved: it no longer counts. */
  counts: z.boolean(),
  at: z.iso.datetime(),
});

/**
 * What the task's graph returned (its last node): the approved action to run, or why it will
 * not run; with the task's `context` as the graph carried it across its gate. Also the
 * callback's body, beside the delivery's ids.
 */
export const executionResultSchema = z.discriminatedUnion("status", [
  z.object({
    executed: z.literal(true),
    status: z.literal("approved"),
    action: actionDtoSchema,
    context: z.record(z.string(), z.unknown()),
  }),
  z.object({
    executed: z.literal(false),
    status: z.enum(["rejected", "expired", "cancelled"]),
    reason: z.string().nullable(),
    context: z.record(z.string(), z.unknown()),
  }),
  // Driving the graph failed for good (an operator may retry it: `hitl outbox retry`).
  z.object({ executed: z.literal(false), status: z.literal("failed"), error: z.string() }),
]);
export type ExecutionResultDto = z.infer<typeof executionResultSchema>;

export const taskSchema = z.object({
  task_id: z.uuid(),
  workflow_id: z.string(),
  thread_id: z.string(),
  agent_name: z.string(),
  approval_request_id: z.uuid(),
  status: z.enum(REQUEST_STATUSES),
  auto_approved: z.boolean(),
  approved_by_grant: approvedByGrantSchema,
  execution: z.enum(EXECUTION_STATUSES),
  risk: riskSchema,
  action: actionDtoSchema,
  approvals: z.array(approvalGivenSchema),
  required_approvals: z.int(),
  allowed_decisions: z.array(z.enum(DECISIONS)),
  decision: z
    .object({
      status: z.enum(["approved", "rejected", "expired", "cancelled"]),
      decided_at: z.iso.datetime(),
      /** The reviewer who closed it; null when the system or the agent did. */
      reviewer_id: z.uuid().nullable(),
      /** That reviewer by name and email; null when the system or the agent closed it. */
      reviewer: personSchema.nullable(),
      /** How the reviewer decided; null when no reviewer did (or before channels were recorded). */
      via: viaSchema.nullable(),
      justification: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .nullable(),
  /** The inputs to run with when a reviewer edited them before approving; else null. */
  edited_inputs: z.record(z.string(), z.unknown()).nullable(),
  escalated_to: z.string().nullable(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime(),
  /** When the task's graph first reached its gate (or went through it). */
  started_at: z.iso.datetime().nullable(),
  resumed_at: z.iso.datetime().nullable(),
  /** When the graph's last node ran; `result` is what it returned. */
  completed_at: z.iso.datetime().nullable(),
  result: executionResultSchema.nullable(),
});
export type TaskDto = z.infer<typeof taskSchema>;

export const resumeResponseSchema = z.object({
  task_id: z.uuid(),
  status: z.literal("approved"),
  resumed: z.literal(true),
  resumed_at: z.iso.datetime(),
  /** The action to run, with any inputs a reviewer edited. */
  action: actionDtoSchema,
  execution: z.literal("completed"),
  result: executionResultSchema,
});

export const cancelTaskSchema = z.strictObject({ reason: text(2000).optional() });
