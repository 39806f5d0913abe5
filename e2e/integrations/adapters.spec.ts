import { randomUUID } from "node:crypto";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { type SdkProject, sdkProject, typecheck } from "@/tools/sdk-project";
import { agentKey } from "../fixtures";
import { aiCase } from "./adapters/ai";
import { claudeAgentCase } from "./adapters/claude-agent";
import type { FrameworkCase } from "./adapters/framework";
import { mastraCase } from "./adapters/mastra";
import { openaiAgentsCase } from "./adapters/openai-agents";
import { reviewer } from "./reviewer";

// SPEC §6.2: each framework's adapter, from the packed SDK installed into an empty project
// beside only that framework's real package, run with plain `node` against the built server,
// the framework driven by its own scripted test model; and each framework's README example in
// the same project. They all run at once, so the one minute the cases' expiring requests
// wait is spent once.
const CASES: FrameworkCase[] = [aiCase, openaiAgentsCase, claudeAgentCase, mastraCase];

/**
 * Each framework's README example (examples/<name>/agent.ts), run in the same project: what a
 * person approving its one call (with edits, where the framework carries them) makes it print.
 */
const EXAMPLES: Record<string, { edits?: Record<string, unknown>; ran: RegExp }> = {
  ai: { ran: /^deploy_service: deployed web 1\.4\.3 to staging$/ },
  "openai-agents": { ran: /^deploy_service: deployed 2\.4\.1 to staging$/ },
  mastra: { ran: /^deploy_service: deployed 1\.4\.2 to staging$/ },
  "claude-agent": {
    edits: { command: "kubectl rollout restart deployment/web -n staging --timeout=60s" },
    ran: /^Bash: runs kubectl rollout restart deployment\/web -n staging --timeout=60s$/,
  },
};

/** Run the framework's example in its project; a person approves the call it waits on. */
async function runExample(c: FrameworkCase, project: SdkProject, env: Record<string, string>) {
  const expected = EXAMPLES[c.name];
  if (!expected) throw new Error(`no example for ${c.name}`);
  const people = reviewer(env.AIRLOCK_URL as string);
  const approvals: Promise<void>[] = [];
  const run = project.run("example.ts", env, (line) => {
    const id = /waiting for approval at \S+\/requests\/([0-9a-f-]{36})$/.exec(line)?.[1];
    if (id) approvals.push(people.approve(id, expected.edits));
  });
  expect(await run.exited, run.stderr()).toBe(0);
  await Promise.all(approvals);
  expect(approvals).toHaveLength(1);
  expect(
    run.lines.some((line) => expected.ran.test(line)),
    run.lines.join("\n"),
  ).toBe(true);
}

test("the framework adapters, from the packed SDK, in projects of their own", async ({
  baseURL,
}) => {
  test.setTimeout(360_000);
  const projects: SdkProject[] = [];
  try {
    for (const c of CASES) {
      const project = sdkProject(c.name, c.packages);
      projects.push(project);
      for (const file of c.files) project.add(file);
      project.add(path.join(__dirname, "..", "..", "examples", c.name, "agent.ts"), "example.ts");
      if (c.typecheck) typecheck(project, c.typecheck);
    }
    const env = { AIRLOCK_URL: baseURL as string, AIRLOCK_API_KEY: agentKey() };
    const runs = CASES.flatMap((c, n) => {
      const project = projects[n] as SdkProject;
      const workflowId = `${c.name}-${randomUUID()}`;
      const drive = c.drive({
        project,
        workflowId,
        people: reviewer(baseURL as string),
        env: { ...env, WORKFLOW_ID: workflowId },
      });
      return [
        { what: `${c.name}, the adapter`, done: drive },
        { what: `${c.name}, its example`, done: runExample(c, project, env) },
      ];
    });
    const results = await Promise.allSettled(runs.map((r) => r.done));
    const failures = results.flatMap((r, n) =>
      r.status === "rejected"
        ? [`${runs[n]?.what}: ${(r.reason as Error)?.stack ?? r.reason}`]
        : [],
    );
    expect(failures, failures.join("\n\n")).toEqual([]);
  } finally {
    for (const p of projects) p.dispose();
  }
});
