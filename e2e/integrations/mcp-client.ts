// An MCP client as a coding agent runs one: the MCP SDK's own Client over stdio, spawning an
// Airlock MCP command with an agent key and a workflow of its own. What the command logs on
// stderr is attached to the test's report when the client closes.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { test } from "@playwright/test";
import { agentKey } from "../fixtures";

export const unique = (name: string) =>
  `${name}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

export interface McpCommand {
  command: string;
  args: string[];
  cwd: string;
}

export async function connectMcp(
  baseURL: string,
  spawn: McpCommand,
  env: Record<string, string> = {},
) {
  const workflowId = unique("mcp-e2e");
  const transport = new StdioClientTransport({
    ...spawn,
    env: {
      PATH: process.env.PATH ?? "",
      AIRLOCK_URL: baseURL,
      AIRLOCK_API_KEY: agentKey(),
      AIRLOCK_WORKFLOW_ID: workflowId,
      ...env,
    },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: "airlock-e2e", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    workflowId,
    async close() {
      await client.close();
      await test.info().attach("stderr", { body: stderr, contentType: "text/plain" });
    },
  };
}
