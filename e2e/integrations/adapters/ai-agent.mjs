// An AI SDK agent gated by Airlock, as an outside project runs it (plain node, the packed SDK):
// generateText with toolApproval: airlockToolApproval(...). Its scripted model (ai/test) asks
// for three tool calls at once — a staging deploy, a restart, a forecast — and then answers.
// Prints each request's link as it waits, and last a JSON summary: what the tools ran with,
// what the model was told of each call on its next turn, and the answers the hook gave.
import { createAirlockClient } from "@airlock/sdk";
import { airlockToolApproval } from "@airlock/sdk/ai";
import { generateText, isStepCount, tool } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { z } from "zod";

const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL,
  apiKey: process.env.AIRLOCK_API_KEY,
});

const executions = [];
const executed = (name) => async (input) => {
  executions.push({ tool: name, input });
  return `${name} done`;
};
const tools = {
  deploy_service: tool({
    description: "Deploy a version of the web service to an environment",
    inputSchema: z.object({ environment: z.string(), version: z.string() }),
    execute: executed("deploy_service"),
  }),
  restart_service: tool({
    description: "Restart a service",
    inputSchema: z.object({ service: z.string(), environment: z.string() }),
    execute: executed("restart_service"),
  }),
  get_forecast: tool({
    description: "The weather forecast for a city",
    inputSchema: z.object({ city: z.string() }),
    execute: executed("get_forecast"),
  }),
};

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};
const toolCall = (toolCallId, toolName, input) => ({
  type: "tool-call",
  toolCallId,
  toolName,
  input: JSON.stringify(input),
});
const model = new MockLanguageModelV4({
  doGenerate: [
    {
      content: [
        toolCall("call-deploy", "deploy_service", { environment: "staging", version: "2.4.1" }),
        toolCall("call-restart", "restart_service", { service: "billing", environment: "staging" }),
        toolCall("call-forecast", "get_forecast", { city: "Berlin" }),
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

// The hook's own answers, as the SDK got them.
const verdicts = {};
const gate = airlockToolApproval({
  client,
  workflowId: process.env.WORKFLOW_ID,
  onWaiting: (r) => console.log(`${r.action_type}: waiting for approval at ${r.url}`),
});
const toolApproval = async (call) => {
  const answer = await gate(call);
  verdicts[call.toolCall.toolName] = answer;
  return answer;
};

const result = await generateText({
  model,
  tools,
  prompt: "Ship 2.4.1 to staging, restart billing, and tell me the weather in Berlin",
  stopWhen: isStepCount(3),
  toolApproval,
});

// What the model read of each call on its next turn.
const nextTurn = model.doGenerateCalls[1]?.prompt ?? [];
const modelSaw = Object.fromEntries(
  nextTurn
    .filter((m) => m.role === "tool")
    .flatMap((m) => m.content)
    .filter((p) => p.type === "tool-result")
    .map((p) => [p.toolName, p.output]),
);
console.log(JSON.stringify({ executions, modelSaw, verdicts, text: result.text }));
