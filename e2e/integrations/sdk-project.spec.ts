import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { expect, test } from "@playwright/test";
import { type SdkProject, sdkProject, sdkTarball } from "@/tools/sdk-project";
import { agentKey } from "../fixtures";
import { connectMcp, unique } from "./mcp-client";
import { reviewer } from "./reviewer";

// The SDK as an agent's own project gets it (SPEC §6.2): the tarball `npm pack` makes,
// installed into an empty project, run with plain `node` as ESM and as CommonJS, and its
// `airlock-mcp` bin started with `npx`, driven by the MCP SDK's own client.
const root = path.join(__dirname, "..", "..");

test.describe.configure({ mode: "serial", timeout: 120_000 });

let project: SdkProject;
test.beforeAll(() => {
  project = sdkProject("sdk", []);
});
test.afterAll(() => project?.dispose());

test("the packed SDK installs alone and runs with plain node, as ESM and as CommonJS", async ({
  baseURL,
}) => {
  const size = statSync(sdkTarball()).size;
  await test.info().attach("tarball", { body: `${path.basename(sdkTarball())}: ${size} bytes` });
  expect(size).toBeLessThan(200_000);
  // Nothing of the server came with it.
  const lock = JSON.parse(readFileSync(path.join(project.dir, "package-lock.json"), "utf8"));
  const installed = Object.keys(lock.packages as Record<string, unknown>);
  expect(installed).toContain("node_modules/@airlock/sdk");
  for (const serverSide of ["next", "drizzle-orm", "@langchain/langgraph", "pg", "react"]) {
    expect(installed).not.toContain(`node_modules/${serverSide}`);
  }

  const body = (load: string) => `${load}
const client = createAirlockClient({ baseUrl: process.env.AIRLOCK_URL, apiKey: process.env.AIRLOCK_API_KEY });
(async () => {
  const task = await client.submit({
    workflow_id: process.env.WORKFLOW_ID,
    agent_name: "my-agent",
    action: { type: "deploy", environment: "production", description: "Deploy from my project" },
  });
  const read = await client.getTask(task.task_id);
  const missing = await client.getTask("00000000-0000-4000-8000-000000000000").catch((e) => e);
  console.log(JSON.stringify({
    status: read.status,
    same: read.task_id === task.task_id,
    error: missing instanceof AirlockError ? [missing.code, missing.status] : String(missing),
    verifies: typeof verifyWebhook,
  }));
})();
`;
  writeFileSync(
    path.join(project.dir, "agent.mjs"),
    body('import { AirlockError, createAirlockClient, verifyWebhook } from "@airlock/sdk";'),
  );
  writeFileSync(
    path.join(project.dir, "agent.cjs"),
    body('const { AirlockError, createAirlockClient, verifyWebhook } = require("@airlock/sdk");'),
  );
  for (const script of ["agent.mjs", "agent.cjs"]) {
    const run = project.run(script, {
      AIRLOCK_URL: baseURL as string,
      AIRLOCK_API_KEY: agentKey(),
      WORKFLOW_ID: unique("sdk-project"),
    });
    expect(await run.exited, run.stderr()).toBe(0);
    expect(JSON.parse(run.lines.at(-1) as string)).toEqual({
      status: "pending",
      same: true,
      error: ["not_found", 404],
      verifies: "function",
    });
  }
});

/** `npx airlock-mcp …` in the project, as a coding agent's MCP client starts it. */
const airlockMcp = (baseURL: string, args: string[], env: Record<string, string> = {}) =>
  connectMcp(
    baseURL,
    { command: "npx", args: ["--no-install", "airlock-mcp", ...args], cwd: project.dir },
    env,
  );

const textOf = (result: Awaited<ReturnType<Client["callTool"]>>) =>
  (result.content as { type: string; text: string }[])[0]?.text ?? "";

test("npx airlock-mcp serve: a coding agent's command is the request's description, and the rules read it", async ({
  baseURL,
}) => {
  const mcp = await airlockMcp(baseURL as string, ["serve"]);
  try {
    // Critical: a devops engineer's to decide.
    const people = reviewer(baseURL as string, "ops");
    const answer = mcp.client.callTool({
      name: "approval_prompt",
      arguments: { tool_name: "Bash", input: { command: "kubectl delete namespace prod" } },
    });
    const request = await people.next(mcp.workflowId);
    expect(request.action).toMatchObject({
      type: "Bash",
      description: "Bash: kubectl delete namespace prod",
    });
    const task = await fetch(`${baseURL}/api/tasks/${request.task_id}`, {
      headers: { Authorization: `Bearer ${agentKey()}` },
    }).then((r) => r.json());
    expect(task.risk.level).toBe("critical");
    await people.reject(request.id, "Not the production namespace");
    const denial = JSON.parse(textOf(await answer));
    expect(denial.behavior).toBe("deny");
    expect(denial.message).toContain("Not the production namespace");
  } finally {
    await mcp.close();
  }
});

test("npx airlock-mcp proxy: the upstream's annotations reach the rules; a destructive tool is at least high, a read-only hint lowers nothing", async ({
  baseURL,
}) => {
  const log = path.join(project.dir, "upstream.log");
  const mcp = await airlockMcp(
    baseURL as string,
    [
      "proxy",
      "--",
      path.join(root, "node_modules", ".bin", "tsx"),
      path.join(root, "e2e", "integrations", "fixtures", "upstream-server.ts"),
    ],
    { UPSTREAM_LOG: log },
  );
  try {
    const people = reviewer(baseURL as string);
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["rewrite_note", "tidy_notes", "write_note"]);

    const risk = async (id: string) =>
      (
        await fetch(`${baseURL}/api/tasks/${id}`, {
          headers: { Authorization: `Bearer ${agentKey()}` },
        }).then((r) => r.json())
      ).risk as { level: string; matched_rules: string[] };

    const tidy = mcp.client.callTool({ name: "tidy_notes", arguments: {} });
    const tidyRequest = await people.next(mcp.workflowId, (r) => r.action.type === "tidy_notes");
    expect(["high", "critical"]).toContain((await risk(tidyRequest.task_id)).level);
    await people.reject(tidyRequest.id, "Keep the notes");
    expect((await tidy).isError).toBe(true);

    const rewrite = mcp.client.callTool({ name: "rewrite_note", arguments: { text: "new" } });
    const rewriteRequest = await people.next(
      mcp.workflowId,
      (r) => r.action.type === "rewrite_note",
    );
    // rewrite_note says it only reads; its name still makes it a change (medium), not low.
    expect((await risk(rewriteRequest.task_id)).level).toBe("medium");
    await people.approve(rewriteRequest.id);
    expect(textOf(await rewrite)).toBe("rewrote new");
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      JSON.stringify({ rewritten: "new" }),
    ]);
  } finally {
    await mcp.close();
  }
});
