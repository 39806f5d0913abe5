// @airlock/sdk (SPEC §6.1, §6.2): the typed client of Airlock's agent API, webhook
// verification, and what a closed task means for the agent. Imports node:crypto and nothing
// else: the framework adapters live under their own subpaths (`@airlock/sdk/langgraph`,
// `/ai`, `/openai-agents`, `/claude-agent`, `/mastra`), the MCP server under `/mcp`.

export {
  type AirlockClient,
  type AirlockClientOptions,
  AirlockError,
  createAirlockClient,
  isOpen,
  type WaitOptions,
} from "./client";
export {
  type AdapterOptions,
  decideToolCall,
  describeToolCall,
  type ToolCall,
  type ToolCallVerdict,
  type WaitingRequest,
} from "./decide";
export { type ApprovalOutcome, outcomeOf } from "./outcome";
export type * from "./types";
export {
  computeSignature,
  DEFAULT_TOLERANCE_SECONDS,
  DELIVERY_HEADER,
  SIGNATURE_HEADER,
  signatureHeader,
  type VerifyOptions,
  type VerifyResult,
  verifyWebhook,
  type WebhookHeaders,
  type WebhookRefusal,
} from "./webhook";
