// npm run example:openai-agents — an OpenAI Agents SDK agent whose deploy tool asks for
// approval (`needsApproval`), gated by Airlock: runWithAirlock puts the call to people, keeps
// the run's state in Airlock while they decide, and runs the tool once they approve. The model
// is the SDK's own ScriptedModel (no LLM needed): it asks to deploy once, then answers.
//
//   AIRLOCK_URL=http://localhost:3000 AIRLOCK_API_KEY=$(cat .data/demo-agent-key) npm run example:openai-agents
//
// Had this process died while it waited, another would go on from the saved state with
// `resumeWithAirlock(agent, { client, requestId })`, given the id of the request it printed.
import { Agent, setTracingDisabled, tool } from "@openai/agents";
import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
import { z } from "zod";
import { createAirlockClient } from "@airlock/sdk"; // added for Airlock
import { runWithAirlock } from "@airlock/sdk/openai-agents"; // added for Airlock

setTracingDisabled(true); // a scripted model: no traces to send to OpenAI

// The agent, as it was before Airlock.
const deployService = tool({
  name: "deploy_service",
  description: "Deploy a version of the service to an environment",
  parameters: z.object({ environment: z.string(), version: z.string() }),
  needsApproval: true,
  execute: async ({ environment, version }) => `deployed ${version} to ${environment}`,
});
const agent = new Agent({
  name: "release-bot",
  instructions: "Ship releases when asked.",
  model: new ScriptedModel([
    [functionCall("deploy_service", { environment: "staging", version: "2.4.1" }, { callId: "call-1" })],
    [assistantMessage("Done: staging runs 2.4.1.")],
  ]),
  tools: [deployService],
});

// added for Airlock: a client, and runWithAirlock where `run(agent, input)` was.
const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL ?? "http://localhost:3000",
  apiKey: process.env.AIRLOCK_API_KEY ?? "",
});
const result = await runWithAirlock(agent, "Deploy 2.4.1 to staging", {
  client,
  onWaiting: (request) => console.log(`${request.action_type}: waiting for approval at ${request.url}`),
});

for (const item of result.newItems) {
  if (item.type === "tool_call_output_item") console.log(`deploy_service: ${item.output}`);
}
console.log(result.finalOutput);
