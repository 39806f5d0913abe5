// npm run example:mastra — a Mastra agent whose deploy tool has `requireApproval`, gated by
// Airlock: runWithAirlock puts the call Mastra suspends for approval to people in Airlock, and
// answers Mastra with approveToolCall or declineToolCall (whose reason the model reads). The
// model is scripted (no LLM needed): it asks to deploy to staging, then answers.
//
//   AIRLOCK_URL=http://localhost:3000 AIRLOCK_API_KEY=$(cat .data/demo-agent-key) npm run example:mastra
import { Agent } from "@mastra/core/agent";
import { Mastra } from "@mastra/core/mastra";
import { InMemoryStore } from "@mastra/core/storage";
import { createTool } from "@mastra/core/tools";
import { MockLanguageModelV4, simulateReadableStream } from "ai/test";
import { z } from "zod";
import { createAirlockClient } from "@airlock/sdk"; // added for Airlock
import { runWithAirlock } from "@airlock/sdk/mastra"; // added for Airlock

// The agent, as it was before Airlock.
const deployService = createTool({
  id: "deploy_service",
  description: "Deploy a version of the service",
  inputSchema: z.object({ environment: z.string(), version: z.string() }),
  requireApproval: true,
  execute: async ({ environment, version }) => `deployed ${version} to ${environment}`,
});
const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};
const model = new MockLanguageModelV4({
  doStream: [
    {
      stream: simulateReadableStream({
        chunks: [
          { type: "stream-start", warnings: [] },
          {
            type: "tool-call",
            toolCallId: "call-1",
            toolName: "deploy_service",
            input: JSON.stringify({ environment: "staging", version: "1.4.2" }),
          },
          { type: "finish", finishReason: { unified: "tool-calls", raw: undefined }, usage },
        ],
      }),
    },
    {
      stream: simulateReadableStream({
        chunks: [
          { type: "stream-start", warnings: [] },
          { type: "text-start", id: "answer" },
          { type: "text-delta", id: "answer", delta: "Done." },
          { type: "text-end", id: "answer" },
          { type: "finish", finishReason: { unified: "stop", raw: undefined }, usage },
        ],
      }),
    },
  ],
});
const agent = new Agent({
  id: "release-agent",
  name: "release-agent",
  instructions: "Deploy what you are asked to deploy.",
  model,
  tools: { deploy_service: deployService },
});
// Mastra keeps a run that waits for approval in its storage.
const mastra = new Mastra({
  agents: { releaseAgent: agent },
  storage: new InMemoryStore(),
  logger: false,
});

// added for Airlock: a client, and runWithAirlock where agent.stream was.
const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL ?? "http://localhost:3000",
  apiKey: process.env.AIRLOCK_API_KEY ?? "",
});
const result = await runWithAirlock(agent, "Ship 1.4.2 to staging", {
  client,
  onWaiting: (r) => console.log(`${r.action_type}: waiting for approval at ${r.url}`),
});

const ran = result.toolResults.map(({ payload }) => `${payload.toolName}: ${payload.result}`);
console.log(ran.length > 0 ? ran.join("\n") : "deploy_service did not run");
