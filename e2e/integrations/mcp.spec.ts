import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ErrorCode, LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js";
import { expect, test } from "@playwright/test";
import { agentKey } from "../fixtures";
import { connectMcp, unique } from "./mcp-client";
import { reviewer } from "./reviewer";

// `hitl mcp serve` and `hitl mcp proxy` as an MCP client drives them (the SDK's own Client
// over stdio, spawning the CLI), against the built app. People decide over the API with a
// reviewer key: write_note names a change, which is medium risk, for a tech lead to decide.
const root = path.join(__dirname, "..", "..");
const hitl = ["tsx", "--conditions=react-server", "lib/cli/main.ts", "mcp"];
const upstreamServer = ["tsx", "e2e/integrations/fixtures/upstream-server.ts"];

test.describe.configure({ timeout: 60_000 });

let scratch: string;
test.beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-mcp-"));
});
test.afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The CLI's MCP command as a client starts it, with an agent key and its own workflow. */
const connect = (baseURL: string, args: string[], env: Record<string, string> = {}) =>
  connectMcp(baseURL, { command: "npx", args: [...hitl, ...args], cwd: root }, env);

/** The one text block of a tool result, parsed. */
function answerOf(result: Awaited<ReturnType<Client["callTool"]>>) {
  const content = result.content as { type: string; text: string }[];
  expect(content).toHaveLength(1);
  expect(content[0]?.type).toBe("text");
  return JSON.parse(content[0]?.text as string);
}

test.describe("hitl mcp serve", () => {
  test("approval_prompt allows with the reviewer's edits; a retry of the call answers the same without a second request", async ({
    baseURL,
  }) => {
    const mcp = await connect(baseURL as string, ["serve"]);
    try {
      const people = reviewer(baseURL as string);
      const call = {
        name: "approval_prompt",
        arguments: {
          tool_name: "write_note",
          input: { text: "draft" },
          tool_use_id: unique("toolu"),
        },
      };
      const answer = mcp.client.callTool(call);
      const request = await people.next(mcp.workflowId);
      expect(request.action).toMatchObject({
        type: "write_note",
        description: 'write_note: {"text":"draft"}',
      });
      await people.approve(request.id, { text: "final" });
      expect(answerOf(await answer)).toEqual({
        behavior: "allow",
        updatedInput: { text: "final" },
      });
      // A second request would be pending, and this would wait for it until it timed out.
      const retry = await mcp.client.callTool(call, undefined, { timeout: 10_000 });
      expect(answerOf(retry)).toEqual({ behavior: "allow", updatedInput: { text: "final" } });
    } finally {
      await mcp.close();
    }
  });

  test("approval_prompt denies with the reviewer's reason", async ({ baseURL }) => {
    const mcp = await connect(baseURL as string, ["serve"]);
    try {
      const people = reviewer(baseURL as string);
      const answer = mcp.client.callTool({
        name: "approval_prompt",
        arguments: { tool_name: "write_note", input: { text: "skip the tests" } },
      });
      const request = await people.next(mcp.workflowId);
      await people.reject(request.id, "Tests are not optional");
      const denial = answerOf(await answer);
      expect(denial).toEqual({ behavior: "deny", message: expect.any(String) });
      expect(denial.message).toContain("Tests are not optional");
    } finally {
      await mcp.close();
    }
  });

  test("a call with a progress token outlives its time-out while people decide; without one it times out", async ({
    baseURL,
  }) => {
    const timeout = 3000;
    const mcp = await connect(baseURL as string, ["serve"], { AIRLOCK_MCP_PROGRESS_MS: "500" });
    try {
      const people = reviewer(baseURL as string);
      const messages: string[] = [];
      let heard = () => {};
      const started = Date.now();
      const answer = mcp.client.callTool(
        {
          name: "approval_prompt",
          arguments: { tool_name: "write_note", input: { text: "slow decision" } },
        },
        undefined,
        {
          timeout,
          resetTimeoutOnProgress: true,
          onprogress: ({ message }) => {
            messages.push(message ?? "");
            heard();
          },
        },
      );
      /** Once a notification makes `done` true; fails as soon as the call does. */
      const until = (done: () => boolean) =>
        Promise.race([
          new Promise<void>((resolve) => {
            heard = () => done() && resolve();
            heard();
          }),
          answer.then(() => {
            throw new Error("the call ended before the decision");
          }),
        ]);
      const request = await people.next(mcp.workflowId);
      await until(() => messages.length > 0);
      expect(messages[0]).toContain(`/requests/${request.id}`);
      expect(messages[0]).toContain("pending");
      // Decide only once the call has lived well past its time-out.
      await until(() => Date.now() - started > timeout + 2000);
      await people.approve(request.id);
      expect(answerOf(await answer)).toEqual({
        behavior: "allow",
        updatedInput: { text: "slow decision" },
      });
      expect(Date.now() - started).toBeGreaterThan(timeout + 2000);

      // The same wait without progress: the client's own time-out ends it.
      const unheard = mcp.client.callTool(
        {
          name: "approval_prompt",
          arguments: { tool_name: "write_note", input: { text: "nobody decides" } },
        },
        undefined,
        { timeout },
      );
      await expect(unheard).rejects.toMatchObject({ code: ErrorCode.RequestTimeout });
      // Leave nothing open for the other specs' queues.
      await people.reject((await people.next(mcp.workflowId)).id, "The client gave up");
    } finally {
      await mcp.close();
    }
  });
});

