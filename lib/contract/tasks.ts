// The agent-facing shapes of an action and a task submission, shared by the API routes, the
// services, the OpenAPI document and the SDK.
import { z } from "zod";
import { jsonObject, requiredText, text } from "./json";

export const actionSchema = z.strictObject({
  type: requiredText(200),
  operation: text(100).optional(),
  environment: text(100).optional(),
  resource_type: text(100).optional(),
  description: text(10_000),
  inputs: jsonObject.optional(),
  context: jsonObject.optional(),
});
export type ActionInput = z.output<typeof actionSchema>;

export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

export const submitTaskSchema = z.strictObject({
  workflow_id: requiredText(200),
  agent_name: requiredText(100),
  action: actionSchema,
  thread_id: requiredText(200).optional(),
  priority: z.enum(PRIORITIES).default("normal"),
  callback_url: z
    .url({ protocol: /^https?$/, error: "expected an http(s) URL" })
    .max(2000)
    .optional(),
});
export type SubmitTaskInput = z.output<typeof submitTaskSchema>;

export const IDEMPOTENCY_KEY_MAX = 200;
