import { createAirlockClient } from "@airlock/sdk";
import { runWithAirlock } from "@airlock/sdk/langgraph";
import {
  Annotation,
  Command,
  END,
  interrupt,
  MemorySaver,
  START,
  StateGraph,
} from "@langchain/langgraph";
import type { HumanInterrupt, HumanResponse } from "@langchain/langgraph/prebuilt";
import { expect, test } from "@playwright/test";
import {
  createAgent,
  FakeToolCallingModel,
  humanInTheLoopMiddleware,
  type ToolMessage,
  tool,
} from "langchain";
import { z } from "zod";
import { agentKey } from "../fixtures";
import { reviewer } from "./reviewer";

// Agents as the ecosystem builds them — a real langchain createAgent agent with its own
// humanInTheLoopMiddleware, LangGraph graphs interrupting in the Agent Inbox protocol and in
// the middleware's per-call shape — gated by runWithAirlock against the built app, their
// code unchanged. People decide over the API, with a reviewer key.
const client = (baseURL: string) => createAirlockClient({ baseUrl: baseURL, apiKey: agentKey() });
const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

test("a createAgent agent's tool calls: approved with edits runs once with them; rejected never runs and the agent hears why", async ({
  baseURL,
}) => {
  const base = baseURL as string;
  const sent: { to: string; body: string }[] = [];
  const sendUpdate = tool(
    async (args: { to: string; body: string }) => {
      sent.push(args);
      return `sent to ${args.to}`;
    },
    {
      name: "send_update",
      description: "Send a status update",
      schema: z.object({ to: z.string(), body: z.string() }),
    },
  );
  // A scripted model: a tool call, another one, then a final answer.
  const model = new FakeToolCallingModel({
    toolCalls: [
      [
        {
          name: "send_update",
          args: { to: "team@airlock.local", body: "Deploy at 3pm" },
          id: "call-1",
        },
      ],
      [
        {
          name: "send_update",
          args: { to: "team@airlock.local", body: "Skip the tests" },
          id: "call-2",
        },
      ],
      [],
    ],
  });
  const agent = createAgent({
    model,
    tools: [sendUpdate],
    middleware: [humanInTheLoopMiddleware({ interruptOn: { send_update: true } })],
    checkpointer: new MemorySaver(),
  });

  const thread = unique("lc");
  const people = reviewer(base);
  const run = runWithAirlock(
    agent,
    { messages: [{ role: "user", content: "Tell the team" }] },
    {
      client: client(base),
      config: { configurable: { thread_id: thread } },
      agentName: "langchain-agent",
    },
  );
  const first = await people.next(thread);
  expect(first.action.type).toBe("send_update");
  await people.approve(first.id, { to: "team@airlock.local", body: "Deploy at 4pm" });
  const second = await people.next(thread);
  await people.reject(second.id, "We never skip the tests");
  const result = (await run) as { messages: ToolMessage[] };

  expect(sent).toEqual([{ to: "team@airlock.local", body: "Deploy at 4pm" }]);
  const toolResults = result.messages
    .filter((m) => m.getType?.() === "tool")
    .map((m) => String(m.content));
  expect(toolResults).toEqual(["sent to team@airlock.local", "We never skip the tests"]);
});

test("several gated calls in one turn are tasks of one workflow, decided independently", async ({
  baseURL,
}) => {
  const base = baseURL as string;
  const ran: string[] = [];
  const restart = tool(
    async ({ service }: { service: string }) => {
      ran.push(service);
      return `restarted ${service}`;
    },
    {
      name: "restart_service",
      description: "Restart a service",
      schema: z.object({ service: z.string() }),
    },
  );
  const model = new FakeToolCallingModel({
    toolCalls: [
      [
        { name: "restart_service", args: { service: "auth" }, id: "r-1" },
        { name: "restart_service", args: { service: "billing" }, id: "r-2" },
      ],
      [],
    ],
  });
  const agent = createAgent({
    model,
    tools: [restart],
    middleware: [
      humanInTheLoopMiddleware({
        interruptOn: { restart_service: { allowedDecisions: ["approve", "reject"] } },
      }),
    ],
    checkpointer: new MemorySaver(),
  });
  const thread = unique("batch");
  const people = reviewer(base);
  const run = runWithAirlock(
    agent,
    { messages: [{ role: "user", content: "restart both" }] },
    {
      client: client(base),
      config: { configurable: { thread_id: thread } },
    },
  );
  const billing = await people.next(thread, (i) => i.action.description.includes("billing"));
  const auth = await people.next(thread, (i) => i.action.description.includes("auth"));
  // The agent said no edits: a reviewer's edit is refused (422) and changes nothing.
  expect(await people.tryApprove(auth.id, { service: "everything" })).toBe(422);
  // Decided in the other order than asked, by two people: the answers still go back in the
  // agent's order. (With a rejection among them, the middleware itself drops the batch's
  // approved calls and asks its model again: that is langchain's rule, not Airlock's.)
  await people.approve(billing.id);
  await reviewer(base, "ops").approve(auth.id);
  const result = (await run) as { messages: ToolMessage[] };
  expect(ran.sort()).toEqual(["auth", "billing"]);
  const toolResults = result.messages
    .filter((m) => m.getType?.() === "tool")
    .map((m) => String(m.content));
  expect(toolResults).toEqual(["restarted auth", "restarted billing"]);
});

