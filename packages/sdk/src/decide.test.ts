import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AirlockClient } from "./client";
import { decideToolCall, describeToolCall, type ToolCall, type WaitingRequest } from "./decide";
import { scriptedAirlock } from "./testing/scripted-airlock";
import type { TaskDto } from "./types";

// describeToolCall is what reviewers read first (airlock-mcp serve's approval_prompt, the
// proxy, and every adapter by default); decideToolCall is the one call all the adapters make.
// The adapters' own tests drive decideToolCall through their frameworks; these call it
// directly, for what those cannot reach: its labels, its defaults, and each way it fails closed.

describe("describeToolCall: what people read first about a tool call", () => {
  it("is the tool and the command itself when there is one", () => {
    expect(describeToolCall("Bash", { command: "kubectl delete namespace prod" })).toBe(
      "Bash: kubectl delete namespace prod",
    );
    // The command, not the other arguments beside it.
    expect(
      describeToolCall("Bash", {
        command: "npm test",
        description: "Run the tests",
        timeout: 120000,
      }),
    ).toBe("Bash: npm test");
  });

  it("takes the input that says most, in order: command, cmd, script, query, sql, file_path, path, url", () => {
    expect(describeToolCall("run", { cmd: "make", url: "https://x.example" })).toBe("run: make");
    expect(describeToolCall("node", { script: "console.log(1)", path: "a.js" })).toBe(
      "node: console.log(1)",
    );
    expect(describeToolCall("WebSearch", { query: "airlock", url: "https://x.example" })).toBe(
      "WebSearch: airlock",
    );
    expect(describeToolCall("execute_sql", { sql: "DROP TABLE users", path: "db" })).toBe(
      "execute_sql: DROP TABLE users",
    );
    expect(
      describeToolCall("Write", { file_path: "flags.json", path: "other", content: "{}" }),
    ).toBe("Write: flags.json");
    expect(describeToolCall("LS", { path: "src", url: "https://x.example" })).toBe("LS: src");
    expect(describeToolCall("WebFetch", { url: "https://status.example.com", prompt: "up?" })).toBe(
      "WebFetch: https://status.example.com",
    );
    // Earlier in the order wins whatever the order of the keys.
    expect(describeToolCall("mixed", { url: "u", file_path: "f", sql: "s", command: "c" })).toBe(
      "mixed: c",
    );
  });

  it("passes over an empty or non-string telling input to the next one, or to all the arguments", () => {
    expect(describeToolCall("Edit", { command: "", file_path: "a.ts" })).toBe("Edit: a.ts");
    expect(describeToolCall("Bash", { command: ["rm", "-rf", "/"] })).toBe(
      'Bash: {"command":["rm","-rf","/"]}',
    );
    expect(describeToolCall("query_db", { query: 42, path: null })).toBe(
      'query_db: {"query":42,"path":null}',
    );
  });

  it("is the tool and its arguments as JSON when none says more", () => {
    expect(describeToolCall("write_note", { text: "draft" })).toBe('write_note: {"text":"draft"}');
    expect(describeToolCall("mcp__weather__get_forecast", { city: "Berlin", days: 3 })).toBe(
      'mcp__weather__get_forecast: {"city":"Berlin","days":3}',
    );
    expect(describeToolCall("deploy", { target: { env: "prod", replicas: 2 } })).toBe(
      'deploy: {"target":{"env":"prod","replicas":2}}',
    );
  });

  it("is `Call <tool>` for a call without arguments", () => {
    expect(describeToolCall("list_tools", {})).toBe("Call list_tools");
    // Arguments that JSON leaves out are none.
    expect(describeToolCall("ping", { when: undefined })).toBe("Call ping");
  });

  it("keeps the tool name as given: the MCP server is not part of it", () => {
    // The proxy adds the server after it (`… (on the MCP server "notes", …)`); this does not.
    expect(describeToolCall("write_note", { text: "x" })).not.toContain("notes");
    expect(describeToolCall("mcp__github__archive_issue", { path: "issues/7" })).toBe(
      "mcp__github__archive_issue: issues/7",
    );
  });

  it("clips what it says to 2000 characters, the last one an ellipsis", () => {
    const long = `echo ${"x".repeat(3000)}`;
    const described = describeToolCall("Bash", { command: long });
    expect(described).toHaveLength(2000);
    expect(described).toBe(`Bash: ${long.slice(0, 2000 - "Bash: ".length - 1)}…`);

    const exact = "y".repeat(2000 - "Bash: ".length);
    expect(describeToolCall("Bash", { command: exact })).toBe(`Bash: ${exact}`);
    expect(describeToolCall("Bash", { command: `${exact}z` })).toBe(`Bash: ${exact.slice(0, -1)}…`);

    const json = describeToolCall("write_note", { text: "n".repeat(5000) });
    expect(json).toHaveLength(2000);
    expect(json.startsWith('write_note: {"text":"nnn')).toBe(true);
    expect(json.endsWith("n…")).toBe(true);
  });
});

