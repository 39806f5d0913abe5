// npm run example:ai — a Vercel AI SDK agent (generateText with one tool) gated by Airlock
// through the SDK's own approval hook, toolApproval. The model is the AI SDK's scripted test
// model (no LLM needed): it asks to deploy web 1.4.3 to staging, then answers. The deploy
// waits for a person, prints the request's link, and runs once someone approves it (or not,
// with the reviewer's reason given to the model, when someone rejects it). The hook cannot
// carry an edited input, so reviewers are offered approve or reject only.
//
//   AIRLOCK_URL=http://localhost:3000 AIRLOCK_API_KEY=$(cat .data/demo-agent-key) npm run example:ai
import { generateText, isStepCount, tool } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { z } from "zod";
import { createAirlockClient } from "@airlock/sdk"; // added for Airlock
import { airlockToolApproval } from "@airlock/sdk/ai"; // added for Airlock

// The agent, as it was before Airlock.
const deployService = tool({
  description: "Deploy a version of a service to an environment",
  inputSchema: z.object({ service: z.string(), environment: z.string(), version: z.string() }),
  execute: async ({ service, environment, version }) =>
    `deployed ${service} ${version} to ${environment}`,
});
const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const model = new MockLanguageModelV4({
  doGenerate: [
    {
      content: [
        {
          type: "tool-call",
          toolCallId: "call-1",
          toolName: "deploy_service",
          input: JSON.stringify({ service: "web", environment: "staging", version: "1.4.3" }),
        },
      ],
      finishReason: { unified: "tool-calls", raw: undefined },
      usage,
      warnings: [],
    },
    {
      content: [{ type: "text", text: "Done." }],
      finishReason: { unified: "stop", raw: undefined },
      usage,
      warnings: [],
    },
  ],
});

// added for Airlock: a client, and toolApproval in generateText.
const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL ?? "http://localhost:3000",
  apiKey: process.env.AIRLOCK_API_KEY ?? "",
});

async function main() {
  const result = await generateText({
    model,
    tools: { deploy_service: deployService },
    prompt: "Ship web 1.4.3 to staging",
    stopWhen: isStepCount(2),
    toolApproval: airlockToolApproval({
      client,
      onWaiting: (r) => console.log(`${r.action_type}: waiting for approval at ${r.url}`),
    }),
  });

  for (const part of result.steps.flatMap((step) => step.content)) {
    if (part.type === "tool-result") console.log(`${part.toolName}: ${String(part.output)}`);
    if (part.type === "tool-approval-response" && !part.approved) {
      console.log(`${part.toolCall.toolName}: not run (${part.reason})`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(`example: ${(error as Error).message}`);
  process.exit(1);
});
