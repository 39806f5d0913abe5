import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { agentKey } from "../fixtures";

// The SDK from an agent's own Node project, outside this repository, as the README sets it up:
// `npm install <path to airlock>` (a link in node_modules) and an import of airlock/lib/sdk.
test("the SDK works from a separate Node project", async ({ baseURL }) => {
  const root = path.join(__dirname, "..", "..");
  const project = mkdtempSync(path.join(os.tmpdir(), "airlock-sdk-project-"));
  try {
    mkdirSync(path.join(project, "node_modules"));
    // What `npm install ../airlock` leaves there.
    symlinkSync(root, path.join(project, "node_modules", "airlock"), "dir");
    writeFileSync(path.join(project, "package.json"), '{ "name": "my-agent", "private": true }\n');
    writeFileSync(
      path.join(project, "agent.ts"),
      `import { AirlockError, createAirlockClient } from "airlock/lib/sdk";
const client = createAirlockClient({ baseUrl: process.env.AIRLOCK_URL!, apiKey: process.env.AIRLOCK_API_KEY! });
async function main() {
  const task = await client.submit({
    workflow_id: "sdk-project",
    agent_name: "my-agent",
    action: { type: "deploy", environment: "production", description: "Deploy from my project" },
  });
  const read = await client.getTask(task.task_id);
  const missing = await client.getTask("00000000-0000-4000-8000-000000000000").catch((e: unknown) => e);
  console.log(JSON.stringify({
    status: read.status,
    same: read.task_id === task.task_id,
    error: missing instanceof AirlockError ? [missing.code, missing.status] : String(missing),
  }));
}
main();
`,
    );
    const out = execFileSync(path.join(root, "node_modules", ".bin", "tsx"), ["agent.ts"], {
      cwd: project,
      env: { ...process.env, AIRLOCK_URL: baseURL as string, AIRLOCK_API_KEY: agentKey() },
      encoding: "utf8",
    });
    expect(JSON.parse(out)).toEqual({ status: "pending", same: true, error: ["not_found", 404] });
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
