// @airlock/sdk/claude-agent (SPEC §6.2): the Claude Agent SDK's own permission hook answered
// through Airlock. `query({ options: { canUseTool } })` asks `canUseTool(toolName, input,
// { signal, toolUseID, … })` before a tool runs; this one puts the call to people as one task
// and answers { behavior: "allow", updatedInput } (a reviewer's edits included: Claude Code
// runs the tool with updatedInput) or { behavior: "deny", message }, the message being what
// the model reads in the call's result. When the SDK aborts the signal, the task is cancelled.
//
// The SDK is not a dependency (it brings Claude Code's binary): the types it is called with
// are declared here as @anthropic-ai/claude-agent-sdk 0.3.x declares them in sdk.d.ts
// (CanUseTool, PermissionResult, PermissionUpdate), so that a user's
// `canUseTool: airlockCanUseTool({ client })` type-checks against the real `Options`.
import { randomUUID } from "node:crypto";
import { type AdapterOptions, decideToolCall, type ToolCallVerdict } from "./decide";

export type PermissionBehavior = "allow" | "deny" | "ask";

export type PermissionMode =
  | "default"
  | "acceptEdits"
  | "bypassPermissions"
  | "plan"
  | "dontAsk"
  | "auto";

export type PermissionUpdateDestination =
  | "userSettings"
  | "projectSettings"
  | "localSettings"
  | "session"
  | "cliArg";

export type PermissionRuleValue = {
  toolName: string;
  ruleContent?: string;
};

export type PermissionUpdate =
  | {
      type: "addRules";
      rules: PermissionRuleValue[];
      behavior: PermissionBehavior;
      destination: PermissionUpdateDestination;
    }
  | {
      type: "replaceRules";
      rules: PermissionRuleValue[];
      behavior: PermissionBehavior;
      destination: PermissionUpdateDestination;
    }
  | {
      type: "removeRules";
      rules: PermissionRuleValue[];
      behavior: PermissionBehavior;
      destination: PermissionUpdateDestination;
    }
  | {
      type: "setMode";
      mode: PermissionMode;
      destination: PermissionUpdateDestination;
    }
  | {
      type: "addDirectories";
      directories: string[];
      destination: PermissionUpdateDestination;
    }
  | {
      type: "removeDirectories";
      directories: string[];
      destination: PermissionUpdateDestination;
    };

/** Who decided a permission answer: a person once or for good, a person's refusal, or the host. */
export type PermissionDecisionClassification =
  | "user_temporary"
  | "user_permanent"
  | "user_reject"
  | "config";

export type PermissionResult =
  | {
      behavior: "allow";
      updatedInput?: Record<string, unknown>;
      updatedPermissions?: PermissionUpdate[];
      toolUseID?: string;
      decisionClassification?: PermissionDecisionClassification;
    }
  | {
      behavior: "deny";
      message: string;
      interrupt?: boolean;
      toolUseID?: string;
      decisionClassification?: PermissionDecisionClassification;
    };

/** The SDK's `Options.canUseTool`: asked before each tool call that needs permission. */
export type CanUseTool = (
  toolName: string,
  input: Record<string, unknown>,
  options: {
    /** Signaled if the operation should be aborted. */
    signal: AbortSignal;
    /** Permission updates that would stop the prompt for this tool during the session. */
    suggestions?: PermissionUpdate[];
    /** The file path that triggered the permission request, if applicable. */
    blockedPath?: string;
    /** For `mcp__*` tools: the MCP server serving the tool, and where its definition came from. */
    mcpServer?: {
      name: string;
      source: string;
    };
    /** Explains why this permission request was triggered. */
    decisionReason?: string;
    /** The full permission prompt sentence (e.g. "Claude wants to read foo.txt"). */
    title?: string;
    /** A short noun phrase for the tool action (e.g. "Read file"). */
    displayName?: string;
    /** A human-readable subtitle. */
    description?: string;
    /** The ask must not be approvable by a single stray keystroke. */
    defaultToNo?: boolean;
    /** The ask must not offer a persistent "don't ask again" choice. */
    suppressAlwaysAllowRule?: boolean;
    /** This tool call's id within the assistant message. */
    toolUseID: string;
    /** If running within the context of a sub-agent, the sub-agent's ID. */
    agentID?: string;
    /** The control_request envelope's `request_id`. */
    requestId: string;
    /** Set when a user-configured ask rule forced this prompt. */
    matchedAskRule?: {
      source: string;
      toolName: string;
      ruleContent?: string;
    };
  },
) => Promise<PermissionResult | null>;

/** What `canUseTool` is told of a call besides its tool and input. */
export type CanUseToolOptions = Parameters<CanUseTool>[2];

export interface AirlockCanUseToolOptions extends AdapterOptions {
  /**
   * The workflow the tasks belong to (a session, a job). By default each `airlockCanUseTool()`
   * is one workflow: make one per `query()`, or name it here.
   */
  workflowId?:
    | string
    | ((toolName: string, input: Record<string, unknown>, options: CanUseToolOptions) => string);
}

/**
 * The Claude Agent SDK's `canUseTool` for Airlock: each call it asks about becomes a task
 * (type = the tool's name, inputs = its input, callId = its toolUseID); the answer allows it
 * with the inputs people approved (edited or not), or denies it with a message that says why:
 * a reviewer's reason, an expiry, a cancellation, an unreachable Airlock, or an abort.
 */
export function airlockCanUseTool(
  options: AirlockCanUseToolOptions,
): (
  toolName: string,
  input: Record<string, unknown>,
  options: CanUseToolOptions,
) => Promise<PermissionResult> {
  const session = `claude-agent-${randomUUID()}`;
  return async (toolName, input, call) => {
    const verdict = await decideToolCall(
      {
        toolName,
        input,
        workflowId:
          (typeof options.workflowId === "function"
            ? options.workflowId(toolName, input, call)
            : options.workflowId) ?? session,
        callId: call.toolUseID,
        canEdit: true,
        context: promptContext(call),
        signal: call.signal,
        cancelOnAbort: true,
      },
      options,
    );
    return permissionOf(verdict, call.toolUseID);
  };
}

function permissionOf(verdict: ToolCallVerdict, toolUseID: string): PermissionResult {
  if (verdict.allowed) return { behavior: "allow", updatedInput: verdict.input, toolUseID };
  return {
    behavior: "deny",
    message: verdict.reason,
    toolUseID,
    // A person's refusal is theirs; a request nobody decided (expired, cancelled, never
    // taken, abandoned) is denied by this host's rule, with nobody present to say so.
    decisionClassification: verdict.outcome?.status === "rejected" ? "user_reject" : "config",
  };
}

/** What Claude Code says about why it asks, for the reviewers (`context.claude`); none if nothing. */
function promptContext(call: CanUseToolOptions): Record<string, unknown> | undefined {
  const said = Object.entries({
    title: call.title,
    decision_reason: call.decisionReason,
    blocked_path: call.blockedPath,
    agent_id: call.agentID,
    mcp_server: call.mcpServer,
  }).filter(([, value]) => value !== undefined);
  return said.length === 0 ? undefined : { claude: Object.fromEntries(said) };
}
