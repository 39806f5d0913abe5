// SPEC §8.2, people who leave: `hitl users disable` stops a person's reviewer keys, browser
// session, pages and server actions at their next request (not when the session expires), and
// `enable` brings them back; reviewer keys may expire. Driven through the CLI's own commands,
// the real route handlers (the pages' reads among them), and the session helpers pages and
// server actions use, with only
// next-auth's cookie reading and the request headers stood in for.

import os from "node:os";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { createApiKey } from "@/lib/services/accounts/keys";
import { type ApiHarness, createApiHarness, readPath } from "@/test-support/api";
import { browser } from "@/test-support/browser";
import { hitlIn } from "@/test-support/cli";

// The browser's session as next-auth would decode it from the cookie: the token is never
// touched again after sign-in, so whatever changes must be read from the user record.
vi.mock("next-auth", async (original) =>
  (await import("@/test-support/browser")).nextAuth(original),
);

describe("people who leave", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  /** Runs `hitl <name> ...args` in-process, as the operator; what it printed. */
  const hitl = (name: string, ...args: string[]) => hitlIn(api.f.t, name, ...args);
  const refusal = (run: Promise<unknown>) =>
    run.then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: Error) => error,
    );
  const auditOf = (userId: string, type: string) =>
    execRows<{ actor_type: string; actor_id: string; payload: Record<string, unknown> }>(
      api.f.t.db,
      sql`SELECT actor_type, actor_id, payload FROM audit_events
          WHERE type = ${type} AND payload->>'user_id' = ${userId} ORDER BY id`,
    );
  const queueWith = (key: string) => api.call("GET", "/api/hitl/approval-queue", { key });

  it("users disable cuts the person's reviewer key, session, pages and server actions at their next request; enable restores them", async () => {
    const { sessionPrincipal } = await import("@/lib/auth/session");
    const { signedIn } = await import("@/app/(dashboard)/_lib/session");
    // A page's read, as the browser makes it: GET /api/dashboard/queue with the session.
    const readQueue = () => api.call("GET", readPath("queue"));
    const lead = api.f.users.lead;
    const key = await api.reviewerKey("lead");
    browser.session = { user: { id: lead.id } };

    // Signed in and working, every way in.
    expect((await queueWith(key)).status).toBe(200);
    expect(await sessionPrincipal()).toEqual({
      kind: "user",
      userId: lead.id,
      via: { channel: "browser" },
    });
    expect((await signedIn())?.user).toMatchObject({ email: lead.email, disabled: false });
    expect((await readQueue()).status).toBe(200);

    const disabled = JSON.parse(await hitl("users", "disable", "--email", lead.email, "--json"));
    expect(disabled).toMatchObject({
      id: lead.id,
      email: lead.email,
      role: "tech_lead",
      disabled: true,
      disabled_at: expect.any(String),
      disabled_by: "operator",
    });

    // The very next request, with the same key and the same session token, is refused.
    const byKey = await queueWith(key);
    expect(byKey.status).toBe(401);
    expect(byKey.json.error).toEqual({
      code: "unauthorized",
      message: "The API key's account is disabled",
    });
    expect(await sessionPrincipal()).toBeNull();
    expect(await signedIn()).toBeNull();
    const refused = await readQueue();
    expect(refused.status).toBe(401);
    expect(refused.json.error).toEqual({ code: "unauthorized", message: "Sign in first" });
    // Acting as them from the CLI is refused too: a decision needs an enabled person.
    expect(await refusal(hitl("list-pending", "--as", lead.email))).toMatchObject({
      code: "forbidden",
    });

    // Audited, in the same transaction as the change: the operator is the OS user.
    expect(await auditOf(lead.id, "user.disabled")).toEqual([
      {
        actor_type: "operator",
        actor_id: `cli:${os.userInfo().username}`,
        payload: { user_id: lead.id, email: lead.email, reason: "operator" },
      },
    ]);
    // Twice is a mistake worth saying, and writes nothing.
    expect((await refusal(hitl("users", "disable", "--email", lead.email))).message).toMatch(
      /^lead@test\.local is already disabled \(since .+\)$/,
    );
    expect(await auditOf(lead.id, "user.disabled")).toHaveLength(1);

    expect(await hitl("users", "enable", "--email", lead.email)).toBe(
      "Enabled lead@test.local (tech_lead)",
    );
    expect((await queueWith(key)).status).toBe(200);
    expect(await sessionPrincipal()).toEqual({
      kind: "user",
      userId: lead.id,
      via: { channel: "browser" },
    });
    expect((await signedIn())?.user).toMatchObject({ disabled: false, disabled_at: null });
    expect((await readQueue()).status).toBe(200);
    expect(await auditOf(lead.id, "user.enabled")).toEqual([
      {
        actor_type: "operator",
        actor_id: `cli:${os.userInfo().username}`,
        payload: { user_id: lead.id, email: lead.email, disabled_by: "operator" },
      },
    ]);
    expect((await refusal(hitl("users", "enable", "--email", lead.email))).message).toBe(
      "lead@test.local is not disabled",
    );
  });

  it("reads the role from the user record at each request, not from the session token", async () => {
    const { signedIn } = await import("@/app/(dashboard)/_lib/session");
    const dev = api.f.users.dev;
    // The token still says what the role was at sign-in.
    browser.session = { user: { id: dev.id, role: "developer" } } as { user: { id: string } };
    expect((await signedIn())?.user.role).toBe("developer");
    await hitl("users", "set-role", "--email", dev.email, "--role", "viewer");
    try {
      expect((await signedIn())?.user.role).toBe("viewer");
    } finally {
      await hitl("users", "set-role", "--email", dev.email, "--role", "developer");
    }
  });

  it("a session naming nobody, or no one that exists, signs nobody in", async () => {
    const { sessionPrincipal } = await import("@/lib/auth/session");
    for (const session of [null, { user: { id: "" } }, { user: { id: "not-a-uuid" } }]) {
      browser.session = session;
      expect(await sessionPrincipal()).toBeNull();
    }
    browser.session = { user: { id: "00000000-0000-4000-8000-000000000000" } };
    expect(await sessionPrincipal()).toBeNull();
  });

  it("users list shows who is disabled, and since when", async () => {
    const ops2 = api.f.users.ops2;
    await hitl("users", "disable", "--email", ops2.email);
    try {
      const listed = JSON.parse(await hitl("users", "list", "--json")) as Record<string, unknown>[];
      const row = listed.find((u) => u.email === ops2.email);
      expect(row).toMatchObject({ disabled: true, disabled_by: "operator" });
      expect(Date.parse(row?.disabled_at as string)).not.toBeNaN();
      expect(listed.find((u) => u.email === api.f.users.ops.email)).toMatchObject({
        disabled: false,
        disabled_at: null,
        disabled_by: null,
      });

      const human = (await hitl("users", "list")).split("\n");
      expect(human[0]).toMatch(/^ID\s+EMAIL\s+ROLE\s+NAME\s+DISABLED$/);
      expect(human.find((l) => l.includes(ops2.email))).toContain(`${row?.disabled_at} (operator)`);
      expect(human.find((l) => l.includes(api.f.users.ops.email))).toMatch(/ -$/);
    } finally {
      await hitl("users", "enable", "--email", ops2.email);
    }
  });

  it("refuses disable and enable without an email, or for nobody", async () => {
    expect((await refusal(hitl("users", "disable"))).message).toBe("--email is required");
    expect(await refusal(hitl("users", "enable", "--email", "nobody@test.local"))).toMatchObject({
      code: "not_found",
      message: "No user with email nobody@test.local",
    });
  });
});

