// An OpenAI Agents SDK agent gated by Airlock, run with plain `node` in a project where only
// the packed SDK and @openai/agents are installed. The model is the SDK's own ScriptedModel.
//
// AGENT_MODE=start: the model asks for three calls at once (a staging deploy, a production
// deploy, a forecast); runWithAirlock submits them and saves the run's state in Airlock, and
// each waiting request is printed as {"waiting": …}. The test kills this process there.
// AGENT_MODE=resume, RESUME_REQUEST_ID=<a request of the run>: a fresh process, with nothing
// of the first in memory, goes on from the checkpoint (resumeWithAirlock); its model answers
// once it has read the calls' results. The last line is the JSON summary.
//
// Each tool run is appended to executions.jsonl here, so the test counts runs across both
// processes.
import { appendFileSync } from "node:fs";
import { createAirlockClient } from "@airlock/sdk";
import { resumeWithAirlock, runWithAirlock } from "@airlock/sdk/openai-agents";
import { Agent, Runner, tool } from "@openai/agents";
import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
import { z } from "zod";

const mode = process.env.AGENT_MODE;
const executions = [];
const record = (name, args) => {
  const line = { tool: name, args, pid: process.pid };
  executions.push(line);
  appendFileSync("executions.jsonl", `${JSON.stringify(line)}\n`);
};

const model = new ScriptedModel(
  mode === "start"
    ? [
        [
          functionCall(
            "deploy_service",
            { environment: "staging", version: "2.4.1" },
            { callId: "call-staging" },
          ),
          functionCall(
            "deploy_service",
            { environment: "production", version: "2.4.1" },
            { callId: "call-production" },
          ),
          functionCall("get_forecast", { city: "Lisbon" }, { callId: "call-forecast" }),
        ],
        [assistantMessage("never reached: this process is killed while it waits")],
      ]
    : [[assistantMessage("Staging runs 2.4.1; production and the forecast were not approved.")]],
);

const agent = new Agent({
  name: "release-bot",
  instructions: "Ship releases.",
  model,
  tools: [
    tool({
      name: "deploy_service",
      description: "Deploy a version of the service to an environment",
      parameters: z.object({ environment: z.string(), version: z.string() }),
      needsApproval: true,
      execute: async (args) => {
        record("deploy_service", args);
        return `deployed ${args.version} to ${args.environment}`;
      },
    }),
    tool({
      name: "get_forecast",
      description: "The weather forecast of a city",
      parameters: z.object({ city: z.string() }),
      needsApproval: true,
      execute: async (args) => {
        record("get_forecast", args);
        return "sunny";
      },
    }),
  ],
});

const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL,
  apiKey: process.env.AIRLOCK_API_KEY,
});
const options = {
  client,
  runner: new Runner({ tracingDisabled: true }),
  onWaiting: (request) => console.log(JSON.stringify({ waiting: request })),
};

const result =
  mode === "start"
    ? await runWithAirlock(agent, "Ship 2.4.1 and tell me the weather for the launch", {
        ...options,
        workflowId: process.env.WORKFLOW_ID,
      })
    : await resumeWithAirlock(agent, { ...options, requestId: process.env.RESUME_REQUEST_ID });

// What the model read as each call's result on the turn after the approvals.
const input = model.lastCall?.request.input;
const modelSaw = Object.fromEntries(
  (Array.isArray(input) ? input : [])
    .filter((item) => item.type === "function_call_result")
    .map((item) => [item.callId, item.output?.text ?? item.output]),
);
console.log(
  JSON.stringify({
    mode,
    executions,
    modelSaw,
    finalOutput: result.finalOutput,
    modelCalls: model.calls.length,
  }),
);
