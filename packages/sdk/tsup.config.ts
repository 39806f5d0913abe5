import { defineConfig } from "tsup";

// One entry per subpath of package.json's exports, each as ESM and CommonJS with its type
// declarations; the bin as ESM only. Dependencies and peers stay imports (tsup leaves them
// out of the bundle), so an adapter loads its framework from the agent's own project.
export default defineConfig([
  {
    entry: {
      index: "src/index.ts",
      langgraph: "src/langgraph.ts",
      ai: "src/ai.ts",
      "openai-agents": "src/openai-agents.ts",
      "claude-agent": "src/claude-agent.ts",
      mastra: "src/mastra.ts",
      mcp: "src/mcp.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    target: "node20",
    platform: "node",
    sourcemap: false,
    splitting: true,
  },
  {
    entry: { "bin/airlock-mcp": "src/bin/airlock-mcp.ts" },
    format: ["esm"],
    target: "node20",
    platform: "node",
  },
]);
