import { generateText, isStepCount, streamText, ToolLoopAgent, tool } from "ai";
import { convertArrayToReadableStream, MockLanguageModelV4 } from "ai/test";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { airlockToolApproval } from "./ai";
import type { AirlockClient } from "./client";
import { type Decide, scriptedAirlock } from "./testing/scripted-airlock";
import type { TaskDto } from "./types";

// The AI SDK's real generateText / streamText / ToolLoopAgent, driven by its own scripted
// model (ai/test), with an Airlock client whose decisions are scripted per tool.

// The model's own shapes, as the mock takes and records them.
type Turn = Awaited<ReturnType<MockLanguageModelV4["doGenerate"]>>;
type Prompt = MockLanguageModelV4["doGenerateCalls"][number]["prompt"];
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV4["doStream"]>>["stream"] extends ReadableStream<infer P>
    ? P
    : never;

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

/** One model turn that calls these tools. */
const callsTools = (...calls: [string, string, unknown][]): Turn => ({
  content: calls.map(([toolCallId, toolName, input]) => ({
    type: "tool-call",
    toolCallId,
    toolName,
    input: JSON.stringify(input),
  })),
  finishReason: { unified: "tool-calls", raw: undefined },
  usage,
  warnings: [],
});
const answers = (text: string): Turn => ({
  content: [{ type: "text", text }],
  finishReason: { unified: "stop", raw: undefined },
  usage,
  warnings: [],
});

/** The tools of the scripted agent, recording each run. */
function deployTools() {
  const ran: { tool: string; input: unknown }[] = [];
  const record = (name: string) => async (input: unknown) => {
    ran.push({ tool: name, input });
    return `${name} done`;
  };
  const tools = {
    deploy_service: tool({
      description: "Deploy a service version to an environment",
      inputSchema: z.object({ environment: z.string(), version: z.string() }),
      execute: record("deploy_service"),
    }),
    restart_service: tool({
      description: "Restart a service",
      inputSchema: z.object({ service: z.string(), environment: z.string() }),
      execute: record("restart_service"),
    }),
    get_forecast: tool({
      description: "The weather forecast for a city",
      inputSchema: z.object({ city: z.string() }),
      execute: record("get_forecast"),
    }),
  };
  return { tools, ran };
}

/** What the model was told of each tool call's result in a prompt. */
function toolResultsIn(prompt: Prompt) {
  return prompt.flatMap((m) =>
    m.role === "tool"
      ? m.content.flatMap((p) => (p.type === "tool-result" ? [[p.toolName, p.output]] : []))
      : [],
  );
}

const byTool: Decide = (body) => {
  switch (body.action.type) {
    case "deploy_service":
      return { status: "approved" };
    case "restart_service":
      return {
        status: "rejected",
        decision: { status: "rejected", reason: "Not during the release freeze" },
      } as Partial<TaskDto>;
    default:
      return { status: "expired" };
  }
};

