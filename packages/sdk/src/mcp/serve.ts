// `airlock-mcp serve` (SPEC §6.1, §6.2): an MCP server over stdio whose one tool, approval_prompt, is a
// coding agent's permission prompt backed by Airlock. The agent asks before each tool call and
// gets back, as one text block of JSON, {"behavior":"allow","updatedInput":{…}} with the
// inputs to run (a reviewer's edits, if any) or {"behavior":"deny","message":"…"}.
import { createHash } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import pkg from "../../package.json";
import { describeToolCall } from "../decide";
import type { McpConfig } from "./config";
import { createGate, progressOf } from "./gate";
import { logToStderr, serveOverStdio } from "./stdio";

/** A tool_use_id as an Idempotency-Key: always visible ASCII of a fixed length, whatever it holds. */
const idempotencyKeyOf = (toolUseId: string) =>
  `mcp-approval-${createHash("sha256").update(toolUseId).digest("hex")}`;

export function approvalServer(config: McpConfig, log: (line: string) => void): McpServer {
  const gate = createGate(config, log);
  const server = new McpServer({ name: "airlock", version: pkg.version });
  server.registerTool(
    "approval_prompt",
    {
      description:
        "Ask the people reviewing in Airlock whether a tool call may run. Waits for their decision and answers JSON: {behavior: allow, updatedInput} or {behavior: deny, message}.",
      inputSchema: {
        tool_name: z.string().min(1).describe("The tool the agent wants to call"),
        input: z.record(z.string(), z.unknown()).describe("The arguments of that call"),
        tool_use_id: z
          .string()
          .min(1)
          .optional()
          .describe("The call's id: a retry with the same id waits for the same request"),
      },
    },
    async ({ tool_name, input, tool_use_id }, extra) => {
      const verdict = await gate(
        { type: tool_name, description: describeToolCall(tool_name, input), inputs: input },
        extra,
        {
          idempotencyKey: tool_use_id === undefined ? undefined : idempotencyKeyOf(tool_use_id),
          progress: progressOf(extra),
        },
      );
      const answer = verdict.allowed
        ? { behavior: "allow", updatedInput: verdict.inputs }
        : { behavior: "deny", message: verdict.message };
      return { content: [{ type: "text", text: JSON.stringify(answer) }] };
    },
  );
  return server;
}

/** Serve approval_prompt over stdio until the client hangs up. */
export async function serve(config: McpConfig): Promise<void> {
  await serveOverStdio(approvalServer(config, logToStderr).server);
}
