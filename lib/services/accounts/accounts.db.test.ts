import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { execRows } from "@/db/client";
import { findActiveKeyByHash } from "@/db/queries/keys";
import { findUserById } from "@/db/queries/users";
import { seedDemo } from "@/lib/demo/seed";
import { ServiceError } from "@/lib/services/errors";
import { createTestDb, type TestDb } from "@/test-support/db";
import { sealEverything, TEST_OPERATOR } from "@/test-support/services";
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

  /** Whom a key acts as: its principal, with the user's email and role as they stand now. */
  const actingAs = async (key: string) => {
    const principal = await authenticateApiKey(t.db, key);
    if (principal?.kind !== "user") return principal;
    const user = await findUserById(t.db, principal.userId);
    return { ...principal, email: user?.email, role: user?.role };
  };

  const count = async (table: string) =>
    (await execRows<{ n: number }>(t.db, sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n;

  it("adds a user with a hashed password, normalised email and an audit event", async () => {
    const user = await addUser(t.db, TEST_OPERATOR, {
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
    const error = await addUser(t.db, TEST_OPERATOR, input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe("invalid");
    expect((error as ServiceError).message).toContain(field);
    expect(await count("users")).toBe(before);
  });

  it("refuses a duplicate email with a conflict", async () => {
    await expect(
      addUser(t.db, TEST_OPERATOR, { email: "alice@example.com", role: "developer" }),
    ).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("changes a role", async () => {
    expect(
      await setUserRole(t.db, TEST_OPERATOR, {
        email: "alice@example.com",
        role: "devops_engineer",
      }),
    ).toMatchObject({
      role: "devops_engineer",
    });
  });

  it("stores keys only as hashes, and revoked keys stop authenticating", async () => {
    const created = await createApiKey(t.db, TEST_OPERATOR, {
      agent: "deployer",
      owner: "alice@example.com",
    });
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
    await revokeApiKey(t.db, TEST_OPERATOR, created.id);
    expect(await findActiveKeyByHash(t.db, hashApiKey(created.key))).toBeUndefined();
    await expect(revokeApiKey(t.db, TEST_OPERATOR, created.id)).rejects.toMatchObject({
      code: "not_found",
    });
  });

  it("creates reviewer keys only for existing users, acting with the user's current role", async () => {
    await expect(
      createApiKey(t.db, TEST_OPERATOR, { user: "nobody@example.com" }),
    ).rejects.toMatchObject({
      code: "not_found",
    });
    const created = await createApiKey(t.db, TEST_OPERATOR, { user: "alice@example.com" });
    expect(created.scope).toBe("reviewer");
    expect(created.webhook_secret).toBeUndefined();
    const alice = await actingAs(created.key);
    expect(alice).toMatchObject({ kind: "user", role: "devops_engineer" });
    await setUserRole(t.db, TEST_OPERATOR, { email: "alice@example.com", role: "developer" });
    expect(await actingAs(created.key)).toMatchObject({
      kind: "user",
      userId: (alice as { userId: string }).userId,
      role: "developer",
    });
    await execRows(
      t.db,
      sql`UPDATE users SET disabled_at = now() WHERE email = 'alice@example.com'`,
    );
    await expect(authenticateApiKey(t.db, created.key)).rejects.toMatchObject({
      code: "unauthorized",
      message: "The API key's account is disabled",
    });
    await execRows(
      t.db,
      sql`UPDATE users SET disabled_at = NULL WHERE email = 'alice@example.com'`,
    );
    expect(await authenticateApiKey(t.db, `${created.key.slice(0, -1)}x`)).toBeNull();
    expect(await authenticateApiKey(t.db, "not-a-key")).toBeNull();
  });

  it("seeds demo users for every role, an agent key and a reviewer key per reviewer, idempotently", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "airlock-demo-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
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

    // A reviewer key per reviewing user (a critical request needs two devops engineers),
    // the lead's also in demo-reviewer-key for the README.
    expect(first.reviewerKeys.map((k) => [k.email, k.role, path.basename(k.file)])).toEqual([
      ["dev@airlock.local", "developer", "demo-reviewer-key-dev"],
      ["lead@airlock.local", "tech_lead", "demo-reviewer-key-lead"],
      ["ops@airlock.local", "devops_engineer", "demo-reviewer-key-ops"],
      ["ops2@airlock.local", "devops_engineer", "demo-reviewer-key-ops2"],
    ]);
    for (const k of first.reviewerKeys) {
      expect(readFileSync(k.file, "utf8").trim()).toBe(k.key);
      expect(await actingAs(k.key)).toMatchObject({
        kind: "user",
        email: k.email,
        role: k.role,
      });
    }
    const lead = first.reviewerKeys[1]?.key;
    expect(first.reviewerKey).toBe(lead);
    expect(readFileSync(path.join(dir, "demo-reviewer-key"), "utf8").trim()).toBe(lead);

    expect(second.reviewerKeys.map((k) => [k.key, k.created])).toEqual(
      first.reviewerKeys.map((k) => [k.key, false]),
    );

    // A file holding someone else's key is not trusted: its user gets a key of their own.
    const [, , ops, ops2] = first.reviewerKeys;
    writeFileSync(ops2?.file as string, `${ops?.key}\n`);
    const third = await seedDemo(t.db, dir);
    const replaced = third.reviewerKeys[3];
    expect(replaced?.created).toBe(true);
    expect(replaced?.key).not.toBe(ops?.key);
    expect(await actingAs(replaced?.key as string)).toMatchObject({
      email: "ops2@airlock.local",
    });
  });

  it("keeps the audit chain unbroken across all of the above", async () => {
    await sealEverything(t.db);
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
