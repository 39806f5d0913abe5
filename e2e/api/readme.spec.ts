import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

// The README's curl example, run as written against the built app with the demo's keys.
test("the README's submit, wait, decide and resume example works as written", async ({
  baseURL,
}) => {
  const readme = readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const block = readme.match(
    /<!-- api-example:start -->\s*```bash\n([\s\S]*?)```\s*<!-- api-example:end -->/,
  );
  expect(block, "the README has the marked API example").not.toBeNull();
  const dataDir = process.env.E2E_DATA_DIR as string;
  // An empty working directory and temporary folder: the example must leave both as it found
  // them (a file it wrote into the checkout would fail the lint).
  const scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-readme-"));
  const cwd = path.join(scratch, "cwd");
  const tmp = path.join(scratch, "tmp");
  mkdirSync(cwd);
  mkdirSync(tmp);
  let output: string;
  try {
    output = execFileSync("bash", ["-euo", "pipefail", "-c", block?.[1] as string], {
      cwd,
      env: {
        ...process.env,
        TMPDIR: tmp,
        AIRLOCK: baseURL as string,
        AGENT_KEY: readFileSync(path.join(dataDir, "demo-agent-key"), "utf8").trim(),
        REVIEWER_KEY: readFileSync(path.join(dataDir, "demo-reviewer-key"), "utf8").trim(),
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(readdirSync(cwd), "files the example left in the working directory").toEqual([]);
    expect(readdirSync(tmp), "temporary files the example left").toEqual([]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const objects = output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
  const [submitted, decided, waited, resumed] = objects;
  expect(submitted).toMatchObject({ status: "pending", risk: { level: "high" } });
  expect(decided).toMatchObject({ id: submitted.approval_request_id, status: "approved" });
  expect(waited).toMatchObject({ task_id: submitted.task_id, status: "approved" });
  expect(resumed).toMatchObject({
    task_id: submitted.task_id,
    resumed: true,
    action: { type: "deploy" },
  });
});
