// Runs the operator CLI: as a subprocess, as an operator would (tsx directly, so npm's own
// warnings never mix into what the tests read), or in-process against a suite's database.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { DbHandle } from "@/db/client";
import { COMMANDS } from "@/lib/cli/commands";

const exec = promisify(execFile);
const root = path.join(import.meta.dirname, "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec(
      tsx,
      ["--conditions=react-server", "lib/cli/main.ts", ...args],
      {
        cwd: root,
        env: { ...process.env, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `hitl <name> ...args` in-process, as the operator, against this database: what it printed. */
export async function hitlIn(t: DbHandle, name: string, ...args: string[]): Promise<string> {
  const command = COMMANDS[name];
  if (!command) throw new Error(`no ${name} command`);
  let out = "";
  await command.run(args, { db: async () => t, out: (text) => (out += text) });
  return out;
}