const call = (more: Partial<ToolCall> = {}): ToolCall => ({
  toolName: "Bash",
  input: { command: "kubectl delete namespace prod" },
  workflowId: "run-1",
  canEdit: true,
  ...more,
});

const approved = { status: "approved" } as Partial<TaskDto>;

describe("decideToolCall: one tool call put to people", () => {
  it("submits the call as one task: its tool, its arguments, its run, the default words and agent", async () => {
    const { client, submitted } = scriptedAirlock(() => approved);
    await decideToolCall(call(), { client });
    expect(submitted).toEqual([
      {
        body: {
          workflow_id: "run-1",
          agent_name: "agent",
          action: {
            type: "Bash",
            description: "Bash: kubectl delete namespace prod",
            inputs: { command: "kubectl delete namespace prod" },
          },
        },
        idempotencyKey: undefined,
      },
    ]);
  });

  it("takes the caller's description, context and agent name, and offers no edit it cannot carry", async () => {
    const { client, submitted } = scriptedAirlock(() => approved);
    await decideToolCall(
      call({
        description: "Delete the prod namespace",
        context: { mcp: { server: "k8s" } },
        canEdit: false,
      }),
      { client, agentName: "coder" },
    );
    expect(submitted[0]?.body).toEqual({
      workflow_id: "run-1",
      agent_name: "coder",
      action: {
        type: "Bash",
        description: "Delete the prod namespace",
        inputs: { command: "kubectl delete namespace prod" },
        context: { mcp: { server: "k8s" } },
      },
      allowed_decisions: ["approve", "reject"],
    });
  });

  it("keys a call with an id by its run, id and tool, so that asking again waits for the same task", async () => {
    const { client, submitted } = scriptedAirlock(() => approved);
    await decideToolCall(call({ callId: "toolu_1" }), { client });
    await decideToolCall(call({ callId: "toolu_1" }), { client });
    await decideToolCall(call({ callId: "toolu_2" }), { client });
    await decideToolCall(call({ callId: "toolu_1", workflowId: "run-2" }), { client });
    const expected = `call-${createHash("sha256")
      .update(JSON.stringify(["run-1", "toolu_1", "Bash"]))
      .digest("hex")}`;
    const keys = submitted.map((s) => s.idempotencyKey);
    expect(keys[0]).toBe(expected);
    expect(keys[1]).toBe(expected);
    expect(new Set(keys).size).toBe(3);
  });

  it("clips the run to 200 characters, the agent to 100 and the tool to 200", async () => {
    const { client, submitted } = scriptedAirlock(() => approved);
    const heard: WaitingRequest[] = [];
    await decideToolCall(call({ workflowId: "w".repeat(250), toolName: "t".repeat(250) }), {
      client,
      agentName: "a".repeat(150),
      onWaiting: (r) => heard.push(r),
    });
    const body = submitted[0]?.body;
    expect(body?.workflow_id).toBe(`${"w".repeat(199)}…`);
    expect(body?.agent_name).toBe(`${"a".repeat(99)}…`);
    expect(body?.action.type).toBe(`${"t".repeat(199)}…`);
    // The caller hears of its own tool by its own name.
    expect(heard[0]?.action_type).toBe("t".repeat(250));
  });

  it("tells onWaiting of a request that waits for people, and not of one already decided", async () => {
    const { client } = scriptedAirlock(() => approved);
    const heard: WaitingRequest[] = [];
    await decideToolCall(call(), { client, onWaiting: (r) => heard.push(r) });
    expect(heard).toEqual([
      {
        task_id: "task-1",
        request_id: "request-1",
        action_type: "Bash",
        url: "http://airlock.test/requests/request-1",
      },
    ]);

    // Approved on arrival (a low level that passes, or a standing grant): nobody is waited for.
    const auto: AirlockClient = {
      ...client,
      submit: async () =>
        ({ task_id: "task-9", approval_request_id: "request-9", status: "approved" }) as Awaited<
          ReturnType<AirlockClient["submit"]>
        >,
      waitForDecision: async () =>
        ({
          task_id: "task-9",
          approval_request_id: "request-9",
          status: "approved",
          action: { type: "Bash", inputs: { command: "ls" } },
          edited_inputs: null,
          decision: null,
        }) as unknown as TaskDto,
    };
    const verdict = await decideToolCall(call({ input: { command: "ls" } }), {
      client: auto,
      onWaiting: (r) => heard.push(r),
    });
    expect(verdict).toMatchObject({ allowed: true, input: { command: "ls" }, edited: false });
    expect(heard).toHaveLength(1);
  });

  it("allows with the call's own arguments, or with a reviewer's edits, saying which", async () => {
    const own = scriptedAirlock(() => approved);
    expect(await decideToolCall(call(), { client: own.client })).toEqual({
      allowed: true,
      input: { command: "kubectl delete namespace prod" },
      edited: false,
      outcome: {
        task_id: "task-1",
        request_id: "request-1",
        status: "approved",
        approved: true,
        inputs: { command: "kubectl delete namespace prod" },
        edited: false,
        reason: null,
      },
    });

    const edited = scriptedAirlock(() => ({
      status: "approved",
      edited_inputs: { command: "kubectl delete namespace staging" },
    }));
    expect(await decideToolCall(call(), { client: edited.client })).toMatchObject({
      allowed: true,
      input: { command: "kubectl delete namespace staging" },
      edited: true,
    });
  });

  it("denies with the reviewer's reason, or with why nobody decided", async () => {
    const rejected = scriptedAirlock(
      () =>
        ({
          status: "rejected",
          decision: { status: "rejected", reason: "Not the prod namespace" },
        }) as Partial<TaskDto>,
    );
    expect(await decideToolCall(call(), { client: rejected.client })).toMatchObject({
      allowed: false,
      reason: "Not approved in Airlock: Not the prod namespace",
      outcome: { status: "rejected", approved: false },
    });

    const cancelled = scriptedAirlock(() => ({ status: "cancelled" }));
    expect(await decideToolCall(call(), { client: cancelled.client })).toMatchObject({
      allowed: false,
      reason: "Not approved in Airlock: The request was cancelled; it will not run",
      outcome: { status: "cancelled" },
    });
  });

  it("fails closed when Airlock cannot take the request: nothing waited for, nobody told", async () => {
    const heard: WaitingRequest[] = [];
    const refuses = (error: unknown) =>
      ({
        submit: async () => {
          throw error;
        },
      }) as unknown as AirlockClient;
    expect(
      await decideToolCall(call(), {
        client: refuses(new Error("connect ECONNREFUSED")),
        onWaiting: (r) => heard.push(r),
      }),
    ).toEqual({
      allowed: false,
      reason: "Not approved: Airlock could not take the request (connect ECONNREFUSED)",
      outcome: null,
    });
    // Whatever was thrown, said in words.
    expect(await decideToolCall(call(), { client: refuses("quota") })).toEqual({
      allowed: false,
      reason: "Not approved: Airlock could not take the request (quota)",
      outcome: null,
    });
    expect(heard).toEqual([]);
  });

  it("fails closed when the wait fails, passing on its time limit and signal", async () => {
    const { client } = scriptedAirlock(() => approved);
    const stop = new AbortController();
    const asked: unknown[] = [];
    const lost: AirlockClient = {
      ...client,
      waitForDecision: async (taskId, options) => {
        asked.push({ taskId, ...options });
        throw new Error("timeout after 5000 ms");
      },
    };
    expect(
      await decideToolCall(call({ signal: stop.signal }), { client: lost, timeoutMs: 5000 }),
    ).toEqual({
      allowed: false,
      reason: "Not approved: Airlock could not say what was decided (timeout after 5000 ms)",
      outcome: null,
    });
    expect(asked).toEqual([{ taskId: "task-1", signal: stop.signal, timeoutMs: 5000 }]);
  });

  it("when the agent stops waiting, leaves the request open unless told to cancel it", async () => {
    const open = scriptedAirlock(() => "wait");
    const stop = new AbortController();
    expect(
      await decideToolCall(call({ signal: stop.signal }), {
        client: open.client,
        onWaiting: () => stop.abort(),
      }),
    ).toEqual({
      allowed: false,
      reason: "Not approved: The agent stopped waiting; the request stays open in Airlock",
      outcome: null,
    });
    expect(open.cancelled).toEqual([]);

    // Told to cancel, it cancels saying why; a cancellation that fails changes no verdict.
    const reasons: (string | undefined)[] = [];
    const cancelling = scriptedAirlock(() => "wait");
    const failing: AirlockClient = {
      ...cancelling.client,
      cancel: async (_taskId, reason) => {
        reasons.push(reason);
        throw new Error("Airlock is down");
      },
    };
    const abort = new AbortController();
    expect(
      await decideToolCall(call({ signal: abort.signal, cancelOnAbort: true }), {
        client: failing,
        onWaiting: () => abort.abort(),
      }),
    ).toEqual({
      allowed: false,
      reason: "Not approved: The agent stopped waiting; the request was cancelled in Airlock",
      outcome: null,
    });
    expect(reasons).toEqual(["The agent stopped waiting for a decision"]);
  });
});
