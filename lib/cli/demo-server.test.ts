import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  FINGERPRINT_FILE,
  isBuildCurrent,
  recordBuild,
  SERVER_HEAP_MB,
  SERVER_SEMI_SPACE_MB,
  SERVER_V8_FLAGS,
  serverNodeOptions,
  sourceFingerprint,
  waitForHealth,
} from "./demo-server";

const scratch = mkdtempSync(path.join(os.tmpdir(), "airlock-demo-server-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
/** A git checkout with a tracked source file and an ignored folder. */
function checkout(): string {
  const dir = path.join(scratch, `repo-${++counter}`);
  mkdirSync(path.join(dir, "lib"), { recursive: true });
  execFileSync("git", ["init", "-q"], { cwd: dir });
  writeFileSync(path.join(dir, ".gitignore"), ".next/\nnode_modules/\n");
  writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = 1;\n");
  writeFileSync(path.join(dir, "package-lock.json"), "{}\n");
  execFileSync("git", ["add", "."], { cwd: dir });
  return dir;
}

describe("sourceFingerprint", () => {
  it("is stable while nothing changes and ignores what git ignores", () => {
    const dir = checkout();
    const before = sourceFingerprint(dir);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    mkdirSync(path.join(dir, ".next"));
    writeFileSync(path.join(dir, ".next", "BUILD_ID"), "x\n");
    expect(sourceFingerprint(dir)).toBe(before);
  });

  it.each([
    [
      "a tracked file is edited",
      (dir: string) => writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = 22;\n"),
    ],
    [
      "a tracked file is touched",
      (dir: string) => utimesSync(path.join(dir, "lib", "a.ts"), new Date(0), new Date(1_000)),
    ],
    [
      "a new file is not yet added",
      (dir: string) => writeFileSync(path.join(dir, "lib", "b.ts"), ""),
    ],
    ["a tracked file is deleted", (dir: string) => rmSync(path.join(dir, "lib", "a.ts"))],
    [
      "package-lock.json changes",
      (dir: string) => writeFileSync(path.join(dir, "package-lock.json"), "{ }\n"),
    ],
    [
      "the installed packages change",
      (dir: string) => {
        mkdirSync(path.join(dir, "node_modules"));
        writeFileSync(path.join(dir, "node_modules", ".package-lock.json"), "{}\n");
      },
    ],
  ])("changes when %s", (_name, change) => {
    const dir = checkout();
    const before = sourceFingerprint(dir);
    change(dir);
    expect(sourceFingerprint(dir)).not.toBe(before);
  });

  it("is null outside a git checkout", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-not-git-"));
    try {
      expect(sourceFingerprint(dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("isBuildCurrent / recordBuild", () => {
  it("holds only for a finished build recorded with the same fingerprint", () => {
    const dir = checkout();
    const fingerprint = sourceFingerprint(dir);
    expect(isBuildCurrent(dir, fingerprint)).toBe(false);
    mkdirSync(path.join(dir, ".next"));
    recordBuild(dir, fingerprint);
    // No BUILD_ID: the build did not finish.
    expect(isBuildCurrent(dir, fingerprint)).toBe(false);
    writeFileSync(path.join(dir, ".next", "BUILD_ID"), "abc\n");
    expect(isBuildCurrent(dir, fingerprint)).toBe(true);
    expect(isBuildCurrent(dir, "0".repeat(64))).toBe(false);
    expect(isBuildCurrent(dir, null)).toBe(false);
    writeFileSync(path.join(dir, ".next", FINGERPRINT_FILE), "stale\n");
    expect(isBuildCurrent(dir, fingerprint)).toBe(false);
  });
});

describe("waitForHealth", () => {
  const listen = (server: Server, port = 0) =>
    new Promise<number>((resolve) =>
      server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
    );
  const close = (server: Server) => new Promise((resolve) => server.close(resolve));

  it("waits until the server answers, and reports what it answered", async () => {
    // A free port, with nothing listening on it yet.
    const probe = createServer();
    const port = await listen(probe);
    await close(probe);
    const server = createServer((_req, res) => {
      res.writeHead(503).end('{"status":"degraded"}');
    });
    const started = new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
      listen(server, port),
    );
    try {
      const answer = await waitForHealth(`http://127.0.0.1:${port}/api/health`, {
        intervalMs: 20,
      });
      expect(answer).toEqual({ status: 503, body: '{"status":"degraded"}' });
    } finally {
      await started;
      await close(server);
    }
  });

  it("gives up once the server is gone", async () => {
    const probe = createServer();
    const port = await listen(probe);
    await close(probe);
    let polls = 0;
    const answer = await waitForHealth(`http://127.0.0.1:${port}/api/health`, {
      intervalMs: 10,
      stopped: () => ++polls > 3,
    });
    expect(answer).toBeNull();
    expect(polls).toBe(4);
  });
});

describe("the server's heap budget", () => {
  it("comes first in NODE_OPTIONS, so a budget the caller sets wins", () => {
    expect(serverNodeOptions(undefined)).toBe(SERVER_V8_FLAGS);
    expect(serverNodeOptions("  ")).toBe(SERVER_V8_FLAGS);
    expect(serverNodeOptions("--max-old-space-size=2048 --enable-source-maps")).toBe(
      `${SERVER_V8_FLAGS} --max-old-space-size=2048 --enable-source-maps`,
    );
  });

  it("is the one `npm start` gives", () => {
    const pkg = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`NODE_OPTIONS="${SERVER_V8_FLAGS} $NODE_OPTIONS" next start`);
  });

  it("is V8's: the last --max-old-space-size in NODE_OPTIONS sets the old generation", () => {
    const limitMiB = (nodeOptions: string) =>
      Number(
        execFileSync(
          process.execPath,
          ["-e", "console.log(require('v8').getHeapStatistics().heap_size_limit / 1048576)"],
          { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: "utf8" },
        ),
      );
    // V8's limit is the old generation's plus the young one's, and the young generation's
    // size is V8's own choice (Node 24 reserves three times what Node 20 did). Compare limits
    // only with each other: the young part cancels out, and what is left is the budget.
    const young = `--max-semi-space-size=${SERVER_SEMI_SPACE_MB}`;
    const ours = limitMiB(serverNodeOptions(""));
    const theirs = limitMiB(serverNodeOptions("--max-old-space-size=1024"));
    const budget = (mib: number) => limitMiB(`--max-old-space-size=${mib} ${young}`);
    expect(ours).toBe(budget(SERVER_HEAP_MB));
    expect(theirs).toBe(budget(1024));
    expect(theirs - ours).toBe(1024 - SERVER_HEAP_MB);
  });

  it("holds the young generation to its semi-space: three of them at most beside the old", () => {
    const limit = Number(
      execFileSync(
        process.execPath,
        ["-e", "console.log(require('v8').getHeapStatistics().heap_size_limit / 1048576)"],
        { env: { ...process.env, NODE_OPTIONS: serverNodeOptions("") }, encoding: "utf8" },
      ),
    );
    expect(limit - SERVER_HEAP_MB).toBeGreaterThan(0);
    expect(limit - SERVER_HEAP_MB).toBeLessThanOrEqual(3 * SERVER_SEMI_SPACE_MB);
  });
});
