import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { watchOutput } from "@/tools/sdk-project";
import { hitl, type Server, type Storage, startServer, storage } from "../servers";

// The README's examples, run as a user runs them (`npm run example:…`), against a server of
// their own with the shipped rules (a low-risk read is approved on arrival there). A person
// approves over the API when the example prints a request's link.
const root = path.join(__dirname, "..", "..");

test.describe("the examples", () => {
  test.describe.configure({ mode: "serial", timeout: 120_000 });
  let scratch: string;
  let store: Storage;
  let server: Server;
  let agentKey: string;
  const approvers: string[] = [];

  test.beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-examples-"));
    store = await storage("pglite", path.join(scratch, "data"));
    hitl(store.env, "init-db");
    hitl(store.env, "users", "add", "--email", "owner@examples.test", "--role", "developer");
    agentKey = JSON.parse(
      hitl(
        store.env,
        "keys",
        "create",
        "--agent",
        "examples",
        "--owner",
        "owner@examples.test",
        "--json",
      ),
    ).key;
    // Two devops engineers: enough for any level, critical included.
    for (const email of ["ops1@examples.test", "ops2@examples.test"]) {
      hitl(store.env, "users", "add", "--email", email, "--role", "devops_engineer");
      approvers.push(JSON.parse(hitl(store.env, "keys", "create", "--user", email, "--json")).key);
    }
    server = await startServer(store.env);
  });

  test.afterAll(async () => {
    await server?.kill();
    await store?.drop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Run `npm run example:NAME`; `onLine` sees each line of its output as it comes. */
  function example(name: string, onLine: (line: string) => void) {
    const child: ChildProcess = spawn("npm", ["run", "--silent", `example:${name}`], {
      cwd: root,
      env: { ...process.env, AIRLOCK_URL: server.base, AIRLOCK_API_KEY: agentKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return watchOutput(child, onLine);
  }

  /** Approve the request a printed link names, with each approver until it is approved. */
  async function approve(url: string, editedInputs?: Record<string, unknown>) {
    const id = url.split("/requests/")[1];
    for (const [n, key] of approvers.entries()) {
      const response = await fetch(`${server.base}/api/hitl/actions/${id}/approve`, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
        // The edit comes with the first approval only: a second one would void the first.
        body: JSON.stringify({
          justification: "the example may go on",
          ...(n === 0 && editedInputs ? { edited_inputs: editedInputs } : {}),
        }),
      });
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(200);
      if (body.status === "approved") return;
    }
    throw new Error(`request ${id} was not approved by every approver`);
  }

  const waitingAt = (line: string) => /waiting for approval at (\S+)/.exec(line)?.[1];

  test("example:agent — the read goes on at once, the deploy waits for a person", async () => {
    const approvals: Promise<void>[] = [];
    const run = example("agent", (line) => {
      const url = waitingAt(line);
      if (url) approvals.push(approve(url, { service: "auth", version: "1.4.3" }));
    });
    expect(await run.exited, run.stderr()).toBe(0);
    await Promise.all(approvals);
    expect(run.lines).toEqual([
      'FILE.READ: ran FILE.READ with {"path":"RELEASE.md"}',
      expect.stringMatching(
        /^deploy: waiting for approval at http:\/\/127\.0\.0\.1:\d+\/requests\/[0-9a-f-]{36}$/,
      ),
      'deploy: ran deploy with {"service":"auth","version":"1.4.3"}',
    ]);
  });

  test("example:langchain — the agent's tool call waits, and runs with the reviewer's edits", async () => {
    const approvals: Promise<void>[] = [];
    const run = example("langchain", (line) => {
      const url = waitingAt(line);
      if (url)
        approvals.push(
          approve(url, { to: "ceo@customer.example", subject: "Outage report (final)" }),
        );
    });
    expect(await run.exited, run.stderr()).toBe(0);
    await Promise.all(approvals);
    expect(run.lines).toEqual([
      expect.stringMatching(/^send_email: waiting for approval at /),
      'tool result: sent "Outage report (final)" to ceo@customer.example',
    ]);
  });

  // The runner of the framework examples (scripts/example.ts), once: the packed SDK in a
  // project of its own. adapters.spec.ts runs every framework's example in its project.
  test("example:ai — from the packed SDK, the tool call waits for a person, then runs", async () => {
    const approvals: Promise<void>[] = [];
    const run = example("ai", (line) => {
      const url = waitingAt(line);
      if (url) approvals.push(approve(url));
    });
    expect(await run.exited, run.stderr()).toBe(0);
    await Promise.all(approvals);
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^deploy_service: waiting for approval at http:\/\/127\.0\.0\.1:\d+\/requests\//,
      ),
      "deploy_service: deployed web 1.4.3 to staging",
    ]);
  });
});
