// The MCP commands, as `airlock-mcp serve | proxy -- CMD [ARGS…]` runs them and the app's
// `hitl mcp …` too: stdout carries only the protocol, so nothing here prints there.
import { mcpConfig } from "./config";

/** A command line or an environment that cannot start the server: what is wrong with it. */
export class McpUsageError extends Error {
  override name = "McpUsageError";
}

export const MCP_USAGE =
  "serve — the approval_prompt tool over stdio | proxy -- CMD [ARGS…] — gate an MCP server's tool calls";

/** Run `serve` or `proxy -- CMD [ARGS…]` until the client hangs up. */
export async function runMcp(
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<void> {
  const [sub, ...rest] = args;
  const config = () => {
    const parsed = mcpConfig(env);
    if (!parsed.ok) throw new McpUsageError(parsed.problem);
    return parsed.config;
  };
  if (sub === "serve") {
    if (rest.length > 0) throw new McpUsageError(`unexpected argument "${rest[0]}"`);
    const { serve } = await import("./serve");
    return serve(config());
  }
  if (sub === "proxy") {
    const [dashes, command, ...commandArgs] = rest;
    if (dashes !== "--" || command === undefined) {
      throw new McpUsageError('expected "proxy -- CMD [ARGS…]": the upstream MCP server to start');
    }
    const { proxy } = await import("./proxy");
    return proxy(config(), { command, args: commandArgs, env });
  }
  throw new McpUsageError('expected "serve" or "proxy -- CMD [ARGS…]"');
}
