// The Mastra case of adapters.spec.ts, run with plain `node` in a project where only the packed
// SDK, @mastra/core, ai and zod are installed: a Mastra agent with three `requireApproval`
// tools, driven by a scripted AI SDK model (ai/test's MockLanguageModelV4) and run through
// runWithAirlock. The model calls one tool a turn — deploy_service, rollback_service, then
// get_forecast — and records the tool results it is given each turn. The last line printed is
// the JSON summary the spec asserts on.
import { createAirlockClient } from "@airlock/sdk";
import { runWithAirlock } from "@airlock/sdk/mastra";
import { Agent } from "@mastra/core/agent";
import { Mastra } from "@mastra/core/mastra";
import { InMemoryStore } from "@mastra/core/storage";
import { createTool } from "@mastra/core/tools";
import { MockLanguageModelV4 } from "ai/test";
import { z } from "zod";

const PLAN = [
  { toolName: "deploy_service", input: { environment: "staging", version: "1.4.2" } },
  { toolName: "rollback_service", input: { environment: "staging", version: "1.3.9" } },
  { toolName: "get_forecast", input: { city: "Oslo" } },
];

/** Each tool that ran, with the arguments it ran with. */
const executed = [];
/** What the model was given each turn: the results of the tool calls so far. */
const modelSaw = [];

const USAGE = {
  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 1, text: 1, reasoning: 0 },
};

/** One turn of the model as a stream of LanguageModelV4 parts. */
function turn(parts, finish) {
  return {
    stream: new ReadableStream({
      start(controller) {
        controller.enqueue({ type: "stream-start", warnings: [] });
        for (const part of parts) controller.enqueue(part);
        controller.enqueue({ type: "finish", finishReason: { unified: finish }, usage: USAGE });
        controller.close();
      },
    }),
  };
}

// The model's next move depends only on the tool results in its prompt, so a resumed run
// continues the script where it stopped.
const model = new MockLanguageModelV4({
  doStream: async ({ prompt }) => {
    const results = prompt
      .filter((m) => m.role === "tool")
      .flatMap((m) => m.content)
      .filter((part) => part.type === "tool-result")
      .map((part) => ({ toolName: part.toolName, output: part.output }));
    modelSaw.push(results);
    const next = PLAN[results.length];
    if (next === undefined) {
      const text = `Done after ${results.length} tool calls.`;
      return turn(
        [
          { type: "text-start", id: "answer" },
          { type: "text-delta", id: "answer", delta: text },
          { type: "text-end", id: "answer" },
        ],
        "stop",
      );
    }
    const call = {
      type: "tool-call",
      toolCallId: `call-${results.length + 1}`,
      toolName: next.toolName,
      input: JSON.stringify(next.input),
    };
    return turn([call], "tool-calls");
  },
});

function gatedTool(id, description, inputSchema) {
  return createTool({
    id,
    description,
    inputSchema,
    requireApproval: true,
    execute: async (args) => {
      executed.push({ toolName: id, args });
      return { ok: true, did: `${id} ${JSON.stringify(args)}` };
    },
  });
}

const release = z.object({ environment: z.string(), version: z.string() });
const agent = new Agent({
  id: "release-agent",
  name: "release-agent",
  instructions: "Release the service, and check the weather for the launch party.",
  model,
  tools: {
    deploy_service: gatedTool("deploy_service", "Deploy a version of the service", release),
    rollback_service: gatedTool("rollback_service", "Roll the service back", release),
    get_forecast: gatedTool(
      "get_forecast",
      "Get the weather forecast",
      z.object({ city: z.string() }),
    ),
  },
});
// Mastra keeps a suspended run in storage: in memory is enough within one process.
const mastra = new Mastra({
  agents: { releaseAgent: agent },
  storage: new InMemoryStore(),
  logger: false,
});

const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL,
  apiKey: process.env.AIRLOCK_API_KEY,
});
const result = await runWithAirlock(mastra.getAgent("releaseAgent"), "Ship 1.4.2 to staging", {
  client,
  workflowId: process.env.WORKFLOW_ID,
  onWaiting: (request) =>
    console.log(`${request.action_type}: waiting for approval at ${request.url}`),
});

console.log(
  JSON.stringify({
    executed,
    modelSaw,
    finishReason: result.finishReason,
    text: result.text,
  }),
);
