// The OpenAI Agents adapter against the real @openai/agents, its model the SDK's own
// ScriptedModel, and Airlock played by a small HTTP server of Airlock's API (tasks with
// Idempotency-Key replays and long polls, checkpoints claimed once), so each test decides
// the requests itself. A "process" dying is a run whose signal aborts: it leaves Airlock
// holding the requests and the saved state, and nothing in memory is reused by the resume.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, Runner, tool } from "@openai/agents";
import {
  assistantMessage,
  functionCall,
  ScriptedModel,
  type ScriptedModelInput,
} from "@openai/agents/testing";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAirlockClient } from "./client";
import type { WaitingRequest } from "./decide";
import { RUN_STATE_CHECKPOINT, resumeWithAirlock, runWithAirlock } from "./openai-agents";
import type { CheckpointDto, SubmitTaskBody, TaskDto } from "./types";

type Decision =
  | { status: "approved"; edited_inputs?: Record<string, unknown> }
  | { status: "rejected"; reason: string }
  | { status: "expired" | "cancelled" };

/** Airlock's agent API, in memory: what the adapter calls, and a hand to decide with. */
async function fakeAirlock(options: { failCheckpoints?: boolean } = {}) {
  const tasks = new Map<string, TaskDto>();
  const submitted: { body: SubmitTaskBody; key: string | undefined; replay: boolean }[] = [];
  const byKey = new Map<string, { taskId: string; body: string }>();
  const checkpoints: CheckpointDto[] = [];
  const changed = new Set<() => void>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string) =>
    send(res, status, { error: { code, message: `${code} (fake Airlock)` } });
  const requestOf = (id: string) => [...tasks.values()].find((t) => t.approval_request_id === id);

  function submit(req: IncomingMessage, res: ServerResponse, text: string) {
    const body = JSON.parse(text) as SubmitTaskBody;
    const key = req.headers["idempotency-key"] as string | undefined;
    const earlier = key ? byKey.get(key) : undefined;
    submitted.push({ body, key, replay: earlier !== undefined });
    if (earlier) {
      if (earlier.body !== text) return error(res, 422, "unprocessable");
      return send(res, 200, tasks.get(earlier.taskId));
    }
    const task = {
      task_id: randomUUID(),
      approval_request_id: randomUUID(),
      workflow_id: body.workflow_id,
      status: "pending",
      action: body.action,
      allowed_decisions: body.allowed_decisions ?? ["approve", "edit", "reject"],
      edited_inputs: null,
      decision: null,
    } as unknown as TaskDto;
    tasks.set(task.task_id, task);
    if (key) byKey.set(key, { taskId: task.task_id, body: text });
    send(res, 201, task);
  }

  function waitFor(res: ServerResponse, task: TaskDto, seconds: number) {
    if (task.status !== "pending" || seconds === 0) return send(res, 200, task);
    const done = () => {
      changed.delete(done);
      clearTimeout(timer);
      send(res, 200, task);
    };
    const timer = setTimeout(done, seconds * 1000);
    changed.add(done);
    res.on("close", () => {
      changed.delete(done);
      clearTimeout(timer);
    });
  }

  function checkpoint(
    res: ServerResponse,
    method: string,
    requestId: string,
    rest: string[],
    text: string,
  ) {
    if (!requestOf(requestId)) return error(res, 404, "not_found");
    const mine = checkpoints.filter((c) => c.action_id === requestId);
    if (method === "POST" && rest.length === 0) {
      if (options.failCheckpoints) return error(res, 503, "unavailable");
      const body = JSON.parse(text) as {
        name: string;
        type: CheckpointDto["type"];
        data: unknown;
        run_id?: string;
      };
      const saved = {
        checkpoint_id: randomUUID(),
        action_id: requestId,
        name: body.name,
        type: body.type,
        data: body.data,
        sequence_number: mine.length + 1,
        status: "active",
        run_id: body.run_id ?? null,
      } as CheckpointDto;
      checkpoints.push(saved);
      return send(res, 201, saved);
    }
    if (method === "GET" && rest.length === 1) {
      const latest = mine.filter((c) => c.name === rest[0]).at(-1);
      return latest ? send(res, 200, latest) : error(res, 404, "not_found");
    }
    const claimed = mine.find((c) => c.checkpoint_id === rest[0]);
    if (!claimed) return error(res, 404, "not_found");
    if (claimed.status !== "active") return error(res, 409, "conflict");
    claimed.status = "resumed";
    send(res, 200, claimed);
  }

  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (d) => {
      text += d;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://airlock");
      const [, api, kind, id, ...rest] = url.pathname.split("/");
      if (api !== "api") return error(res, 404, "not_found");
      if (kind === "tasks" && id === undefined) return submit(req, res, text);
      if (kind === "tasks") {
        const task = tasks.get(id as string);
        if (!task) return error(res, 404, "not_found");
        if (rest[0] === "cancel") {
          decide(task.approval_request_id, { status: "cancelled" });
          return send(res, 200, task);
        }
        return waitFor(res, task, Number(url.searchParams.get("wait") ?? 0));
      }
      if (kind === "hitl" && id === "actions") {
        const [requestId, , ...more] = rest;
        return checkpoint(res, req.method ?? "GET", requestId as string, more, text);
      }
      error(res, 404, "not_found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);

  function decide(requestId: string, decision: Decision) {
    const task = requestOf(requestId);
    if (task?.status !== "pending") throw new Error(`request ${requestId} is not pending`);
    Object.assign(task, {
      status: decision.status,
      edited_inputs: "edited_inputs" in decision ? decision.edited_inputs : null,
      decision: {
        status: decision.status,
        reason: "reason" in decision ? decision.reason : null,
      },
    });
    for (const wake of [...changed]) wake();
  }

  const { port } = server.address() as AddressInfo;
  return {
    client: () => createAirlockClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: "alk_test" }),
    decide,
    tasks,
    submitted,
    checkpoints,
  };
}
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

