// What an AI SDK user writes to gate an agent, type-checked (never run) in the test's project
// against the real package's own types: the hook fits toolApproval in generateText, streamText
// and ToolLoopAgent, with typed tools, and names a workflow from the run's runtimeContext.
import { createAirlockClient } from "@airlock/sdk";
import { airlockToolApproval } from "@airlock/sdk/ai";
import { generateText, type LanguageModel, streamText, ToolLoopAgent, tool } from "ai";
import { z } from "zod";

declare const model: LanguageModel;
const client = createAirlockClient({ baseUrl: "http://localhost:3000", apiKey: "alk_example" });
const tools = {
  deploy_service: tool({
    inputSchema: z.object({ environment: z.string(), version: z.string() }),
    execute: async ({ environment, version }) => `deployed ${version} to ${environment}`,
  }),
};

export const generated = generateText({
  model,
  tools,
  prompt: "Ship 2.4.1 to staging",
  toolApproval: airlockToolApproval({ client }),
});
export const streamed = streamText({
  model,
  tools,
  prompt: "Ship 2.4.1 to staging",
  runtimeContext: { chatId: "chat-42" },
  toolApproval: airlockToolApproval({
    client,
    workflowId: ({ runtimeContext }) => `chat-${(runtimeContext as { chatId: string }).chatId}`,
  }),
});
export const agent = new ToolLoopAgent({
  model,
  tools,
  toolApproval: airlockToolApproval({ client, workflowId: "release-2.4.1" }),
});
