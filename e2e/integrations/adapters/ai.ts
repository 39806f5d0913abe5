// The AI SDK case (SPEC §6.2): ai-agent.mjs runs generateText with
// toolApproval: airlockToolApproval(...) and a scripted model that asks for three tool calls;
// ai-options.ts, a user's wiring in generateText, streamText and ToolLoopAgent, is
// type-checked against the real package.
// The hook cannot carry an edited input, so its requests offer no edit: the staging deploy
// is approved as asked and runs once; the restart is rejected and the model reads the
// reviewer's reason; the (low-risk) forecast is left to expire and is denied as expired.
import path from "node:path";
import { expect } from "@playwright/test";
import { type FrameworkCase, summaryOf } from "./framework";

interface Summary {
  executions: { tool: string; input: Record<string, unknown> }[];
  modelSaw: Record<string, { type: string; reason?: string; value?: unknown }>;
  verdicts: Record<string, unknown>;
  text: string;
}

export const aiCase: FrameworkCase = {
  name: "ai",
  packages: ["ai@7.0.185"],
  files: [path.join(__dirname, "ai-agent.mjs"), path.join(__dirname, "ai-options.ts")],
  typecheck: ["ai-options.ts"],
  async drive({ project, env, workflowId, people }) {
    const run = project.run("ai-agent.mjs", env);
    // generateText asks about a step's calls one after another: each waits for the one before.
    const deploy = await people.next(workflowId, (r) => r.action.type === "deploy_service");
    expect(
      await people.tryApprove(deploy.id, { environment: "staging", version: "2.4.2" }),
      "an edit the AI SDK could not carry is refused",
    ).toBe(422);
    await people.approve(deploy.id);
    const restart = await people.next(workflowId, (r) => r.action.type === "restart_service");
    await people.reject(restart.id, "Not during the release freeze");
    // Nobody decides the forecast: it expires after a minute.
    await people.next(workflowId, (r) => r.action.type === "get_forecast");

    expect(await run.exited, run.stderr()).toBe(0);
    const summary = summaryOf(run.lines) as Summary;
    expect(summary.executions).toEqual([
      { tool: "deploy_service", input: { environment: "staging", version: "2.4.1" } },
    ]);
    expect(summary.verdicts).toEqual({
      deploy_service: "approved",
      restart_service: {
        type: "denied",
        reason: "Not approved in Airlock: Not during the release freeze",
      },
      get_forecast: {
        type: "denied",
        reason: expect.stringContaining("expired before anyone decided"),
      },
    });
    expect(summary.modelSaw).toEqual({
      deploy_service: { type: "text", value: "deploy_service done" },
      restart_service: {
        type: "execution-denied",
        reason: "Not approved in Airlock: Not during the release freeze",
      },
      get_forecast: {
        type: "execution-denied",
        reason: expect.stringContaining("expired before anyone decided"),
      },
    });
    expect(summary.text).toBe("Done.");
    expect(run.lines.filter((l) => l.includes("waiting for approval at"))).toHaveLength(3);
  },
};
