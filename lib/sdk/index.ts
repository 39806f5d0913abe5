// Airlock's SDK for agents (SPEC §6.1): the typed client, webhook verification, an approval
// gate for an agent's own LangGraph graph, and runWithAirlock, which answers the approval
// interrupts of LangChain's and LangGraph's own protocols through Airlock. It imports
// lib/contract, lib/webhook/signature (node:crypto only), @langchain/langgraph and
// @langchain/core — nothing of the server — so an agent's Node project can use it.

export { verifyWebhook } from "../webhook/signature";
export {
  type AirlockClient,
  type AirlockClientOptions,
  AirlockError,
  createAirlockClient,
  isOpen,
  type ResumeResponse,
  type SubmitTaskBody,
  type WaitOptions,
} from "./client";
export {
  type AirlockGateInterrupt,
  type ApprovalGateOptions,
  type ApprovalOutcome,
  approvalGateNode,
  isAirlockGateInterrupt,
  outcomeOf,
} from "./gate";
export {
  type InvokableRunnable,
  type RunWithAirlockOptions,
  runWithAirlock,
  type WaitingRequest,
} from "./run";