describe("reviewer keys that expire", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  /** `hitl keys ...args`, in-process, as the operator: what it printed. */
  const hitl = (...args: string[]) => hitlIn(api.f.t, "keys", ...args);
  const queueWith = (key: string) => api.call("GET", "/api/hitl/approval-queue", { key });

  it("keys create --user E --expires-in 30d stores the expiry, shows it, and the key works until then", async () => {
    const before = Date.now();
    const created = JSON.parse(
      await hitl("create", "--user", api.f.users.ops.email, "--expires-in", "30d", "--json"),
    );
    expect(Object.keys(created).sort()).toEqual(["expires_at", "id", "key"]);
    const lifetime = Date.parse(created.expires_at) - before;
    expect(Math.abs(lifetime - 30 * 86_400_000)).toBeLessThan(60_000);
    expect((await queueWith(created.key)).status).toBe(200);

    const listed = JSON.parse(await hitl("list", "--json")) as Record<string, unknown>[];
    expect(listed.find((k) => k.id === created.id)).toMatchObject({
      expires_at: created.expires_at,
    });
    expect(listed.find((k) => k.id !== created.id)).toMatchObject({ expires_at: null });
    const human = (await hitl("list")).split("\n");
    expect(human[0]).toMatch(/\sEXPIRES_AT$/);
    expect(human.find((l) => l.startsWith(created.id))).toContain(created.expires_at);

    const [event] = await execRows<{ payload: { expires_at?: string } }>(
      api.f.t.db,
      sql`SELECT payload FROM audit_events WHERE type = 'key.created' AND payload->>'key_id' = ${created.id}`,
    );
    expect(event?.payload.expires_at).toBe(created.expires_at);
  });

  it("refuses an expired reviewer key with 401, saying it expired, while a fresh one works", async () => {
    const email = api.f.users.ops.email;
    const soon = await createApiKey(
      api.f.t.db,
      { kind: "operator", name: "test" },
      {
        user: email,
        expires_in_seconds: 1,
      },
    );
    const fresh = JSON.parse(
      await hitl("create", "--user", email, "--expires-in", "90m", "--json"),
    );
    const forever = JSON.parse(await hitl("create", "--user", email, "--json"));
    expect(forever.expires_at).toBeUndefined();
    expect((await queueWith(soon.key)).status).toBe(200);

    await new Promise((r) => setTimeout(r, 1_200));
    const expired = await queueWith(soon.key);
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe("unauthorized");
    expect(expired.json.error.message).toBe(
      `The API key expired at ${soon.expires_at}; ask for a new one`,
    );
    // Deciding with it is refused the same way, before anything is read.
    const decide = await api.call(
      "POST",
      "/api/hitl/actions/00000000-0000-4000-8000-000000000000/approve",
      { key: soon.key, body: {} },
    );
    expect(decide.status).toBe(401);
    expect((await queueWith(fresh.key)).status).toBe(200);
    expect((await queueWith(forever.key)).status).toBe(200);
  });

  it.each([
    [["create", "--user", "ops@test.local", "--expires-in", "30"], /^--expires-in: expected/],
    [["create", "--user", "ops@test.local", "--expires-in", "2w"], /^--expires-in: expected/],
    [["create", "--user", "ops@test.local", "--expires-in", "0d"], /^--expires-in: must be/],
    [["create", "--user", "ops@test.local", "--expires-in", "3651d"], /^--expires-in: at most/],
    [
      ["create", "--agent", "gamma", "--owner", "ops@test.local", "--expires-in", "1d"],
      /^--expires-in goes with --user/,
    ],
    [["create", "--agent", "gamma"], /^--owner EMAIL is required with --agent/],
  ])("refuses keys %j with a reason naming the flag", async (args, message) => {
    const before = JSON.parse(await hitl("list", "--json")).length;
    const error = await hitl(...args).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(message);
    expect(JSON.parse(await hitl("list", "--json")).length).toBe(before);
  });
});
