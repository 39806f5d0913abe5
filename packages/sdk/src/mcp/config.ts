// What the MCP entry points (`airlock-mcp serve|proxy`, and the app's `hitl mcp …`) read
// from their environment, parsed with zod: where Airlock serves, the agent key they submit
// with, and how their requests are labelled. The caller passes the environment in; nothing here reads process.env.
import { randomBytes } from "node:crypto";
import { z } from "zod";

const emptyToUndefined = (v: unknown) => (v === "" ? undefined : v);

const required = (what: string) =>
  z.preprocess(
    emptyToUndefined,
    z.string({ error: (issue) => (issue.input === undefined ? `is not set (${what})` : what) }),
  );

/**
 * One workflow per MCP session (a coding agent starts one server per session), so the
 * workflow page shows the session's requests together. The start time keeps it readable and
 * the random tail keeps two sessions started in the same second apart. Retries of one call
 * within the session send the same body, which Idempotency-Key needs.
 */
const sessionWorkflowId = () =>
  `mcp-${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}-${randomBytes(3).toString("hex")}`;

const label = (max: number) =>
  z.string().trim().min(1, "must not be blank").max(max, `must be at most ${max} characters`);

const PROGRESS_RANGE = "must be a whole number of milliseconds from 100 to 60000";

const mcpEnvSchema = z.object({
  AIRLOCK_URL: required("the http(s) URL where Airlock serves, e.g. http://localhost:3000").pipe(
    z.url({ protocol: /^https?$/, error: "must be the http(s) URL where Airlock serves" }),
  ),
  AIRLOCK_API_KEY: required("an agent key, alk_…, to submit with"),
  AIRLOCK_WORKFLOW_ID: z.preprocess(emptyToUndefined, label(200).default(sessionWorkflowId)),
  AIRLOCK_AGENT_NAME: z.preprocess(emptyToUndefined, label(100).default("mcp")),
  // How often a waiting call tells a client that asked for progress that it still waits.
  AIRLOCK_MCP_PROGRESS_MS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: PROGRESS_RANGE })
      .int(PROGRESS_RANGE)
      .min(100, PROGRESS_RANGE)
      .max(60_000, PROGRESS_RANGE)
      .default(15_000),
  ),
});

export interface McpConfig {
  url: string;
  apiKey: string;
  workflowId: string;
  agentName: string;
  progressMs: number;
}

/** The configuration, or what is wrong with the environment (each variable at fault). */
export function mcpConfig(
  env: Record<string, string | undefined>,
): { ok: true; config: McpConfig } | { ok: false; problem: string } {
  const parsed = mcpEnvSchema.safeParse(env);
  if (!parsed.success) {
    return {
      ok: false,
      problem: parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join("; "),
    };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      url: e.AIRLOCK_URL,
      apiKey: e.AIRLOCK_API_KEY,
      workflowId: e.AIRLOCK_WORKFLOW_ID,
      agentName: e.AIRLOCK_AGENT_NAME,
      progressMs: e.AIRLOCK_MCP_PROGRESS_MS,
    },
  };
}
