// What a Claude Agent SDK user writes to gate a session, type-checked (never run: query()
// needs Claude Code and a model) in the test's project against the real package's own types.
// Our declared CanUseTool, PermissionResult and PermissionUpdate must be the SDK's exactly.
// A .cts file: the repository's own type check, which has no Claude Agent SDK installed (it
// brings a 400 MB binary), takes .ts files only; in the project it resolves the packages'
// CommonJS types, which tsup builds from the same source as the ESM ones.
import { createAirlockClient } from "@airlock/sdk";
import {
  airlockCanUseTool,
  type CanUseTool as OurCanUseTool,
  type PermissionResult as OurPermissionResult,
  type PermissionUpdate as OurPermissionUpdate,
} from "@airlock/sdk/claude-agent";
import {
  type CanUseTool,
  type Options,
  type PermissionResult,
  type PermissionUpdate,
  query,
} from "@anthropic-ai/claude-agent-sdk";

const client = createAirlockClient({ baseUrl: "http://localhost:3000", apiKey: "alk_example" });
const options: Options = { canUseTool: airlockCanUseTool({ client }) };
export const session = query({ prompt: "Restart the staging web deployment", options });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const sameHook: Same<OurCanUseTool, CanUseTool> = true;
export const sameResult: Same<OurPermissionResult, PermissionResult> = true;
export const sameUpdate: Same<OurPermissionUpdate, PermissionUpdate> = true;
