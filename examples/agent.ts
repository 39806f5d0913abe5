// npm run example:agent — an agent's own LangGraph graph, gated by Airlock's approvalGateNode
// (plain functions, no LLM). A low-risk read goes on at once; a production deploy waits for a
// person, prints the request's link, and goes on when someone approves it (or stops, with the
// reviewer's reason, when someone rejects it).
//
//   AIRLOCK_URL=http://localhost:3000 AIRLOCK_API_KEY=$(cat .data/demo-agent-key) npm run example:agent
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { type ApprovalOutcome, createAirlockClient } from "@airlock/sdk";
import { approvalGateNode, runWithAirlock } from "@airlock/sdk/langgraph";

const apiKey = process.env.AIRLOCK_API_KEY;
if (!apiKey) {
  console.error("Set AIRLOCK_API_KEY to an agent key (npm run demo saves one in .data/demo-agent-key)");
  process.exit(2);
}
const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL ?? "http://localhost:3000",
  apiKey,
});

interface Step {
  type: string;
  environment: string;
  description: string;
  inputs: Record<string, unknown>;
}

const State = Annotation.Root({
  step: Annotation<Step>,
  approval: Annotation<ApprovalOutcome | null>,
  done: Annotation<string>,
});

const graph = new StateGraph(State)
  .addNode(
    "gate",
    approvalGateNode<typeof State.State>({
      client,
      agentName: "example-agent",
      action: (state) => state.step,
      approved: "run",
      rejected: "stop",
    }),
    { ends: ["run", "stop"] },
  )
  // With the inputs as approved (a reviewer may have edited them).
  .addNode("run", (state) => ({
    done: `ran ${state.step.type} with ${JSON.stringify(state.approval?.inputs ?? state.step.inputs)}`,
  }))
  .addNode("stop", (state) => ({ done: `did not run ${state.step.type}: ${state.approval?.reason}` }))
  .addEdge(START, "gate")
  .addEdge("run", END)
  .addEdge("stop", END)
  .compile({ checkpointer: new MemorySaver() });

const steps: Step[] = [
  {
    type: "FILE.READ",
    environment: "development",
    description: "Read the release notes",
    inputs: { path: "RELEASE.md" },
  },
  {
    type: "deploy",
    environment: "production",
    description: "Deploy the auth service to production",
    inputs: { service: "auth", version: "1.4.2" },
  },
];

async function main() {
  const run = `example-${Date.now()}`;
  for (const [n, step] of steps.entries()) {
    const result = (await runWithAirlock(
      graph,
      { step, approval: null },
      {
        client,
        config: { configurable: { thread_id: `${run}-${n}` } },
        workflowId: run,
        onWaiting: (r) => console.log(`${step.type}: waiting for approval at ${r.url}`),
      },
    )) as typeof State.State;
    console.log(`${step.type}: ${result.done}`);
  }
}

main().catch((error: unknown) => {
  console.error(`example: ${(error as Error).message}`);
  process.exit(1);
});
