import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/test-support/cli";
import { createTestDb, type TestDb } from "@/test-support/db";

// The CLI is driven as a subprocess, as an operator would run it. On PGlite it gets its own
// data directory (one process per embedded database), on PostgreSQL a fresh database.
describe("hitl CLI", () => {
  let t: TestDb | undefined;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      t = await createTestDb();
      cliEnv = { DATABASE_URL: t.url ?? "" };
    } else {
      cliEnv = {
        DATABASE_URL: "",
        AIRLOCK_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "airlock-cli-")),
      };
    }
  });
  afterAll(async () => {
    await t?.destroy();
    if (cliEnv?.AIRLOCK_DATA_DIR) rmSync(cliEnv.AIRLOCK_DATA_DIR, { recursive: true, force: true });
  });

  const hitl = (...args: string[]) => runCli(cliEnv, ...args);

  it("init-db migrates, and a second run changes nothing", async () => {
    const first = await hitl("init-db", "--json");
    expect(first).toMatchObject({ code: 0 });
    expect(JSON.parse(first.stdout)).toMatchObject({ ok: true });
    const second = await hitl("init-db");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
  });

  it("users add --json prints { id, email, role }; keys create --json prints { id, key, webhook_secret }", async () => {
    const user = await hitl(
      "users",
      "add",
      "--email",
      "ops@example.com",
      "--role",
      "devops_engineer",
      "--password",
      "s3cret-pass",
      "--json",
    );
    expect(user.code).toBe(0);
    expect(Object.keys(JSON.parse(user.stdout)).sort()).toEqual(["email", "id", "role"]);
    const key = await hitl(
      "keys",
      "create",
      "--agent",
      "deployer",
      "--owner",
      "ops@example.com",
      "--json",
    );
    expect(key.code).toBe(0);
    const created = JSON.parse(key.stdout);
    expect(Object.keys(created).sort()).toEqual(["id", "key", "webhook_secret"]);
    const reviewer = JSON.parse(
      (await hitl("keys", "create", "--user", "ops@example.com", "--json")).stdout,
    );
    expect(Object.keys(reviewer).sort()).toEqual(["id", "key"]);
    const revoked = await hitl("keys", "revoke", created.id);
    expect(revoked.code).toBe(0);
  });

  it.each([
    [["users", "add", "--email", "x@example.com", "--role", "admin"], /role: expected one of/],
    [["users", "add", "--role", "developer"], /--email is required/],
    [["keys", "create"], /exactly one of --agent NAME or --user EMAIL/],
    [
      ["keys", "create", "--agent", "a", "--owner", "nobody@example.com"],
      /No active user with email nobody@example.com/,
    ],
    [["keys", "revoke", "not-a-uuid"], /expected a key id/],
    [["users", "link-slack", "--email", "x@example.com"], /--slack-user is required/],
    [
      ["users", "link-slack", "--email", "nobody@example.com", "--slack-user", "U0ABC"],
      /No user with email nobody@example.com/,
    ],
    [
      ["users", "link-slack", "--email", "x@example.com", "--slack-user", "bob"],
      /slack_user: expected a Slack user id/,
    ],
    [["frobnicate"], /unknown command/],
  ])("refuses %j with a one-line reason and a non-zero exit", async (args, message) => {
    const result = await hitl(...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
