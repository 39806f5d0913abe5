// What `npm run demo` needs around `next build` and `next start`: whether the existing build
// is of the current sources (so an unchanged tree starts in seconds), and when the started
// server really answers.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

export const FINGERPRINT_FILE = "airlock-build-fingerprint";

/**
 * The V8 heap budget of `next start`, MiB (`npm start` says the same in package.json). Left
 * unbounded, V8 sizes the heap from the machine's memory (a quarter of it, up to 4 GiB) and
 * under load lets garbage reach several times the live set before a full collection: after
 * the benchmark's loads the server held about 80 MiB live in a 330 MiB heap, 410 MiB
 * resident. With this budget the same loads end near 210 MiB resident, at the same
 * throughput, and the live set still has four times its size to grow into.
 */
export const SERVER_HEAP_MB = 384;

/**
 * The young generation's semi-space, MiB. Node 24's V8 sizes it at 64 MiB (three of them
 * reserved: 192 MiB beside a 384 MiB old generation, where Node 20 had 48) and a server under
 * load fills them: 375 MiB resident after the benchmark's end-to-end load, 259 MiB with 16 and
 * the same figures (`npm run bench -- --execution-only`, one run each, one after the other).
 */
export const SERVER_SEMI_SPACE_MB = 16;

/** The V8 flags `next start` runs with (`npm start` gives the same in package.json). */
export const SERVER_V8_FLAGS = `--max-old-space-size=${SERVER_HEAP_MB} --max-semi-space-size=${SERVER_SEMI_SPACE_MB}`;

/** NODE_OPTIONS for `next start`: the heap budget first, so one the caller gives wins. */
export function serverNodeOptions(callers: string | undefined = process.env.NODE_OPTIONS): string {
  return [SERVER_V8_FLAGS, callers?.trim()].filter(Boolean).join(" ");
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size} ${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * A hash of what a build is made from: the path, size and modification time of every file git
 * knows of in `root` (tracked, or untracked and not ignored; package-lock.json among them),
 * the installed packages, the Node version and the NEXT_PUBLIC_ variables Next.js inlines.
 * Null outside a git checkout, where nothing says what changed.
 */
export function sourceFingerprint(root: string): string | null {
  let listing: string;
  try {
    listing = execFileSync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch {
    return null;
  }
  const hash = createHash("sha256").update(`node ${process.version}\n`);
  for (const [name, value] of Object.entries(process.env).sort(([a], [b]) => a.localeCompare(b))) {
    if (name.startsWith("NEXT_PUBLIC_")) hash.update(`env ${name}=${value}\n`);
  }
  const files = [...new Set(listing.split("\0").filter(Boolean))].sort();
  for (const file of [...files, "node_modules/.package-lock.json"]) {
    hash.update(`${file}\0${stamp(path.join(root, file))}\n`);
  }
  return hash.digest("hex");
}

const fingerprintPath = (root: string) => path.join(root, ".next", FINGERPRINT_FILE);

/** Whether `root/.next` holds a finished build made from sources with this fingerprint. */
export function isBuildCurrent(root: string, fingerprint: string | null): boolean {
  if (!fingerprint || !existsSync(path.join(root, ".next", "BUILD_ID"))) return false;
  try {
    return readFileSync(fingerprintPath(root), "utf8").trim() === fingerprint;
  } catch {
    return false;
  }
}

/** Note that the build now in `root/.next` was made from sources with this fingerprint. */
export function recordBuild(root: string, fingerprint: string | null): void {
  if (fingerprint) writeFileSync(fingerprintPath(root), `${fingerprint}\n`);
}

/**
 * Poll `url` until the server answers at all (any status), or until `stopped()` says the
 * server is gone (then null). A readiness probe, so a fixed interval is fine.
 */
export async function waitForHealth(
  url: string,
  options: { intervalMs?: number; stopped?: () => boolean } = {},
): Promise<{ status: number; body: string } | null> {
  const intervalMs = options.intervalMs ?? 300;
  while (!options.stopped?.()) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: await response.text() };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
  return null;
}
