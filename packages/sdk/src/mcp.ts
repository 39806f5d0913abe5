// @airlock/sdk/mcp: the approval_prompt server and the gating proxy of `airlock-mcp`, for a
// program that embeds them (Airlock's own `hitl mcp …` does).
export { type McpConfig, mcpConfig } from "./mcp/config";
export { MCP_USAGE, McpUsageError, runMcp } from "./mcp/main";
export { type ProxyOptions, proxy } from "./mcp/proxy";
export { approvalServer, serve } from "./mcp/serve";
