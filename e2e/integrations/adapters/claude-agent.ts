// The Claude Agent SDK case (SPEC §6.2): claude-agent-session.mjs calls the canUseTool a
// user passes to query() exactly as the SDK's CanUseTool declares, for four calls at once; a
// user's `query({ options: { canUseTool: airlockCanUseTool({ client }) } })` is type-checked
// against the real package. The Bash call is approved with an edited command, which the
// answer's updatedInput carries (Claude Code runs the tool with it); the Write is rejected and
// the deny message the model reads carries the reviewer's reason; the low-risk forecast expires
// and is denied as expired; the WebFetch is aborted by the SDK and its task is cancelled.
import path from "node:path";
import { expect } from "@playwright/test";
import { type FrameworkCase, summaryOf } from "./framework";

interface Summary {
  answers: Record<"bash" | "write" | "forecast" | "fetch", Record<string, unknown>>;
  tasks: Record<string, string>;
}

const COMMAND = "kubectl rollout restart deployment/web -n staging";
const EDITED = "kubectl rollout restart deployment/web-canary -n staging";
const REASON = "Feature flags change through the release train";

export const claudeAgentCase: FrameworkCase = {
  name: "claude-agent",
  packages: ["@anthropic-ai/claude-agent-sdk@0.3.337"],
  files: [
    path.join(__dirname, "claude-agent-session.mjs"),
    path.join(__dirname, "claude-agent-options.cts"),
  ],
  typecheck: ["claude-agent-options.cts"],
  async drive({ project, env, workflowId, people }) {
    const run = project.run("claude-agent-session.mjs", env);
    const bash = await people.next(workflowId, (r) => r.action.type === "Bash");
    expect(bash.action.description).toBe(`Bash: ${COMMAND}`);
    await people.approve(bash.id, {
      command: EDITED,
      description: "Restart the staging web deployment",
    });
    const write = await people.next(workflowId, (r) => r.action.type === "Write");
    await people.reject(write.id, REASON);
    // Nobody decides the forecast: it expires after a minute.
    await people.next(workflowId, (r) => r.action.type === "mcp__weather__get_forecast");

    expect(await run.exited, run.stderr()).toBe(0);
    const { answers, tasks } = summaryOf(run.lines) as Summary;
    expect(answers.bash).toEqual({
      behavior: "allow",
      updatedInput: { command: EDITED, description: "Restart the staging web deployment" },
      toolUseID: "toolu_bash",
    });
    expect(answers.write).toEqual({
      behavior: "deny",
      message: `Not approved in Airlock: ${REASON}`,
      toolUseID: "toolu_write",
      decisionClassification: "user_reject",
    });
    expect(answers.forecast).toEqual({
      behavior: "deny",
      message: expect.stringContaining("expired before anyone decided"),
      toolUseID: "toolu_forecast",
      decisionClassification: "config",
    });
    expect(answers.fetch).toEqual({
      behavior: "deny",
      message: "Not approved: The agent stopped waiting; the request was cancelled in Airlock",
      toolUseID: "toolu_fetch",
      decisionClassification: "config",
    });

    // The aborted call's task is closed in Airlock, not left for people.
    const response = await fetch(`${env.AIRLOCK_URL}/api/tasks/${tasks.WebFetch}`, {
      headers: { Authorization: `Bearer ${env.AIRLOCK_API_KEY}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "cancelled", workflow_id: workflowId });
  },
};
