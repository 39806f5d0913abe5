// npm run example:langchain — an existing LangChain agent (createAgent with its own
// humanInTheLoopMiddleware) gated by Airlock, its code unchanged: runWithAirlock answers the
// middleware's interrupts through Airlock. The model is scripted (no LLM needed): it asks to
// send one email, then answers.
//
//   AIRLOCK_URL=http://localhost:3000 AIRLOCK_API_KEY=$(cat .data/demo-agent-key) npm run example:langchain
import { MemorySaver } from "@langchain/langgraph";
import { createAgent, FakeToolCallingModel, humanInTheLoopMiddleware, tool } from "langchain";
import { z } from "zod";
import { createAirlockClient } from "@airlock/sdk";
import { runWithAirlock } from "@airlock/sdk/langgraph";

// The agent, as it was before Airlock.
const sendEmail = tool(async ({ to, subject }) => `sent "${subject}" to ${to}`, {
  name: "send_email",
  description: "Send an email",
  schema: z.object({ to: z.string(), subject: z.string() }),
});
const agent = createAgent({
  model: new FakeToolCallingModel({
    toolCalls: [
      [{ name: "send_email", args: { to: "ceo@customer.example", subject: "Outage report" }, id: "call-1" }],
      [],
    ],
  }),
  tools: [sendEmail],
  middleware: [humanInTheLoopMiddleware({ interruptOn: { send_email: true } })],
  checkpointer: new MemorySaver(),
});

// What gating it takes: a client, and runWithAirlock where agent.invoke was.
const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL ?? "http://localhost:3000",
  apiKey: process.env.AIRLOCK_API_KEY ?? "",
});
async function main() {
  const result = (await runWithAirlock(
    agent,
    { messages: [{ role: "user", content: "Tell the customer about the outage" }] },
    {
      client,
      config: { configurable: { thread_id: `langchain-example-${Date.now()}` } },
      onWaiting: (r) => console.log(`${r.action_type}: waiting for approval at ${r.url}`),
    },
  )) as { messages: { getType(): string; content: unknown }[] };

  for (const m of result.messages.filter((m) => m.getType() === "tool")) {
    console.log(`tool result: ${String(m.content)}`);
  }
}

main().catch((error: unknown) => {
  console.error(`example: ${(error as Error).message}`);
  process.exit(1);
});