test.describe("hitl mcp proxy", () => {
  test("lists the upstream's tools, forwards an approved call once with the edited arguments, and never a rejected one", async ({
    baseURL,
  }) => {
    const log = path.join(scratch, "notes.log");
    const notes = () =>
      readFileSync(log, { encoding: "utf8", flag: "a+" })
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    const env = { UPSTREAM_LOG: log };
    const direct = new Client({ name: "airlock-e2e", version: "1.0.0" });
    await direct.connect(
      new StdioClientTransport({ command: "npx", args: upstreamServer, cwd: root, env }),
    );
    const upstreamTools = await direct.listTools();
    await direct.close();

    const mcp = await connect(baseURL as string, ["proxy", "--", "npx", ...upstreamServer], env);
    try {
      const people = reviewer(baseURL as string);
      const { tools } = await mcp.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["write_note", "tidy_notes", "rewrite_note"]);
      expect(tools).toEqual(upstreamTools.tools);

      const approved = mcp.client.callTool({ name: "write_note", arguments: { text: "draft" } });
      const first = await people.next(mcp.workflowId);
      expect(first.action.type).toBe("write_note");
      expect(first.action.description).toContain('MCP server "notes"');
      // The call's arguments, as describeToolCall renders them, come first.
      expect(first.action.description).toMatch(/^write_note: \{"text":"draft"\} /);
      expect(notes()).toEqual([]);
      await people.approve(first.id, { text: "edited" });
      expect(await approved).toMatchObject({ content: [{ type: "text", text: "wrote edited" }] });
      expect(notes()).toEqual([{ text: "edited" }]);

      const rejected = mcp.client.callTool({ name: "write_note", arguments: { text: "spam" } });
      await people.reject((await people.next(mcp.workflowId)).id, "No more notes today");
      const refusal = await rejected;
      expect(refusal.isError).toBe(true);
      expect(refusal.content).toEqual([
        { type: "text", text: expect.stringContaining("No more notes today") },
      ]);
      expect(notes()).toEqual([{ text: "edited" }]);

      // A tool the upstream does not have is refused at once, without asking anyone.
      await expect(
        mcp.client.callTool({ name: "erase_notes", arguments: {} }, undefined, { timeout: 10_000 }),
      ).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    } finally {
      await mcp.close();
    }
  });
});

test.describe("hitl mcp, the process", () => {
  interface Ended {
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }

  /**
   * Start the CLI's MCP command as a bare process; with `session`, open an MCP session and then
   * hang up by closing its stdin, as a client does. How it ended, or killed (its whole process
   * group) when it does not end by itself within 15 s.
   */
  function run(args: string[], env: Record<string, string>, session: boolean): Promise<Ended> {
    const child = spawn("npx", [...hitl, ...args], {
      cwd: root,
      // Only what the test gives it of the configuration (spawn leaves out undefined values).
      env: { ...process.env, AIRLOCK_URL: undefined, AIRLOCK_API_KEY: undefined, ...env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const killer = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), 15_000);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('"id":1')) child.stdin.end();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    if (session) {
      child.stdin.write(
        `${JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: LATEST_PROTOCOL_VERSION,
            capabilities: {},
            clientInfo: { name: "airlock-e2e", version: "1.0.0" },
          },
        })}\n`,
      );
    }
    return new Promise((resolve) =>
      child.on("close", (code, signal) => {
        clearTimeout(killer);
        resolve({ code, signal, stdout, stderr });
      }),
    );
  }

  /** Stdout is the protocol and nothing else: JSON-RPC messages, one a line. */
  const messagesOf = (stdout: string) =>
    stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { jsonrpc: string; id?: number });

  test("refuses to start without its configuration: exit 2, the missing variables on stderr", async () => {
    const result = await run(["serve"], {}, false);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("AIRLOCK_URL is not set");
    expect(result.stderr).toContain("AIRLOCK_API_KEY is not set");
  });

  test("ends when the client hangs up, the proxy with its upstream; stdout carries only the protocol", async ({
    baseURL,
  }) => {
    const config = { AIRLOCK_URL: baseURL as string, AIRLOCK_API_KEY: agentKey() };
    const served = await run(["serve"], config, true);
    expect(served).toMatchObject({ code: 0, signal: null });
    expect(messagesOf(served.stdout)).toEqual([expect.objectContaining({ jsonrpc: "2.0", id: 1 })]);

    const log = path.join(scratch, "hang-up.log");
    const proxied = await run(
      ["proxy", "--", "npx", ...upstreamServer],
      { ...config, UPSTREAM_LOG: log },
      true,
    );
    expect(proxied).toMatchObject({ code: 0, signal: null });
    expect(messagesOf(proxied.stdout)).toEqual([
      expect.objectContaining({ jsonrpc: "2.0", id: 1 }),
    ]);
    const upstreamPid = Number(readFileSync(`${log}.pid`, "utf8"));
    expect(() => process.kill(upstreamPid, 0), "the upstream is still running").toThrow();
  });
});
