// The doors into the browser: passwords rate-limited per account and per address, and
// identities from an OIDC provider found by (provider, subject) with roles from their groups.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { createFixture, type Fixture, refusalOf, TEST_OPERATOR } from "@/test-support/services";
import {
  roleForGroups,
  SIGN_IN_LIMITS,
  sessionUser,
  signInWithIdentity,
  signInWithPassword,
} from "./sign-in";
import { addUser, disableUser, enableUser, listUsers } from "./users";

const ROLE_MAP = {
  "airlock-devops": "devops_engineer",
  "airlock-leads": "tech_lead",
  engineering: "developer",
  auditors: "viewer",
};

describe("sign-in", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const password = (email: string, pw: string, address: string | null = "10.0.0.1") =>
    signInWithPassword(f.t.db, { email, password: pw, address });
  const failures = async (key: string) => {
    const [row] = await execRows<{ n: number }>(
      f.t.db,
      sql`SELECT coalesce(sum(failures), 0)::int AS n FROM sign_in_failures WHERE key = ${key}`,
    );
    return row?.n;
  };

  describe("with a password", () => {
    it("answers the user for the right password and null for a wrong one", async () => {
      expect(await password("lead@test.local", "test-password")).toMatchObject({
        email: "lead@test.local",
        role: "tech_lead",
      });
      expect(await password("lead@test.local", "nope-nope")).toBeNull();
      expect(await password("nobody@test.local", "nope-nope")).toBeNull();
    });

    it("refuses an account after too many failures, even with the right password", async () => {
      await addUser(f.t.db, TEST_OPERATOR, {
        email: "target@test.local",
        role: "developer",
        password: "right-password",
      });
      for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
        expect(await password("target@test.local", `guess-${i}`, `10.1.0.${i}`)).toBeNull();
      }
      const refused = await refusalOf(password("target@test.local", "right-password", "10.2.0.1"));
      expect(refused).toMatchObject({ code: "limit" });
      expect(refused.message).toMatch(/^Too many failed sign-ins; try again in 15 minutes$/);
      // Other accounts are not affected.
      expect(await password("dev@test.local", "test-password", "10.2.0.1")).not.toBeNull();
    });

    it("refuses an address after too many failures across accounts", async () => {
      for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) {
        await password(`spray-${i}@test.local`, "password1", "10.9.9.9");
      }
      expect((await refusalOf(password("ops@test.local", "test-password", "10.9.9.9"))).code).toBe(
        "limit",
      );
      expect(await password("ops@test.local", "test-password", "10.9.9.10")).not.toBeNull();
    });

    it("counts a refused attempt against neither the account nor the address", async () => {
      // The address is spent: the account's count does not move while it is refused there.
      for (let i = 0; i < SIGN_IN_LIMITS.perAddress; i++) {
        await password(`spent-${i}@test.local`, "password1", "10.8.8.8");
      }
      for (let i = 0; i < 3; i++) {
        expect((await refusalOf(password("viewer@test.local", "nope", "10.8.8.8"))).code).toBe(
          "limit",
        );
      }
      expect(await failures("account:viewer@test.local")).toBe(0);
      // The account is spent: the address's count does not move while it is refused there.
      for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
        await password("spent@test.local", `guess-${i}`, `10.8.9.${i}`);
      }
      expect((await refusalOf(password("spent@test.local", "guess", "10.8.9.99"))).code).toBe(
        "limit",
      );
      expect(await failures("address:10.8.9.99")).toBe(0);
    });

    it("gives the address back its place when a sign-in succeeds", async () => {
      await password("nobody-here@test.local", "wrong-one", "10.4.0.1");
      for (let i = 0; i < 3; i++) {
        expect(await password("lead2@test.local", "test-password", "10.4.0.1")).not.toBeNull();
      }
      expect(await failures("address:10.4.0.1")).toBe(1);
    });

    it("gives concurrent wrong guesses no more tries than serial ones", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => password("owner@test.local", `guess-${i}`)),
      );
      const wrong = results.filter((r) => r.status === "fulfilled" && r.value === null);
      const refused = results.filter(
        (r) => r.status === "rejected" && (r.reason as { code?: string }).code === "limit",
      );
      expect([wrong.length, refused.length]).toEqual([SIGN_IN_LIMITS.perAccount, 7]);
      expect(await failures("account:owner@test.local")).toBe(SIGN_IN_LIMITS.perAccount);
    });

    it("starts a new window once the last one has passed", async () => {
      for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
        await password("ops3@test.local", `guess-${i}`, `10.5.0.${i}`);
      }
      expect((await refusalOf(password("ops3@test.local", "test-password", "10.5.1.1"))).code).toBe(
        "limit",
      );
      await execRows(
        f.t.db,
        sql`UPDATE sign_in_failures SET window_start = now() - interval '16 minutes' WHERE key = 'account:ops3@test.local'`,
      );
      expect(await password("ops3@test.local", "wrong-again", "10.5.1.1")).toBeNull();
      expect(await failures("account:ops3@test.local")).toBe(1);
    });

    it("clears an account's failures when it signs in", async () => {
      await password("ops2@test.local", "wrong-one", "10.3.0.1");
      expect(await password("ops2@test.local", "test-password", "10.3.0.1")).not.toBeNull();
      const [row] = await execRows<{ n: number }>(
        f.t.db,
        sql`SELECT count(*)::int AS n FROM sign_in_failures WHERE key = 'account:ops2@test.local'`,
      );
      expect(row?.n).toBe(0);
    });
  });

  describe("with an identity provider", () => {
    const claims = (subject: string, groups: string[], email = `${subject}@idp.example`) => ({
      provider: "oidc",
      subject,
      email,
      name: `Person ${subject}`,
      groups,
    });

    it("maps groups to the highest role they grant", () => {
      expect(roleForGroups(["engineering", "airlock-leads"], ROLE_MAP)).toBe("tech_lead");
      expect(roleForGroups(["auditors"], ROLE_MAP)).toBe("viewer");
      expect(roleForGroups(["marketing"], ROLE_MAP)).toBeNull();
    });

    it("creates the user on first sign-in and follows the provider's groups after", async () => {
      const first = await signInWithIdentity(f.t.db, claims("sub-1", ["engineering"]), ROLE_MAP);
      expect(first).toMatchObject({ email: "sub-1@idp.example", role: "developer" });
      const promoted = await signInWithIdentity(
        f.t.db,
        claims("sub-1", ["engineering", "airlock-devops"]),
        ROLE_MAP,
      );
      expect(promoted).toMatchObject({ id: first.id, role: "devops_engineer" });
      const events = await execRows<{ type: string; actor_id: string }>(
        f.t.db,
        sql`SELECT type, actor_id FROM audit_events WHERE payload->>'user_id' = ${first.id} ORDER BY id`,
      );
      expect(events).toEqual([
        { type: "user.created", actor_id: "oidc:oidc" },
        { type: "user.role_changed", actor_id: "oidc:oidc" },
      ]);
    });

    it("finds people by subject, never by email alone", async () => {
      // The provider says this new subject owns a local account's address: refused, not linked.
      const taken = await refusalOf(
        signInWithIdentity(f.t.db, claims("sub-2", ["airlock-devops"], "ops@test.local"), ROLE_MAP),
      );
      expect(taken.code).toBe("conflict");
      expect(taken.message).toMatch(/already uses ops@test\.local/);
      // A known subject whose email changed at the provider is still the same person.
      const before = await signInWithIdentity(f.t.db, claims("sub-3", ["engineering"]), ROLE_MAP);
      const after = await signInWithIdentity(
        f.t.db,
        claims("sub-3", ["engineering"], "renamed@idp.example"),
        ROLE_MAP,
      );
      expect(after.id).toBe(before.id);
    });

    it("refuses people whose groups grant no role, and disabled accounts", async () => {
      expect(
        (await refusalOf(signInWithIdentity(f.t.db, claims("sub-4", ["marketing"]), ROLE_MAP)))
          .code,
      ).toBe("forbidden");
      const user = await signInWithIdentity(f.t.db, claims("sub-5", ["auditors"]), ROLE_MAP);
      await execRows(f.t.db, sql`UPDATE users SET disabled_at = now() WHERE id = ${user.id}`);
      expect(
        (await refusalOf(signInWithIdentity(f.t.db, claims("sub-5", ["auditors"]), ROLE_MAP))).code,
      ).toBe("forbidden");
    });

    const eventsOf = (userId: string) =>
      execRows<{ type: string; actor_id: string; payload: Record<string, unknown> }>(
        f.t.db,
        sql`SELECT type, actor_id, payload FROM audit_events
            WHERE payload->>'user_id' = ${userId} ORDER BY id`,
      );

    it("disables, audited, a known person whose groups no longer map to a role, and refuses the sign-in", async () => {
      const user = await signInWithIdentity(f.t.db, claims("sub-6", ["airlock-leads"]), ROLE_MAP);
      expect(await sessionUser(f.t.db, user.id)).toMatchObject({ role: "tech_lead" });

      const refused = await refusalOf(
        signInWithIdentity(f.t.db, claims("sub-6", ["marketing"]), ROLE_MAP),
      );
      expect(refused.code).toBe("forbidden");
      expect(refused.message).toBe(
        "None of your groups grants a role in Airlock; your account is disabled until one does",
      );
      // Not the old role: the account is off, and every session of theirs with it.
      const listed = (await listUsers(f.t.db, TEST_OPERATOR)).find((u) => u.id === user.id);
      expect(listed).toMatchObject({
        role: "tech_lead",
        disabled: true,
        disabled_at: expect.any(String),
        disabled_by: "identity_provider",
      });
      expect(await sessionUser(f.t.db, user.id)).toBeNull();

      // Again: still refused, and not audited twice.
      expect(
        (await refusalOf(signInWithIdentity(f.t.db, claims("sub-6", []), ROLE_MAP))).code,
      ).toBe("forbidden");
      expect((await eventsOf(user.id)).map((e) => [e.type, e.actor_id, e.payload])).toEqual([
        ["user.created", "oidc:oidc", expect.anything()],
        [
          "user.disabled",
          "oidc:oidc",
          {
            user_id: user.id,
            email: user.email,
            reason: "no mapped group",
            via: "oidc",
            role: "tech_lead",
          },
        ],
      ]);
    });

    it("re-enables what the provider disabled once the groups map again, with the role they now grant", async () => {
      const user = await signInWithIdentity(f.t.db, claims("sub-7", ["airlock-leads"]), ROLE_MAP);
      await refusalOf(signInWithIdentity(f.t.db, claims("sub-7", ["marketing"]), ROLE_MAP));
      const back = await signInWithIdentity(f.t.db, claims("sub-7", ["engineering"]), ROLE_MAP);
      expect(back).toMatchObject({
        id: user.id,
        role: "developer",
        disabled: false,
        disabled_at: null,
        disabled_by: null,
      });
      expect(await sessionUser(f.t.db, user.id)).toMatchObject({ role: "developer" });
      expect((await eventsOf(user.id)).map((e) => [e.type, e.payload.reason ?? null])).toEqual([
        ["user.created", null],
        ["user.disabled", "no mapped group"],
        ["user.enabled", "mapped group"],
        ["user.role_changed", null],
      ]);
    });

    it("never lifts what the operator disabled, even when the provider had disabled it first", async () => {
      const user = await signInWithIdentity(f.t.db, claims("sub-8", ["engineering"]), ROLE_MAP);
      await disableUser(f.t.db, TEST_OPERATOR, { email: user.email });
      const refused = await refusalOf(
        signInWithIdentity(f.t.db, claims("sub-8", ["engineering"]), ROLE_MAP),
      );
      expect(refused).toMatchObject({ code: "forbidden", message: "This account is disabled" });

      // Disabled by the provider, then by the operator: the operator's disable stands.
      const other = await signInWithIdentity(f.t.db, claims("sub-9", ["engineering"]), ROLE_MAP);
      await refusalOf(signInWithIdentity(f.t.db, claims("sub-9", []), ROLE_MAP));
      const taken = await disableUser(f.t.db, TEST_OPERATOR, { email: other.email });
      expect(taken).toMatchObject({ disabled: true, disabled_by: "operator" });
      expect(
        (await refusalOf(signInWithIdentity(f.t.db, claims("sub-9", ["engineering"]), ROLE_MAP)))
          .message,
      ).toBe("This account is disabled");
      const disables = (await eventsOf(other.id)).filter((e) => e.type === "user.disabled");
      expect(disables.map((e) => e.payload.reason)).toEqual(["no mapped group", "operator"]);
      expect(disables[1]?.payload.previously_disabled_by).toBe("identity_provider");

      // The operator may enable it; the provider's groups then decide again at each sign-in.
      await enableUser(f.t.db, TEST_OPERATOR, { email: other.email });
      expect(
        await signInWithIdentity(f.t.db, claims("sub-9", ["engineering"]), ROLE_MAP),
      ).toMatchObject({ id: other.id, disabled: false });
      expect(
        await signInWithIdentity(f.t.db, claims("sub-8", ["engineering"]), ROLE_MAP).catch(
          (e: Error) => e.message,
        ),
      ).toBe("This account is disabled");
    });
  });
});
