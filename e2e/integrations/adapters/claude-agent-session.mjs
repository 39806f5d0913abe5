// The Claude Agent SDK's side of a session gated by Airlock, from an outside project (plain
// node, the packed SDK, the real @anthropic-ai/claude-agent-sdk installed beside it). Its
// query loop needs Claude Code and a model, so this plays Claude Code's part: it calls the
// canUseTool that `query({ options: { canUseTool } })` would get, exactly as the SDK's
// CanUseTool type declares (toolName, input, { signal, suggestions, toolUseID, requestId, … }),
// for four calls at once:
// - Bash `kubectl rollout restart …` (a reviewer approves it with an edited command);
// - Write of a file (a reviewer rejects it with a reason);
// - an MCP forecast tool (low risk; nobody decides: it expires);
// - WebFetch, whose signal the SDK aborts while it waits (its task is cancelled).
// Prints each request's link as it waits, and last a JSON summary of the answers and the
// tasks' ids.
import { createAirlockClient } from "@airlock/sdk";
import { airlockCanUseTool } from "@airlock/sdk/claude-agent";

const client = createAirlockClient({
  baseUrl: process.env.AIRLOCK_URL,
  apiKey: process.env.AIRLOCK_API_KEY,
});

const tasks = {};
const abortFetch = new AbortController();
const canUseTool = airlockCanUseTool({
  client,
  workflowId: process.env.WORKFLOW_ID,
  onWaiting(r) {
    tasks[r.action_type] = r.task_id;
    console.log(`${r.action_type}: waiting for approval at ${r.url}`);
    // The session is interrupted while the fetch waits for people.
    if (r.action_type === "WebFetch") setTimeout(() => abortFetch.abort(), 500);
  },
});

const ask = (toolName, input, toolUseID, more = {}) =>
  canUseTool(toolName, input, {
    signal: new AbortController().signal,
    suggestions: [],
    toolUseID,
    requestId: `request-${toolUseID}`,
    ...more,
  });

const [bash, write, forecast, fetch] = await Promise.all([
  ask(
    "Bash",
    {
      command: "kubectl rollout restart deployment/web -n staging",
      description: "Restart the staging web deployment",
    },
    "toolu_bash",
    { title: "Claude wants to run kubectl rollout restart deployment/web -n staging" },
  ),
  ask(
    "Write",
    { file_path: "config/feature-flags.json", content: '{ "new_checkout": true }\n' },
    "toolu_write",
  ),
  ask("mcp__weather__get_forecast", { city: "Berlin" }, "toolu_forecast", {
    mcpServer: { name: "weather", source: "sdk" },
  }),
  ask("WebFetch", { url: "https://status.example.com", prompt: "Is it up?" }, "toolu_fetch", {
    signal: abortFetch.signal,
  }),
]);

console.log(JSON.stringify({ answers: { bash, write, forecast, fetch }, tasks }));
