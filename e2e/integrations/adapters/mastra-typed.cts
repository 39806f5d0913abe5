// A Mastra user's code, type-checked by adapters.spec.ts against the real @mastra/core in the
// case's project (never run): runWithAirlock takes the real Agent, typed as Mastra types it
// (standalone, or as its Mastra instance hands it out), its messages and its run options, and
// gives back Mastra's own FullOutput. CommonJS (.cts), so that it checks the SDK's .d.cts and
// stays out of the app's own type check, where @mastra/core is not installed.
import { createAirlockClient } from "@airlock/sdk";
import { runWithAirlock } from "@airlock/sdk/mastra";
import { Agent } from "@mastra/core/agent";
import { Mastra } from "@mastra/core/mastra";
import { InMemoryStore } from "@mastra/core/storage";
import { createTool } from "@mastra/core/tools";
import { MockLanguageModelV4 } from "ai/test";
import { z } from "zod";

const deploy = createTool({
  id: "deploy_service",
  description: "Deploy a version of the service",
  inputSchema: z.object({ environment: z.string(), version: z.string() }),
  requireApproval: true,
  execute: async ({ environment, version }) => ({ deployed: `${version} to ${environment}` }),
});
const agent = new Agent({
  id: "ops",
  name: "Ops",
  instructions: "Deploy what you are asked to deploy.",
  model: new MockLanguageModelV4(),
  tools: { deploy },
});
const mastra = new Mastra({ agents: { ops: agent }, storage: new InMemoryStore(), logger: false });
const client = createAirlockClient({ baseUrl: "http://localhost:3000", apiKey: "alk_example" });

export async function release(): Promise<string> {
  const result = await runWithAirlock(mastra.getAgent("ops"), "Deploy 1.4.2 to staging", {
    client,
    workflowId: "release-1.4.2",
    runOptions: { maxSteps: 5, memory: { thread: "release-1.4.2", resource: "ops-team" } },
    onWaiting: (request) => console.log(`${request.action_type}: ${request.url}`),
  });
  console.log(result.finishReason, result.toolResults.length);
  return result.text;
}

export async function otherCalls(): Promise<void> {
  await runWithAirlock(agent, [{ role: "user", content: "Deploy 1.4.2 to staging" }], {
    client,
    runOptions: { requireToolApproval: true },
    signal: AbortSignal.timeout(60_000),
  });
  // @ts-expect-error: not one of Mastra's run options
  await runWithAirlock(agent, "Deploy", { client, runOptions: { maxStep: 5 } });
  // @ts-expect-error: not messages Mastra takes
  await runWithAirlock(agent, 42, { client });
  // @ts-expect-error: the client is required
  await runWithAirlock(agent, "Deploy", {});
}
