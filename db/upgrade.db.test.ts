// Upgrading a database that holds data: the one-door migration binds each standing approval
// to the agent key of its name (the active one), drops grants no key could ever match, keeps
// ownerless keys from before, and ends with the same schema as a fresh database.
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDb, testServerUrl, withDatabase } from "@/test-support/db";
import { createDb, type DbHandle, execRows } from "./client";
import { describeSchema } from "./introspect";

const migrations = path.join(import.meta.dirname, "..", "drizzle");
const cleanups: (() => Promise<void> | void)[] = [];

/** The migrations folder as it stood before `tag`, in a temporary directory. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-migrations-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(migrations, dir, { recursive: true });
  const journalFile = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  if (at <= 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** Where a scratch database lives: a new database on the server, or a PGlite directory. */
async function scratchTarget(): Promise<{ url?: string; dataDir?: string }> {
  const server = testServerUrl();
  if (!server) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "airlock-upgrade-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    return { dataDir };
  }
  const name = `airlock_upgrade_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const drop = postgres(server, { max: 1, onnotice: () => {} });
    await drop.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await drop.end();
  });
  return { url: withDatabase(server, name) };
}

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("upgrading to 0002_one_door with data in place", () => {
  it("binds grants to their agent's key, drops unmatchable ones, and matches a fresh schema", async () => {
    const target = await scratchTarget();
    let handle: DbHandle = await createDb({
      ...target,
      migrationsDir: migrationsBefore("0002_one_door"),
    });
    await handle.migrate();
    const run = (db: DbHandle, q: ReturnType<typeof sql>) => execRows(db.db, q);
    const [lead] = await run(
      handle,
      sql`INSERT INTO users (email, role) VALUES ('lead@up.local', 'tech_lead') RETURNING id`,
    );
    // Two keys once named "deployer" (the old one revoked), and an ownerless "legacy" key.
    await run(
      handle,
      sql`INSERT INTO api_keys (scope, name, prefix, key_hash, created_at, revoked_at)
          VALUES ('agent', 'deployer', 'alk_old', 'h1', now() - interval '2 days', now() - interval '1 day'),
                 ('agent', 'Deployer', 'alk_new', 'h2', now() - interval '1 day', NULL),
                 ('agent', 'legacy', 'alk_leg', 'h3', now(), NULL)`,
    );
    const grant = (agent: string) =>
      sql`INSERT INTO standing_approvals (grantor_id, grantor_role, agent, type_pattern, max_level, max_uses, reason, expires_at)
          VALUES (${lead?.id as string}, 'tech_lead', ${agent}, 'deploy', 'high', 5, 'r', now() + interval '1 hour')`;
    await run(handle, grant("deployer"));
    await run(handle, grant("nobody"));
    await handle.close();

    handle = await createDb({ ...target, migrationsDir: migrations });
    await handle.migrate();
    const grants = await run(
      handle,
      sql`SELECT g.agent, k.prefix FROM standing_approvals g JOIN api_keys k ON k.id = g.agent_key_id`,
    );
    expect(grants).toEqual([{ agent: "deployer", prefix: "alk_new" }]);
    const keys = await run(
      handle,
      sql`SELECT name FROM api_keys WHERE user_id IS NULL ORDER BY prefix`,
    );
    expect(keys.map((k) => k.name)).toEqual(["legacy", "Deployer", "deployer"]);
    // New ownerless agent keys are refused by the database too.
    await expect(
      run(
        handle,
        sql`INSERT INTO api_keys (scope, name, prefix, key_hash) VALUES ('agent', 'new', 'p', 'h4')`,
      ),
    ).rejects.toThrow();

    const fresh = await createTestDb();
    try {
      expect(await describeSchema(handle.db)).toEqual(await describeSchema(fresh.db));
    } finally {
      await fresh.destroy();
      await handle.close();
    }
  });
});
