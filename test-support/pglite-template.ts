// The db project's global set-up on embedded PGlite: one data directory, migrated once per run,
// that test-support/db.ts copies for each test database instead of running initdb and the
// migrations again (about 0.5 s a database instead of 4). It is this run's own, removed at
// the end; against a PostgreSQL server (DATABASE_URL) there is nothing to do.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createDb } from "@/db/client";
import { migrationsDir, testServerUrl } from "./db";

export default async function setup(project: TestProject) {
  if (testServerUrl()) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-pglite-template-"));
  try {
    const handle = await createDb({ dataDir: dir, migrationsDir });
    try {
      await handle.migrate();
    } finally {
      await handle.close();
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  project.provide("pgliteTemplate", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
