// @airlock/sdk/langgraph (SPEC §6.1): an approval gate node for an agent's own LangGraph
// graph, and runWithAirlock, which answers the approval interrupts of LangChain's and
// LangGraph's own protocols through Airlock. Needs @langchain/langgraph beside it.

export {
  type AirlockGateInterrupt,
  type ApprovalGateOptions,
  approvalGateNode,
  isAirlockGateInterrupt,
} from "./langgraph-gate";
export {
  type InvokableRunnable,
  type RunWithAirlockOptions,
  runWithAirlock,
} from "./langgraph-run";
