// What an agent's author writes with @airlock/sdk/openai-agents, type-checked in the test's
// project against the real @openai/agents (never run): the run, and its resume elsewhere.
import { createAirlockClient } from "@airlock/sdk";
import { resumeWithAirlock, runWithAirlock } from "@airlock/sdk/openai-agents";
import { Agent, Runner, tool } from "@openai/agents";
import { z } from "zod";

const deployService = tool({
  name: "deploy_service",
  description: "Deploy a version of the service to an environment",
  parameters: z.object({ environment: z.string(), version: z.string() }),
  needsApproval: true,
  execute: async ({ environment, version }) => `deployed ${version} to ${environment}`,
});
const agent = new Agent({
  name: "release-bot",
  instructions: "Ship releases.",
  tools: [deployService],
});
const client = createAirlockClient({ baseUrl: "http://localhost:3000", apiKey: "alk_example" });

export async function ship(): Promise<string | undefined> {
  const result = await runWithAirlock(agent, "Ship 2.4.1 to staging", {
    client,
    workflowId: "release-2.4.1",
    runner: new Runner({ tracingDisabled: true }),
    runOptions: { maxTurns: 5 },
    timeoutMs: 3_600_000,
    onWaiting: (request) => console.log(`${request.action_type}: waiting at ${request.url}`),
  });
  return result.finalOutput;
}

/** After the first process died: any request of the run finds its saved state. */
export async function shipAfterRestart(requestId: string): Promise<string | undefined> {
  const result = await resumeWithAirlock(agent, { client, requestId });
  return result.finalOutput;
}
