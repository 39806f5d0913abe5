import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { findActiveKeyByHash } from "@/db/queries/keys";
import { createTestDb, type TestDb } from "@/db/testing";
import { seedDemo } from "./demo";
import { ServiceError } from "./errors";
import { authenticateApiKey, createApiKey, hashApiKey, revokeApiKey } from "./keys";
import { addUser, setUserRole, verifyPassword } from "./users";

describe("users, keys and the demo seed", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const count = async (table: string) =>
    (await execRows<{ n: number }>(t.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n;

  it("adds a user with a hashed password, normalised email and an audit event", async () => {
    const user = await addUser(t.db, {
      email: " Alice@Example.COM ",
      role: "tech_lead",
      password: "correct horse",
    });
    expect(user).toMatchObject({ email: "alice@example.com", role: "tech_lead" });
    const [row] = await execRows<{ password_hash: string }>(
      t.db,
      sql`SELECT password_hash FROM users WHERE id = ${user.id}`,
    );
    expect(row?.password_hash).toMatch(/^\$2[aby]\$/);
    expect(await verifyPassword(t.db, "alice@example.com", "correct horse")).toMatchObject({
      id: user.id,
    });
    expect(await verifyPassword(t.db, "alice@example.com", "wrong horse")).toBeNull();
    const [event] = await execRows<{ type: string }>(
      t.db,
      sql`SELECT type FROM audit_events WHERE payload->>'user_id' = ${user.id}`,
    );
    expect(event?.type).toBe("user.created");
  });

  it.each([
    [{ email: "not-an-email", role: "developer" }, "email"],
    [{ email: "x@example.com", role: "admin" }, "role"],
    [{ email: "x@example.com", role: "developer", password: "short" }, "password"],
  ])("refuses bad input %o, naming the field, and writes nothing", async (input, field) => {
    const before = await count("users");
    const error = await addUser(t.db, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe("invalid");
    expect((error as ServiceError).message).toContain(field);
    expect(await count("users")).toBe(before);
  });

  it("refuses a duplicate email with a conflict", async () => {
    await expect(
      addUser(t.db, { email: "alice@example.com", role: "developer" }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("changes a role", async () => {
    expect(
      await setUserRole(t.db, { email: "alice@example.com", role: "devops_engineer" }),
    ).toMatchObject({
      role: "devops_engineer",
    });
  });

  it("stores keys only as hashes, and revoked keys stop authenticating", async () => {
    const created = await createApiKey(t.db, { agent: "deployer", owner: "alice@example.com" });
    expect(created.key).toMatch(/^alk_/);
    expect(created.webhook_secret).toMatch(/^whsec_/);
    const stored = await execRows<{ key_hash: string }>(
      t.db,
      sql`SELECT key_hash FROM api_keys WHERE id = ${created.id}`,
    );
    expect(stored[0]?.key_hash).toBe(hashApiKey(created.key));
    const everything = JSON.stringify(await execRows(t.db, sql`SELECT * FROM api_keys`));
    expect(everything).not.toContain(created.key);
    expect(await findActiveKeyByHash(t.db, hashApiKey(created.key))).toMatchObject({
      scope: "agent",
      name: "deployer",
    });
    await revokeApiKey(t.db, created.id);
    expect(await findActiveKeyByHash(t.db, hashApiKey(created.key))).toBeUndefined();
    await expect(revokeApiKey(t.db, created.id)).rejects.toMatchObject({ code: "not_found" });
  });

  it("creates reviewer keys only for existing users, acting with the user's current role", async () => {
    await expect(createApiKey(t.db, { user: "nobody@example.com" })).rejects.toMatchObject({
      code: "not_found",
    });
    const created = await createApiKey(t.db, { user: "alice@example.com" });
    expect(created.scope).toBe("reviewer");
    expect(created.webhook_secret).toBeUndefined();
    expect(await authenticateApiKey(t.db, created.key)).toMatchObject({
      kind: "reviewer",
      role: "devops_engineer",
    });
    await setUserRole(t.db, { email: "alice@example.com", role: "developer" });
    expect(await authenticateApiKey(t.db, created.key)).toMatchObject({ role: "developer" });
    await execRows(
      t.db,
      sql`UPDATE users SET disabled_at = now() WHERE email = 'alice@example.com'`,
    );
    expect(await authenticateApiKey(t.db, created.key)).toBeNull();
    await execRows(
      t.db,
      sql`UPDATE users SET disabled_at = NULL WHERE email = 'alice@example.com'`,
    );
    expect(await authenticateApiKey(t.db, `${created.key.slice(0, -1)}x`)).toBeNull();
    expect(await authenticateApiKey(t.db, "not-a-key")).toBeNull();
  });

  it("seeds demo users for every role and one agent key, idempotently", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-demo-"));
    const first = await seedDemo(t.db, dir);
    expect(new Set(first.users.map((u) => u.role))).toEqual(
      new Set(["developer", "tech_lead", "devops_engineer", "viewer"]),
    );
    expect(first.users.filter((u) => u.role === "devops_engineer")).toHaveLength(2);
    expect(first.keyCreated).toBe(true);
    expect(first.reviewerKey).toMatch(/^alk_/);
    expect(readFileSync(path.join(dir, "demo-agent-key"), "utf8").trim()).toBe(first.agentKey);
    const usersAfterFirst = await count("users");
    const second = await seedDemo(t.db, dir);
    expect(second.keyCreated).toBe(false);
    expect(second.agentKey).toBe(first.agentKey);
    expect(second.reviewerKey).toBe(first.reviewerKey);
    expect(await count("users")).toBe(usersAfterFirst);
  });

  it("keeps the audit chain unbroken across all of the above", async () => {
    const rows = await execRows<{ seq: number; prev_hash: string; hash: string }>(
      t.db,
      sql`SELECT seq::int AS seq, prev_hash, hash FROM audit_events ORDER BY seq`,
    );
    expect(rows.length).toBeGreaterThan(5);
    rows.forEach((r, i) => {
      expect(r.seq).toBe(i + 1);
      if (i > 0) expect(r.prev_hash).toBe(rows[i - 1]?.hash);
    });
  });
});
