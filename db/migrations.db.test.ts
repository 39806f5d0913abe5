import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import { execRows } from "./client";
import { describeSchema } from "./introspect";

describe("migrations", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it("creates every table of the data model", async () => {
    const tables = await execRows<{ table_name: string }>(
      t.db,
      sql`SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual([
      "api_keys",
      "approval_requests",
      "approvals",
      "audit_events",
      "audit_head",
      "execution_checkpoints",
      "outbox",
      "server_secrets",
      "sign_in_failures",
      "slack_messages",
      "standing_approvals",
      "tasks",
      "user_identities",
      "users",
    ]);
  });

  it("changes nothing when applied a second and third time", async () => {
    const before = await describeSchema(t.db);
    const applied = async () =>
      (
        await execRows<{ n: number }>(
          t.db,
          sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`,
        )
      )[0]?.n;
    const countBefore = await applied();
    await t.migrate();
    await t.migrate();
    expect(await describeSchema(t.db)).toEqual(before);
    expect(await applied()).toBe(countBefore);
  });
});