/** The agent under test, as a process would build it: its tools record what ran. */
function deployAgent(script: ScriptedModelInput[]) {
  const ran: { tool: string; args: unknown }[] = [];
  const model = new ScriptedModel(script);
  const agent = new Agent({
    name: "release-bot",
    instructions: "Ship releases.",
    model,
    tools: [
      tool({
        name: "deploy_service",
        description: "Deploy a version of the service",
        parameters: z.object({ environment: z.string(), version: z.string() }),
        needsApproval: true,
        execute: async (args) => {
          ran.push({ tool: "deploy_service", args });
          return `deployed ${args.version} to ${args.environment}`;
        },
      }),
      tool({
        name: "get_forecast",
        description: "The weather forecast of a city",
        parameters: z.object({ city: z.string() }),
        needsApproval: true,
        execute: async (args) => {
          ran.push({ tool: "get_forecast", args });
          return "sunny";
        },
      }),
    ],
  });
  return { agent, model, ran };
}

const runner = new Runner({ tracingDisabled: true });

const THREE_CALLS = [
  functionCall(
    "deploy_service",
    { environment: "staging", version: "2.4.1" },
    { callId: "call-1" },
  ),
  functionCall(
    "deploy_service",
    { environment: "production", version: "2.4.1" },
    { callId: "call-2" },
  ),
  functionCall("get_forecast", { city: "Paris" }, { callId: "call-3" }),
];

/** What the model read as each call's output on the turn it was given them. */
function outputsSeen(model: ScriptedModel, call: number): Record<string, string> {
  const input = model.calls[call]?.request.input;
  const items = (Array.isArray(input) ? input : []) as {
    type?: string;
    callId?: string;
    output?: { text?: string };
  }[];
  return Object.fromEntries(
    items
      .filter((i) => i.type === "function_call_result")
      .map((i) => [i.callId as string, i.output?.text ?? ""]),
  );
}

/** Resolves with the requests once `count` of them wait, as `onWaiting` tells them. */
function waitingFor(count: number) {
  const seen: WaitingRequest[] = [];
  let resolve: (seen: WaitingRequest[]) => void = () => {};
  const all = new Promise<WaitingRequest[]>((r) => {
    resolve = r;
  });
  return {
    all,
    onWaiting(request: WaitingRequest) {
      seen.push(request);
      if (seen.length === count) resolve(seen);
    },
  };
}

const byTool = (requests: WaitingRequest[], airlock: Awaited<ReturnType<typeof fakeAirlock>>) =>
  requests.map((r) => ({ ...r, inputs: airlock.tasks.get(r.task_id)?.action.inputs }));

