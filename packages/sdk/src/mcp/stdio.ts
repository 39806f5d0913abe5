// One MCP session over this process's stdin and stdout. Stdout carries only the protocol:
// whatever else the entry points say goes to stderr.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

export const logToStderr = (line: string) => {
  process.stderr.write(`airlock-mcp: ${line}\n`);
};

/** Serve until the client goes away: it closes our stdin, or the connection closes. */
export async function serveOverStdio(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  // The SDK's transport does not watch for the end of stdin, which is how a client hangs up.
  const hangUp = () => {
    server.close().catch(() => {});
  };
  process.stdin.once("end", hangUp);
  try {
    await server.connect(new StdioServerTransport());
    await closed;
  } finally {
    process.stdin.off("end", hangUp);
  }
}
