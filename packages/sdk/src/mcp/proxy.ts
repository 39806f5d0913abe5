// `airlock-mcp proxy -- <command> [args…]` (SPEC §6.1, §6.2): an MCP server over stdio in front of an
// upstream one it starts. It lists the upstream's tools as its own, unchanged, and submits
// every call to Airlock first: forwarded (with a reviewer's edited arguments) only when
// approved, otherwise answered with an error result that says why, never forwarded.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import pkg from "../../package.json";
import { describeToolCall } from "../decide";
import type { McpConfig } from "./config";
import { createGate, progressOf } from "./gate";
import { logToStderr, serveOverStdio } from "./stdio";

// The client's own time-out governs a forwarded call (its cancellation reaches us as the
// request's signal), not a second one here: the longest a timer may wait.
const NO_DEADLINE_MS = 2 ** 31 - 1;

export interface ProxyOptions {
  command: string;
  args: string[];
  /** The environment the upstream starts with, less the agent key. */
  env: Record<string, string | undefined>;
}

export async function proxy(config: McpConfig, options: ProxyOptions): Promise<void> {
  const upstream = new Client({ name: "airlock-mcp-proxy", version: pkg.version });
  try {
    await upstream.connect(
      new StdioClientTransport({
        command: options.command,
        args: options.args,
        env: upstreamEnv(options.env),
        stderr: "inherit",
      }),
    );
  } catch (error) {
    throw new Error(
      `could not start the upstream MCP server "${options.command}": ${(error as Error).message}`,
    );
  }
  const upstreamName = upstream.getServerVersion()?.name ?? options.command;
  const gate = createGate(config, logToStderr);

  const server = new Server(
    { name: `${upstreamName} (through Airlock)`, version: pkg.version },
    { capabilities: { tools: { listChanged: true } }, instructions: upstream.getInstructions() },
  );
  async function upstreamTools(): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await upstream.listTools(cursor === undefined ? undefined : { cursor });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await upstreamTools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    // Nobody is asked to approve a call that could not run.
    const tool = (await upstreamTools()).find((t) => t.name === name);
    if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
    const progress = progressOf(extra);
    const verdict = await gate(
      {
        type: name,
        description: `${describeToolCall(name, args)} (on the MCP server "${upstreamName}", through the Airlock proxy)`,
        inputs: args,
        // What the upstream says of its tool, where the rules can read it (a destructive
        // hint raises the level; no hint lowers one).
        context: {
          mcp: {
            server: upstreamName,
            command: options.command,
            tool: name,
            annotations: annotationsOf(tool),
          },
        },
      },
      extra,
      { progress },
    );
    if (!verdict.allowed) {
      return { content: [{ type: "text", text: verdict.message }], isError: true };
    }
    return upstream.callTool({ name, arguments: verdict.inputs }, undefined, {
      signal: extra.signal,
      timeout: NO_DEADLINE_MS,
      // The same numbering as the wait's, so the client's progress only goes up.
      onprogress: progress && ((p) => progress.report(p.message ?? `${name} is running`)),
    });
  });
  upstream.setNotificationHandler(ToolListChangedNotificationSchema, () =>
    server.sendToolListChanged(),
  );

  let hungUp = false;
  let upstreamExited = false;
  upstream.onclose = () => {
    if (hungUp) return;
    upstreamExited = true;
    server.close().catch(() => {});
  };
  try {
    await serveOverStdio(server);
  } finally {
    hungUp = true;
    await upstream.close();
  }
  if (upstreamExited) throw new Error(`the upstream MCP server "${upstreamName}" exited`);
}

/** The proxy's own environment, less the agent key: the upstream has no use for it. */
function upstreamEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && entry[0] !== "AIRLOCK_API_KEY",
    ),
  );
}

const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;

/** The tool's MCP hints that are set (booleans); an upstream's other annotations are not the rules' business. */
function annotationsOf(tool: Tool): Record<string, unknown> {
  const annotations: Record<string, unknown> = {};
  for (const hint of HINTS) {
    const value = tool.annotations?.[hint];
    if (typeof value === "boolean") annotations[hint] = value;
  }
  return annotations;
}
