#!/usr/bin/env node
// `npx airlock-mcp serve` / `npx airlock-mcp proxy -- CMD [ARGS…]` (SPEC §6.2): Airlock's MCP
// server and proxy for a coding agent, configured by AIRLOCK_URL and AIRLOCK_API_KEY.
import { MCP_USAGE, McpUsageError, runMcp } from "../mcp/main";

const args = process.argv.slice(2);
if (args.length === 0 || args[0] === "--help" || args[0] === "-h") {
  process.stderr.write(
    `usage: airlock-mcp ${MCP_USAGE}\nenvironment: AIRLOCK_URL, AIRLOCK_API_KEY (an agent key); optional AIRLOCK_WORKFLOW_ID, AIRLOCK_AGENT_NAME, AIRLOCK_MCP_PROGRESS_MS\n`,
  );
  process.exit(args.length === 0 ? 2 : 0);
}
runMcp(args, process.env).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`airlock-mcp: ${(error as Error).message}\n`);
    process.exit(error instanceof McpUsageError ? 2 : 1);
  },
);
