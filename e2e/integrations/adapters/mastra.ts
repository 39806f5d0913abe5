// The Mastra case (SPEC §6.2): mastra-agent.mjs runs an Agent with three `requireApproval`
// tools through runWithAirlock, a scripted AI SDK model (ai/test's MockLanguageModelV4) asking
// for one call a turn; mastra-typed.cts is a user's code, type-checked against the real
// @mastra/core. Mastra's approveToolCall carries no arguments, so the requests offer no edit:
// the staging deploy is approved as asked and runs once; the rollback is declined with the
// reviewer's reason, which the model reads as the call's result; the (low-risk) forecast is
// left to expire and is declined as expired.
import path from "node:path";
import { expect } from "@playwright/test";
import { FRAMEWORK_PACKAGES } from "@/tools/sdk-project";
import { type FrameworkCase, summaryOf } from "./framework";

interface Summary {
  executed: { toolName: string; args: Record<string, unknown> }[];
  /** Per model turn, the results of the tool calls so far. */
  modelSaw: { toolName: string; output: { type: string; value: unknown } }[][];
  finishReason: string;
  text: string;
}

const REASON = "Rollbacks need a change ticket";

export const mastraCase: FrameworkCase = {
  name: "mastra",
  packages: FRAMEWORK_PACKAGES.mastra as string[],
  files: [
    path.join(__dirname, "mastra-agent.mjs"),
    path.join(__dirname, "mastra-typed.cts"),
    // The README's example, type-checked here against the real package (it runs elsewhere).
    path.join(__dirname, "..", "..", "..", "examples", "mastra", "agent.ts"),
  ],
  typecheck: ["mastra-typed.cts", "agent.ts"],
  async drive({ project, env, workflowId, people }) {
    const run = project.run("mastra-agent.mjs", env);
    try {
      // Mastra runs the calls that need approval one at a time: each waits for the one before.
      const deploy = await people.next(workflowId, (r) => r.action.type === "deploy_service");
      expect(
        await people.tryApprove(deploy.id, { environment: "staging", version: "1.4.3" }),
        "an edit Mastra could not carry is refused",
      ).toBe(422);
      await people.approve(deploy.id);
      const rollback = await people.next(workflowId, (r) => r.action.type === "rollback_service");
      await people.reject(rollback.id, REASON);
      // Nobody decides the forecast: it expires after a minute.
      await people.next(workflowId, (r) => r.action.type === "get_forecast");

      expect(await run.exited, run.stderr()).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill();
    }
    const summary = summaryOf(run.lines) as Summary;
    expect(summary.executed).toEqual([
      { toolName: "deploy_service", args: { environment: "staging", version: "1.4.2" } },
    ]);
    const declinedRollback = {
      toolName: "rollback_service",
      output: { type: "text", value: `Not approved in Airlock: ${REASON}` },
    };
    const deployed = {
      toolName: "deploy_service",
      output: {
        type: "json",
        value: { ok: true, did: 'deploy_service {"environment":"staging","version":"1.4.2"}' },
      },
    };
    // Turn by turn: nothing yet; the deploy's result; then the rollback's decline with the
    // reviewer's reason; then the forecast's decline as expired.
    expect(summary.modelSaw).toEqual([
      [],
      [deployed],
      [deployed, declinedRollback],
      [
        deployed,
        declinedRollback,
        {
          toolName: "get_forecast",
          output: {
            type: "text",
            value: expect.stringContaining("expired before anyone decided"),
          },
        },
      ],
    ]);
    expect(summary.finishReason).toBe("stop");
    expect(summary.text).toBe("Done after 3 tool calls.");
    expect(run.lines.filter((l) => l.includes("waiting for approval at"))).toHaveLength(3);
  },
};
