// The SDK as an outside project gets it (SPEC §6.2): `npm pack` of packages/sdk (its prepack
// builds it), installed from the tarball into an empty project with only the packages under
// test beside it, and scripts run there with plain `node`. The tarball is packed once per
// test process; each project is a fresh temp directory, removed by `dispose`.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.join(__dirname, "..");

/**
 * What each framework adapter's project installs beside the SDK (exact versions that resolve
 * together), for the examples and the adapters' spec alike.
 */
export const FRAMEWORK_PACKAGES: Record<string, string[]> = {
  ai: ["ai@7.0.185", "zod@4.6.7"],
  // @openai/agents-core imports its optional dependency @modelcontextprotocol/client when it
  // loads: a user's plain `npm install` brings it, the --omit=optional below would not.
  "openai-agents": ["@openai/agents@0.20.0", "zod@4.6.7", "@modelcontextprotocol/client@2.4.0"],
  "claude-agent": ["@anthropic-ai/claude-agent-sdk@0.3.337", "zod@4.6.7"],
  // ai 7.0.111: its @ai-sdk/provider (4.0.17) is the one whose types Mastra 1.71 ships; a
  // later ai's scripted model runs but does not type-check as a Mastra model.
  mastra: ["@mastra/core@1.71.0", "ai@7.0.111", "zod@4.6.7"],
};
let packed: string | undefined;

/**
 * The packed tarball of @airlock/sdk. Packing builds the SDK in place (its prepack cleans
 * packages/sdk/dist first), which the CLI and the servers load: so with AIRLOCK_SDK_TARBALL
 * set (the e2e suite sets a path of its run; e2e/sdk.setup.ts packs there before any lane
 * starts), every process uses that one file and packs only if it is not there yet.
 */
export function sdkTarball(): string {
  if (packed) return packed;
  const shared = process.env.AIRLOCK_SDK_TARBALL;
  if (shared && existsSync(shared)) {
    packed = shared;
    return packed;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-sdk-pack-"));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
    cwd: path.join(root, "packages", "sdk"),
    stdio: ["ignore", "ignore", "inherit"],
  });
  const [file] = readdirSync(dir).filter((f) => f.endsWith(".tgz"));
  if (!file) throw new Error(`npm pack left no tarball in ${dir}`);
  packed = path.join(dir, file);
  if (shared) {
    copyFileSync(packed, shared);
    packed = shared;
  }
  return packed;
}

export interface SdkProject {
  dir: string;
  /** Copy a file (a script, a tsconfig) into the project, under `as` or its own name. */
  add(file: string, as?: string): string;
  /** Run `node <script>` there; each line of its stdout goes to `onLine` as it comes. */
  run(script: string, env: Record<string, string>, onLine?: (line: string) => void): Running;
  dispose(): void;
}

export interface Running {
  child: ChildProcess;
  lines: string[];
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  stderr(): string;
}

/**
 * An empty project with the SDK's tarball and `packages` (exact versions, e.g. "ai@7.0.185")
 * installed as a user's `npm install` would. Optional dependencies are left out: the Claude
 * Agent SDK's are its platform's CLI binaries (400 MB), which no test here runs.
 */
export function sdkProject(name: string, packages: string[]): SdkProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), `airlock-${name}-`));
  writeFileSync(
    path.join(dir, "package.json"),
    `${JSON.stringify({ name: `my-${name}-agent`, private: true, type: "module" }, null, 2)}\n`,
  );
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--omit=optional",
      "--loglevel=error",
      sdkTarball(),
      ...packages,
    ],
    { cwd: dir, stdio: ["ignore", "ignore", "inherit"] },
  );
  return {
    dir,
    add(file, as) {
      const target = path.join(dir, as ?? path.basename(file));
      copyFileSync(file, target);
      return target;
    },
    run(script, env, onLine) {
      const child: ChildProcess = spawn(process.execPath, [script], {
        cwd: dir,
        // Only what a shell would give it: none of the suite's own settings leak in.
        env: {
          NODE_ENV: "production",
          PATH: process.env.PATH,
          HOME: process.env.HOME ?? dir,
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      return { child, ...watchOutput(child, onLine) };
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A child process's output as it comes: each line of its stdout given to `onLine` and kept
 * (`lines`), its stderr kept, and its exit.
 */
export function watchOutput(child: ChildProcess, onLine?: (line: string) => void) {
  const lines: string[] = [];
  let partial = "";
  child.stdout?.on("data", (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine?.(line);
    }
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { lines, exited, stderr: () => stderr };
}

/** Type-check files of a project against what is installed there (the frameworks' own types). */
export function typecheck(project: SdkProject, files: string[]): void {
  execFileSync(
    path.join(root, "node_modules", ".bin", "tsc"),
    [
      "--noEmit",
      "--strict",
      "--skipLibCheck",
      "--target",
      "es2022",
      "--module",
      "nodenext",
      "--moduleResolution",
      "nodenext",
      "--types",
      "node",
      "--typeRoots",
      path.join(root, "node_modules", "@types"),
      ...files,
    ],
    { cwd: project.dir, stdio: ["ignore", "inherit", "inherit"] },
  );
}
