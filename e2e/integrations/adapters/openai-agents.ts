// The OpenAI Agents SDK case (@airlock/sdk/openai-agents): three calls in one turn, and the
// run carried from one process to another. The first process submits them, saves the run's
// state in Airlock and is killed (SIGKILL) while they wait; the reviewer then approves the
// staging deploy (an edit is refused: the SDK cannot run an approved call with other
// arguments) and rejects the production one with a reason; the forecast, low risk, is left to
// expire. A second process, given only a request id, resumes from the checkpoint, waits out
// the expiry and finishes the run: the approved tool ran once across both processes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "@playwright/test";
import { FRAMEWORK_PACKAGES, type Running } from "@/tools/sdk-project";
import { type FrameworkCase, summaryOf } from "./framework";

const AGENT = "openai-agents-agent.mjs";
const TYPES = "openai-agents-types.ts";
const REASON = "production is frozen this week";

interface Waiting {
  task_id: string;
  request_id: string;
  action_type: string;
  url: string;
}

interface Summary {
  mode: string;
  executions: { tool: string; args: unknown; pid: number }[];
  modelSaw: Record<string, string>;
  finalOutput: string;
  modelCalls: number;
}

export const openaiAgentsCase: FrameworkCase = {
  name: "openai-agents",
  packages: FRAMEWORK_PACKAGES["openai-agents"] as string[],
  files: [path.join(__dirname, AGENT), path.join(__dirname, TYPES)],
  typecheck: [TYPES],
  async drive({ project, env, workflowId, people }) {
    const first = project.run(AGENT, { ...env, AGENT_MODE: "start" });
    let waiting: Waiting[];
    try {
      waiting = await waitingRequests(first, 3);
    } finally {
      first.child.kill("SIGKILL");
    }
    await first.exited;

    const staging = await people.next(workflowId, (r) =>
      r.action.description.includes('"staging"'),
    );
    expect(await people.tryApprove(staging.id, { environment: "staging", version: "9.9.9" })).toBe(
      422,
    );
    await people.approve(staging.id);
    const production = await people.next(workflowId, (r) =>
      r.action.description.includes('"production"'),
    );
    await people.reject(production.id, REASON);
    const forecast = await people.next(workflowId, (r) => r.action.type === "get_forecast");
    expect(waiting.map((w) => w.request_id).sort()).toEqual(
      [staging.id, production.id, forecast.id].sort(),
    );

    // Nothing of the first process but a request id the user was shown.
    const second = project.run(AGENT, {
      ...env,
      AGENT_MODE: "resume",
      RESUME_REQUEST_ID: production.id,
    });
    expect(await second.exited, second.stderr()).toBe(0);
    const summary = summaryOf(second.lines) as Summary;
    const approvedRun = {
      tool: "deploy_service",
      args: { environment: "staging", version: "2.4.1" },
      pid: second.child.pid,
    };
    expect(summary.executions).toEqual([approvedRun]);
    expect(summary.modelCalls).toBe(1);
    expect(summary.modelSaw["call-staging"]).toBe("deployed 2.4.1 to staging");
    expect(summary.modelSaw["call-production"]).toBe(`Not approved in Airlock: ${REASON}`);
    expect(summary.modelSaw["call-forecast"]).toMatch(/^Not approved in Airlock: .*expired/);
    expect(summary.finalOutput).toContain("Staging runs 2.4.1");

    // Across both processes, the approved tool ran once, and nothing else ran.
    const runs = readFileSync(path.join(project.dir, "executions.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(runs).toEqual([approvedRun]);
  },
};

/** The first `count` requests the agent reports waiting, once it has; fails if it exits first. */
async function waitingRequests(agent: Running, count: number): Promise<Waiting[]> {
  const deadline = Date.now() + 60_000;
  let exited = false;
  void agent.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const waiting = agent.lines.flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as { waiting?: Waiting };
        return parsed.waiting ? [parsed.waiting] : [];
      } catch {
        return [];
      }
    });
    if (waiting.length >= count) return waiting.slice(0, count);
    if (exited || Date.now() > deadline) {
      throw new Error(
        `the agent reported ${waiting.length} of ${count} waiting requests${exited ? " and exited" : ""}:\n${agent.lines.join("\n")}\n${agent.stderr()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
