// Fresh, migrated databases for tests: a new database on the server named by DATABASE_URL
// (dropped afterwards), or a new embedded PGlite in a temporary directory when it is unset.
// Tests never depend on what an earlier run left behind.
//
// A new PGlite costs about 4 s here (initdb in WebAssembly, then the migrations); a copy of a
// migrated data directory about 0.5 s. The db project's global set-up (test-support/pglite-template.ts)
// migrates one such directory per run and provides its path; without it (another project, or
// the helper used outside Vitest) each database is made from scratch.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { inject } from "vitest";
import { createDb, type DbHandle } from "@/db/client";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated, closed PGlite data directory to copy (test-support/pglite-template.ts). */
    pgliteTemplate?: string;
  }
}

export interface TestDb extends DbHandle {
  /** The URL of the fresh database (postgres only). */
  readonly url?: string;
  /** Drop the database (or delete the PGlite directory). */
  destroy(): Promise<void>;
}

export const migrationsDir = path.join(import.meta.dirname, "..", "drizzle");

/** The server URL tests run against, or undefined for embedded PGlite. */
export function testServerUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  return url && url.length > 0 ? url : undefined;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDb(
  options: { kind?: "postgres" | "pglite"; max?: number } = {},
): Promise<TestDb> {
  const server = testServerUrl();
  const kind = options.kind ?? (server ? "postgres" : "pglite");
  if (kind === "postgres") {
    if (!server) throw new Error("a postgres test database needs DATABASE_URL");
    return createPostgresTestDb(server, options.max ?? 20);
  }
  return createPgliteTestDb();
}

async function createPostgresTestDb(server: string, max: number): Promise<TestDb> {
  const name = `airlock_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(server, name);
  const handle = await createDb({ url, migrationsDir, max });
  await handle.migrate();
  return {
    ...handle,
    url,
    async destroy() {
      await handle.close();
      const drop = postgres(server, { max: 1, onnotice: () => {} });
      await drop.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await drop.end();
    },
  };
}

async function createPgliteTestDb(): Promise<TestDb> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-test-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let handle: DbHandle;
  try {
    const template = inject("pgliteTemplate");
    if (template) cpSync(template, dir, { recursive: true });
    handle = await createDb({ dataDir: dir, migrationsDir });
  } catch (error) {
    remove();
    throw error;
  }
  try {
    await handle.migrate();
  } catch (error) {
    await handle.close().finally(remove);
    throw error;
  }
  return {
    ...handle,
    async destroy() {
      // The directory goes even when closing fails: every run would otherwise leave one.
      await handle.close().finally(remove);
    },
  };
}