describe("airlockToolApproval: the AI SDK's toolApproval answered through Airlock", () => {
  it("runs the approved call once; the rejected and the expired ones never run, and the model reads why", async () => {
    const { client, submitted } = scriptedAirlock(byTool);
    const { tools, ran } = deployTools();
    const model = new MockLanguageModelV4({
      doGenerate: [
        callsTools(
          ["call-1", "deploy_service", { environment: "staging", version: "2.4.1" }],
          ["call-2", "restart_service", { service: "billing", environment: "staging" }],
          ["call-3", "get_forecast", { city: "Berlin" }],
        ),
        answers("Deployed; the restart was refused."),
      ],
    });
    const waiting: string[] = [];
    const result = await generateText({
      model,
      tools,
      prompt: "Ship 2.4.1 to staging",
      stopWhen: isStepCount(3),
      toolApproval: airlockToolApproval({ client, onWaiting: (r) => waiting.push(r.url) }),
    });

    expect(result.text).toBe("Deployed; the restart was refused.");
    expect(ran).toEqual([
      { tool: "deploy_service", input: { environment: "staging", version: "2.4.1" } },
    ]);
    const secondTurn = model.doGenerateCalls[1]?.prompt ?? [];
    expect(toolResultsIn(secondTurn)).toEqual([
      ["deploy_service", { type: "text", value: "deploy_service done" }],
      [
        "restart_service",
        {
          type: "execution-denied",
          reason: "Not approved in Airlock: Not during the release freeze",
        },
      ],
      [
        "get_forecast",
        {
          type: "execution-denied",
          reason: expect.stringContaining("expired before anyone decided"),
        },
      ],
    ]);

    // One task a call, of one workflow, with no edit offered (the hook cannot carry one).
    expect(submitted.map((s) => [s.body.action.type, s.body.action.inputs])).toEqual([
      ["deploy_service", { environment: "staging", version: "2.4.1" }],
      ["restart_service", { service: "billing", environment: "staging" }],
      ["get_forecast", { city: "Berlin" }],
    ]);
    const workflows = new Set(submitted.map((s) => s.body.workflow_id));
    expect(workflows.size).toBe(1);
    expect([...workflows][0]).toMatch(/^ai-sdk-[0-9a-f-]{36}$/);
    for (const { body, idempotencyKey } of submitted) {
      expect(body.allowed_decisions).toEqual(["approve", "reject"]);
      expect(idempotencyKey).toMatch(/^call-[0-9a-f]{64}$/);
    }
    expect(waiting).toEqual([
      "http://airlock.test/requests/request-1",
      "http://airlock.test/requests/request-2",
      "http://airlock.test/requests/request-3",
    ]);
  });

  it("gates streamText, and names the workflow from the call when asked", async () => {
    const { client, submitted } = scriptedAirlock(byTool);
    const { tools, ran } = deployTools();
    const turn = (parts: StreamPart[]) => ({ stream: convertArrayToReadableStream(parts) });
    const finish = (unified: "tool-calls" | "stop"): StreamPart => ({
      type: "finish",
      finishReason: { unified, raw: undefined },
      usage,
    });
    const model = new MockLanguageModelV4({
      doStream: [
        turn([
          {
            type: "tool-call",
            toolCallId: "call-1",
            toolName: "restart_service",
            input: JSON.stringify({ service: "billing", environment: "staging" }),
          },
          finish("tool-calls"),
        ]),
        turn([
          { type: "text-start", id: "t" },
          { type: "text-delta", id: "t", delta: "Not restarted." },
          { type: "text-end", id: "t" },
          finish("stop"),
        ]),
      ],
    });
    const result = streamText({
      model,
      tools,
      prompt: "Restart billing",
      stopWhen: isStepCount(3),
      runtimeContext: { chat: "chat-42" },
      toolApproval: airlockToolApproval({
        client,
        workflowId: ({ runtimeContext }) => `chat:${(runtimeContext as { chat: string }).chat}`,
      }),
    });

    expect(await result.text).toBe("Not restarted.");
    expect(ran).toEqual([]);
    expect(submitted.map((s) => s.body.workflow_id)).toEqual(["chat:chat-42"]);
    expect(toolResultsIn(model.doStreamCalls[1]?.prompt ?? [])).toEqual([
      [
        "restart_service",
        {
          type: "execution-denied",
          reason: "Not approved in Airlock: Not during the release freeze",
        },
      ],
    ]);
  });

  it("gates a ToolLoopAgent, in a workflow named once", async () => {
    const { client, submitted } = scriptedAirlock(byTool);
    const { tools, ran } = deployTools();
    const agent = new ToolLoopAgent({
      model: new MockLanguageModelV4({
        doGenerate: [
          callsTools(["call-1", "deploy_service", { environment: "staging", version: "3.0.0" }]),
          answers("Deployed."),
        ],
      }),
      tools,
      toolApproval: airlockToolApproval({ client, workflowId: "release-3.0.0" }),
    });

    expect((await agent.generate({ prompt: "Ship 3.0.0 to staging" })).text).toBe("Deployed.");
    expect(ran).toEqual([
      { tool: "deploy_service", input: { environment: "staging", version: "3.0.0" } },
    ]);
    expect(submitted.map((s) => s.body.workflow_id)).toEqual(["release-3.0.0"]);
  });

  it("fails closed: an unreachable Airlock, an edit it cannot carry, a run that stops waiting", async () => {
    const call = (toolName: string, input: unknown) => ({
      toolCall: { toolCallId: `id-${toolName}`, toolName, input },
      messages: [],
      runtimeContext: {},
    });

    const down = {
      submit: async () => {
        throw new Error("connect ECONNREFUSED");
      },
    } as unknown as AirlockClient;
    expect(await airlockToolApproval({ client: down })(call("deploy_service", {}))).toEqual({
      type: "denied",
      reason: "Not approved: Airlock could not take the request (connect ECONNREFUSED)",
    });

    const edited = scriptedAirlock(() => ({
      status: "approved",
      edited_inputs: { version: "9" },
    }));
    expect(
      await airlockToolApproval({ client: edited.client })(
        call("deploy_service", { version: "1" }),
      ),
    ).toMatchObject({ type: "denied", reason: expect.stringContaining("cannot run it edited") });

    // A tool whose input is not an object still becomes a task, its input under `input`.
    const waiting = scriptedAirlock(() => "wait");
    const stop = new AbortController();
    const answer = airlockToolApproval({
      client: waiting.client,
      signal: stop.signal,
      onWaiting: () => stop.abort(),
    })(call("search", "kubectl"));
    expect(await answer).toEqual({
      type: "denied",
      reason: "Not approved: The agent stopped waiting; the request was cancelled in Airlock",
    });
    expect(waiting.submitted[0]?.body.action.inputs).toEqual({ input: "kubectl" });
    expect(waiting.cancelled).toEqual(["task-1"]);
  });
});
