// One agent framework's case for adapters.spec.ts: what to install beside the packed SDK, the
// scripts to copy into that project, and how to drive its agent there while people decide.

import type { SdkProject } from "@/tools/sdk-project";
import type { reviewer } from "../reviewer";

export type People = ReturnType<typeof reviewer>;

export interface DriveContext {
  project: SdkProject;
  /** AIRLOCK_URL, AIRLOCK_API_KEY and WORKFLOW_ID, for the project's scripts. */
  env: Record<string, string>;
  workflowId: string;
  /** A tech lead deciding over the API (enough for medium and high requests). */
  people: People;
}

export interface FrameworkCase {
  name: string;
  /** Exact versions, e.g. "ai@7.0.185", installed beside the SDK's tarball. */
  packages: string[];
  /** Files (absolute paths) copied into the project's root. */
  files: string[];
  /** Of those, the TypeScript files type-checked there against the frameworks' own types. */
  typecheck?: string[];
  /**
   * Run the agent in the project and decide its requests: one approved (with edits where the
   * framework carries them) runs its tool once; one rejected with a reason never runs, and
   * the reason reaches the model's next turn; one left to expire (a low-risk tool: in the e2e
   * rules low waits one minute, unapproved) is denied. Asserts with Playwright's expect.
   */
  drive(context: DriveContext): Promise<void>;
}

/** The last line of a script's output that parses as JSON: its summary. */
export function summaryOf(lines: string[]): unknown {
  for (const line of [...lines].reverse()) {
    try {
      return JSON.parse(line);
    } catch {}
  }
  throw new Error(`no JSON summary in the output:\n${lines.join("\n")}`);
}
