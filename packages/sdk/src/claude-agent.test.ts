import { describe, expect, it } from "vitest";
import { airlockCanUseTool, type CanUseToolOptions } from "./claude-agent";
import type { AirlockClient } from "./client";
import { scriptedAirlock } from "./testing/scripted-airlock";
import type { TaskDto } from "./types";

// canUseTool called as the Claude Agent SDK calls it (its query loop needs Claude Code and a
// model: the e2e adapters case does the same from the packed SDK, against a real server),
// with an Airlock client whose decisions are scripted.

const asked = (toolUseID: string, more: Partial<CanUseToolOptions> = {}): CanUseToolOptions => ({
  signal: new AbortController().signal,
  suggestions: [],
  toolUseID,
  requestId: `req-${toolUseID}`,
  ...more,
});

const restart = { command: "kubectl rollout restart deployment/web -n staging" };
const edited = { command: "kubectl rollout restart deployment/web-canary -n staging" };

describe("airlockCanUseTool: the Claude Agent SDK's canUseTool answered through Airlock", () => {
  it("allows with the inputs people approved, a reviewer's edits included", async () => {
    const { client, submitted } = scriptedAirlock(() => ({
      status: "approved",
      edited_inputs: edited,
    }));
    const canUseTool = airlockCanUseTool({ client, agentName: "coder" });

    const answer = await canUseTool(
      "Bash",
      restart,
      asked("toolu_1", { title: "Claude wants to run kubectl", decisionReason: "Not allowed" }),
    );

    expect(answer).toEqual({ behavior: "allow", updatedInput: edited, toolUseID: "toolu_1" });
    const [first] = submitted;
    expect(first?.body).toEqual({
      workflow_id: expect.stringMatching(/^claude-agent-[0-9a-f-]{36}$/),
      agent_name: "coder",
      action: {
        type: "Bash",
        description: "Bash: kubectl rollout restart deployment/web -n staging",
        inputs: restart,
        context: {
          claude: { title: "Claude wants to run kubectl", decision_reason: "Not allowed" },
        },
      },
    });
    // Claude Code carries an edit: the reviewers may make one.
    expect(first?.body.allowed_decisions).toBeUndefined();
    expect(first?.idempotencyKey).toMatch(/^call-[0-9a-f]{64}$/);
  });

  it("denies with the reviewer's reason, or says that nobody decided in time", async () => {
    const { client, submitted } = scriptedAirlock((body) =>
      body.action.type === "Write"
        ? ({
            status: "rejected",
            decision: { status: "rejected", reason: "Flags change through the release train" },
          } as Partial<TaskDto>)
        : { status: "expired" },
    );
    const canUseTool = airlockCanUseTool({ client, workflowId: "session-7" });

    expect(
      await canUseTool("Write", { file_path: "flags.json", content: "{}" }, asked("toolu_2")),
    ).toEqual({
      behavior: "deny",
      message: "Not approved in Airlock: Flags change through the release train",
      toolUseID: "toolu_2",
      decisionClassification: "user_reject",
    });
    expect(
      await canUseTool("mcp__weather__get_forecast", { city: "Berlin" }, asked("toolu_3")),
    ).toEqual({
      behavior: "deny",
      message: expect.stringContaining("expired before anyone decided"),
      toolUseID: "toolu_3",
      decisionClassification: "config",
    });
    expect(submitted.map((s) => [s.body.workflow_id, s.body.action.context])).toEqual([
      ["session-7", undefined],
      ["session-7", undefined],
    ]);
  });

  it("cancels the task when the SDK aborts the call, and denies it", async () => {
    const { client, cancelled } = scriptedAirlock(() => "wait");
    const abort = new AbortController();
    const canUseTool = airlockCanUseTool({ client, onWaiting: () => abort.abort() });

    const answer = await canUseTool(
      "WebFetch",
      { url: "https://status.example.com" },
      asked("toolu_4", { signal: abort.signal }),
    );

    expect(answer).toEqual({
      behavior: "deny",
      message: "Not approved: The agent stopped waiting; the request was cancelled in Airlock",
      toolUseID: "toolu_4",
      decisionClassification: "config",
    });
    expect(cancelled).toEqual(["task-1"]);
  });

  it("names the workflow from the call when asked, and denies when Airlock is out of reach", async () => {
    const down = {
      submit: async () => {
        throw new Error("connect ECONNREFUSED");
      },
    } as unknown as AirlockClient;
    const canUseTool = airlockCanUseTool({
      client: down,
      workflowId: (_tool, _input, { agentID }) => `agent:${agentID}`,
    });
    expect(await canUseTool("Bash", restart, asked("toolu_5", { agentID: "a1" }))).toMatchObject({
      behavior: "deny",
      message: "Not approved: Airlock could not take the request (connect ECONNREFUSED)",
    });

    const { client, submitted } = scriptedAirlock(() => ({ status: "approved" }));
    await airlockCanUseTool({
      client,
      workflowId: (_tool, _input, { agentID }) => `agent:${agentID}`,
    })("Read", { file_path: "README.md" }, asked("toolu_6", { agentID: "a1" }));
    expect(submitted[0]?.body.workflow_id).toBe("agent:a1");
    expect(submitted[0]?.body.action.context).toEqual({ claude: { agent_id: "a1" } });
  });
});
