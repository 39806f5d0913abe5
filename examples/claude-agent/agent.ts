// npm run example:claude-agent — a Claude Agent SDK session gated by Airlock through the
// SDK's own permission hook, canUseTool. In a real session the hook goes to query():
//
//   for await (const message of query({ prompt, options: { canUseTool } })) { … }
//
// and Claude Code asks it before each tool call that needs permission. That needs Claude
// Code's binary and an Anthropic model, so this example plays Claude Code's part instead: it
// asks canUseTool about one Bash call, exactly as the SDK would, and prints the answer Claude
// Code would act on: the command it would run (a reviewer's edit included), or why not.
//
//   AIRLOCK_URL=http://localhost:3000 AIRLOCK_API_KEY=$(cat .data/demo-agent-key) npm run example:claude-agent
import { createAirlockClient } from "@airlock/sdk"; // added for Airlock
import { airlockCanUseTool } from "@airlock/sdk/claude-agent"; // added for Airlock

// added for Airlock: a client, and the canUseTool to pass in query()'s options.
const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL ?? "http://localhost:3000",
  apiKey: process.env.AIRLOCK_API_KEY ?? "",
});
const canUseTool = airlockCanUseTool({
  client,
  onWaiting: (r) => console.log(`${r.action_type}: waiting for approval at ${r.url}`),
});

async function main() {
  // What Claude Code asks before it runs a shell command.
  const answer = await canUseTool(
    "Bash",
    {
      command: "kubectl rollout restart deployment/web -n staging",
      description: "Restart the staging web deployment",
    },
    { signal: new AbortController().signal, toolUseID: "toolu_example", requestId: "example" },
  );

  if (answer.behavior === "allow") console.log(`Bash: runs ${String(answer.updatedInput?.command)}`);
  else console.log(`Bash: not run (${answer.message})`);
}

main().catch((error: unknown) => {
  console.error(`example: ${(error as Error).message}`);
  process.exit(1);
});