const InboxState = Annotation.Root({
  deployed: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  refusals: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
});

/** A node that asks in the Agent Inbox protocol, and acts on the HumanResponse. */
function inboxNode(version: string) {
  return async () => {
    const request: HumanInterrupt = {
      action_request: { action: "deploy_service", args: { service: "auth", version } },
      config: { allow_accept: true, allow_edit: true, allow_respond: true, allow_ignore: false },
      description: `Deploy auth ${version}`,
    };
    const [response] = interrupt<HumanInterrupt[], HumanResponse[]>([request]);
    if (response?.type === "accept") return { deployed: [version] };
    if (response?.type === "edit" && typeof response.args === "object" && response.args) {
      return { deployed: [String(response.args.args.version)] };
    }
    return { refusals: [String(response?.args)] };
  };
}

test("an Agent Inbox graph: an edit comes back as `edit`, a rejection as the human's `response`", async ({
  baseURL,
}) => {
  const base = baseURL as string;
  const graph = new StateGraph(InboxState)
    .addNode("first", inboxNode("1.4.2"))
    .addNode("second", inboxNode("2.0.0-rc1"))
    .addEdge(START, "first")
    .addEdge("first", "second")
    .addEdge("second", END)
    .compile({ checkpointer: new MemorySaver() });
  const thread = unique("inbox");
  const people = reviewer(base);
  const run = runWithAirlock(
    graph,
    {},
    { client: client(base), config: { configurable: { thread_id: thread } } },
  );
  await people.approve((await people.next(thread)).id, { service: "auth", version: "1.4.3" });
  await people.reject((await people.next(thread)).id, "No release candidates in production");
  expect(await run).toEqual({
    deployed: ["1.4.3"],
    refusals: ["No release candidates in production"],
  });
});

test("the middleware's per-call shape is answered by interrupt, and unknown interrupts go back untouched", async ({
  baseURL,
}) => {
  const base = baseURL as string;
  const State = Annotation.Root({ outcome: Annotation<unknown>, other: Annotation<unknown> });
  const graph = new StateGraph(State)
    .addNode("ask", () => ({
      outcome: interrupt({
        type: "tool_approval",
        tool_call_id: "c-9",
        name: "drop_table",
        args: { table: "users" },
      }),
    }))
    .addNode("ask_colour", () => ({ other: interrupt({ question: "What colour?" }) }))
    .addEdge(START, "ask")
    .addEdge("ask", "ask_colour")
    .addEdge("ask_colour", END)
    .compile({ checkpointer: new MemorySaver() });
  const thread = unique("percall");
  const people = reviewer(base, "ops");
  const run = runWithAirlock(
    graph,
    {},
    { client: client(base), config: { configurable: { thread_id: thread } } },
  );
  const asked = await people.next(thread);
  expect(asked.action.type).toBe("drop_table");
  await people.reject(asked.id, "Never in production");
  const result = (await run) as Record<string, unknown>;
  expect(result.outcome).toEqual({ type: "reject", message: "Never in production" });
  // The second interrupt is nobody's protocol: the caller gets it as LangGraph returned it.
  expect(result.__interrupt__).toEqual([
    expect.objectContaining({ value: { question: "What colour?" } }),
  ]);
  const done = await graph.invoke(new Command({ resume: "blue" }), {
    configurable: { thread_id: thread },
  });
  expect(done.other).toBe("blue");
});