describe("runWithAirlock (@openai/agents)", () => {
  it("puts each interruption to people and answers it: approved runs once, rejected and expired never, with the reason the model reads", async () => {
    const airlock = await fakeAirlock();
    const { agent, model, ran } = deployAgent([THREE_CALLS, [assistantMessage("Done.")]]);
    const waiting = waitingFor(3);
    const running = runWithAirlock(agent, "Ship 2.4.1", {
      client: airlock.client(),
      runner,
      workflowId: "release-2.4.1",
      onWaiting: waiting.onWaiting,
    });
    const [staging, production, forecast] = byTool(await waiting.all, airlock);
    expect([staging, production, forecast].map((r) => r?.action_type)).toEqual([
      "deploy_service",
      "deploy_service",
      "get_forecast",
    ]);
    // The state is saved before anyone hears that a request waits.
    expect(
      airlock.checkpoints.map((c) => [c.action_id, (c.data as { kind: string }).kind]),
    ).toEqual([
      [staging?.request_id, "run_state"],
      [production?.request_id, "moved"],
      [forecast?.request_id, "moved"],
    ]);
    airlock.decide(staging?.request_id as string, { status: "approved" });
    airlock.decide(production?.request_id as string, {
      status: "rejected",
      reason: "production is frozen this week",
    });
    airlock.decide(forecast?.request_id as string, { status: "expired" });

    const result = await running;
    expect(result.finalOutput).toBe("Done.");
    expect(ran).toEqual([
      { tool: "deploy_service", args: { environment: "staging", version: "2.4.1" } },
    ]);
    const seen = outputsSeen(model, 1);
    expect(seen["call-1"]).toBe("deployed 2.4.1 to staging");
    expect(seen["call-2"]).toBe("Not approved in Airlock: production is frozen this week");
    expect(seen["call-3"]).toMatch(/^Not approved in Airlock: The request expired .*fail closed/);
    // One task per call: the tool's name and arguments, the run's workflow, no edit offered.
    expect(airlock.submitted.map((s) => s.body)).toEqual(
      THREE_CALLS.map((call) =>
        expect.objectContaining({
          workflow_id: "release-2.4.1",
          agent_name: "release-bot",
          action: expect.objectContaining({ type: call.name, inputs: JSON.parse(call.arguments) }),
          allowed_decisions: ["approve", "reject"],
        }),
      ),
    );
    // It went on from its saved state once, having claimed it.
    expect(airlock.checkpoints[0]?.status).toBe("resumed");
  });

  it("is resumed by another process from the checkpoint alone, which then cannot be resumed twice", async () => {
    const airlock = await fakeAirlock();
    const first = deployAgent([THREE_CALLS, [assistantMessage("never read")]]);
    const dies = new AbortController();
    const waiting = waitingFor(3);
    const running = runWithAirlock(first.agent, "Ship 2.4.1", {
      client: airlock.client(),
      runner,
      workflowId: "release-resumed",
      signal: dies.signal,
      onWaiting: waiting.onWaiting,
    });
    const [staging, production, forecast] = await waiting.all;
    dies.abort(new Error("the process died"));
    await expect(running).rejects.toThrow("the process died");
    expect([...airlock.tasks.values()].map((t) => t.status)).toEqual([
      "pending",
      "pending",
      "pending",
    ]);

    airlock.decide(staging?.request_id as string, { status: "approved" });
    airlock.decide(production?.request_id as string, { status: "rejected", reason: "not today" });
    airlock.decide(forecast?.request_id as string, { status: "expired" });
    const submitsBefore = airlock.submitted.length;

    // A fresh agent (a new model, new tools), a fresh client, and only a request id: not the home one.
    const second = deployAgent([[assistantMessage("Shipped to staging only.")]]);
    const heard: WaitingRequest[] = [];
    const result = await resumeWithAirlock(second.agent, {
      client: airlock.client(),
      runner,
      requestId: production?.request_id as string,
      onWaiting: (r) => heard.push(r),
    });
    expect(result.finalOutput).toBe("Shipped to staging only.");
    expect(first.ran).toEqual([]);
    expect(second.ran).toEqual([
      { tool: "deploy_service", args: { environment: "staging", version: "2.4.1" } },
    ]);
    expect(outputsSeen(second.model, 0)["call-2"]).toBe("Not approved in Airlock: not today");
    // The same tasks, asked for again: no new request, nobody told of a wait already decided.
    const again = airlock.submitted.slice(submitsBefore);
    expect(again.map((s) => s.replay)).toEqual([true, true, true]);
    expect(airlock.tasks.size).toBe(3);
    expect(heard).toEqual([]);

    await expect(
      resumeWithAirlock(deployAgent([]).agent, {
        client: airlock.client(),
        runner,
        requestId: staging?.request_id as string,
      }),
    ).rejects.toThrow(/already resumed by another process/);
  });

  it("lets only one of two live processes go on from the same saved state", async () => {
    const airlock = await fakeAirlock();
    const first = deployAgent([THREE_CALLS.slice(0, 1), [assistantMessage("first")]]);
    const waiting = waitingFor(1);
    const running = runWithAirlock(first.agent, "Ship", {
      client: airlock.client(),
      runner,
      onWaiting: waiting.onWaiting,
    });
    const [request] = await waiting.all;
    const second = deployAgent([[assistantMessage("second")]]);
    const resuming = resumeWithAirlock(second.agent, {
      client: airlock.client(),
      runner,
      requestId: request?.request_id as string,
    });
    // Both wait on the same task; the second has read the state before anyone decided.
    await new Promise((resolve) => setTimeout(resolve, 100));
    airlock.decide(request?.request_id as string, { status: "approved" });
    const outcomes = await Promise.allSettled([running, resuming]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/already resumed by another process/);
    expect([...first.ran, ...second.ran]).toHaveLength(1);
  });

  it("follows a later turn: an older request of the run leads to where the run now waits", async () => {
    const airlock = await fakeAirlock();
    const script = [
      [functionCall("deploy_service", { environment: "staging", version: "1" }, { callId: "a" })],
      [functionCall("deploy_service", { environment: "staging", version: "2" }, { callId: "b" })],
    ];
    const first = deployAgent([...script, [assistantMessage("never read")]]);
    const dies = new AbortController();
    const heard: WaitingRequest[] = [];
    let turnTwo: () => void = () => {};
    const secondWait = new Promise<void>((r) => {
      turnTwo = r;
    });
    const running = runWithAirlock(first.agent, "Ship 1 then 2", {
      client: airlock.client(),
      runner,
      signal: dies.signal,
      onWaiting(request) {
        heard.push(request);
        if (heard.length === 1) airlock.decide(request.request_id, { status: "approved" });
        else turnTwo();
      },
    });
    await secondWait;
    dies.abort(new Error("the process died"));
    await expect(running).rejects.toThrow();
    airlock.decide(heard[1]?.request_id as string, { status: "approved" });

    const second = deployAgent([[assistantMessage("Both shipped.")]]);
    const result = await resumeWithAirlock(second.agent, {
      client: airlock.client(),
      runner,
      requestId: heard[0]?.request_id as string,
    });
    expect(result.finalOutput).toBe("Both shipped.");
    expect(first.ran.map((r) => r.args)).toEqual([{ environment: "staging", version: "1" }]);
    expect(second.ran.map((r) => r.args)).toEqual([{ environment: "staging", version: "2" }]);
  });

  it("fails closed: an Airlock it cannot reach rejects the call, saying so, and nothing runs", async () => {
    const { agent, model, ran } = deployAgent([
      [THREE_CALLS[0] as ReturnType<typeof functionCall>],
      [assistantMessage("Could not deploy.")],
    ]);
    const result = await runWithAirlock(agent, "Ship", {
      client: createAirlockClient({ baseUrl: "http://127.0.0.1:9", apiKey: "alk_test" }),
      runner,
    });
    expect(result.finalOutput).toBe("Could not deploy.");
    expect(ran).toEqual([]);
    expect(outputsSeen(model, 1)["call-1"]).toMatch(
      /^Not approved: Airlock could not take the request/,
    );
  });

  it("never runs a call approved with edits it cannot carry", async () => {
    const airlock = await fakeAirlock();
    const { agent, model, ran } = deployAgent([
      [THREE_CALLS[0] as ReturnType<typeof functionCall>],
      [assistantMessage("ok")],
    ]);
    const result = await runWithAirlock(agent, "Ship", {
      client: airlock.client(),
      runner,
      onWaiting: (r) =>
        airlock.decide(r.request_id, { status: "approved", edited_inputs: { version: "9" } }),
    });
    expect(result.finalOutput).toBe("ok");
    expect(ran).toEqual([]);
    expect(outputsSeen(model, 1)["call-1"]).toMatch(/edited arguments/);
  });

  it("throws, cancelling the turn's requests, when Airlock cannot keep the run's state", async () => {
    const airlock = await fakeAirlock({ failCheckpoints: true });
    const { agent, ran } = deployAgent([THREE_CALLS, [assistantMessage("never read")]]);
    const heard: WaitingRequest[] = [];
    await expect(
      runWithAirlock(agent, "Ship", {
        client: airlock.client(),
        runner,
        onWaiting: (r) => heard.push(r),
      }),
    ).rejects.toThrow(/could not save the run's state .*cancelled and nothing ran/);
    expect(heard).toEqual([]);
    expect(ran).toEqual([]);
    expect([...airlock.tasks.values()].map((t) => t.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
    ]);
  });

  it("refuses a request that holds no run of its own", async () => {
    const airlock = await fakeAirlock();
    const client = airlock.client();
    const task = await client.submit({
      workflow_id: "w",
      agent_name: "a",
      action: { type: "x", description: "x" },
    });
    await expect(
      resumeWithAirlock(deployAgent([]).agent, {
        client,
        runner,
        requestId: task.approval_request_id,
      }),
    ).rejects.toThrow(`no checkpoint "${RUN_STATE_CHECKPOINT}"`);
  });
});
