// Parallel password guesses get no more tries than serial ones: each attempt reserves its place
// in the account's and the address's counts before any bcrypt, so the sixth concurrent wrong
// guess is refused without one. Only a real server runs the attempts at once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { ServiceError } from "@/lib/services/errors";
import { createTestDb, type TestDb } from "@/test-support/db";
import { TEST_OPERATOR } from "@/test-support/services";
import { SIGN_IN_LIMITS, signInWithPassword } from "./sign-in";
import { addUser } from "./users";

// Every bcrypt comparison made, so the test can see which attempts reached one.
const bcryptCalls = vi.hoisted(() => ({ compares: 0 }));
vi.mock("bcryptjs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("bcryptjs")>();
  const compare = (password: string, hash: string) => {
    bcryptCalls.compares++;
    return actual.default.compare(password, hash);
  };
  return { ...actual, default: { ...actual.default, compare } };
});

describe("sign-in limits under concurrency (PostgreSQL)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb({ max: 20 });
    await addUser(t.db, TEST_OPERATOR, {
      email: "target@test.local",
      role: "developer",
      password: "right-password",
    });
  });
  afterAll(async () => {
    await t?.destroy();
  });
  beforeEach(async () => {
    await execRows(t.db, sql`DELETE FROM sign_in_failures`);
    bcryptCalls.compares = 0;
  });

  const outcomes = async (attempts: Promise<unknown>[]) => {
    const results = await Promise.allSettled(attempts);
    return results.map((r) =>
      r.status === "fulfilled"
        ? r.value === null
          ? "wrong"
          : "signed in"
        : r.reason instanceof ServiceError
          ? r.reason.code
          : `unexpected: ${String(r.reason)}`,
    );
  };
  const count = (list: string[], value: string) => list.filter((v) => v === value).length;
  const failures = async (key: string) => {
    const [row] = await execRows<{ n: number }>(
      t.db,
      sql`SELECT coalesce(sum(failures), 0)::int AS n FROM sign_in_failures WHERE key = ${key}`,
    );
    return row?.n;
  };

  it("20 concurrent wrong guesses at one account: 5 reach bcrypt, 15 are refused (×3)", async () => {
    for (let round = 0; round < 3; round++) {
      await execRows(t.db, sql`DELETE FROM sign_in_failures`);
      bcryptCalls.compares = 0;
      const results = await outcomes(
        Array.from({ length: 20 }, (_, i) =>
          signInWithPassword(t.db, {
            email: "target@test.local",
            password: `guess-${round}-${i}`,
            address: `10.0.${round}.${i}`,
          }),
        ),
      );
      expect(count(results, "wrong")).toBe(SIGN_IN_LIMITS.perAccount);
      expect(count(results, "limit")).toBe(20 - SIGN_IN_LIMITS.perAccount);
      expect(bcryptCalls.compares).toBe(SIGN_IN_LIMITS.perAccount);
      expect(await failures("account:target@test.local")).toBe(SIGN_IN_LIMITS.perAccount);
    }
    // Refused, without a bcrypt, even with the right password.
    bcryptCalls.compares = 0;
    await expect(
      signInWithPassword(t.db, {
        email: "target@test.local",
        password: "right-password",
        address: "10.9.0.1",
      }),
    ).rejects.toMatchObject({ code: "limit" });
    expect(bcryptCalls.compares).toBe(0);
  });

  it("concurrent guesses across many accounts from one address: the address's limit holds", async () => {
    const attempts = SIGN_IN_LIMITS.perAddress + 15;
    const results = await outcomes(
      Array.from({ length: attempts }, (_, i) =>
        signInWithPassword(t.db, {
          email: `spray-${i}@test.local`,
          password: "password1",
          address: "192.0.2.7",
        }),
      ),
    );
    expect(count(results, "wrong")).toBe(SIGN_IN_LIMITS.perAddress);
    expect(count(results, "limit")).toBe(15);
    expect(bcryptCalls.compares).toBe(SIGN_IN_LIMITS.perAddress);
    expect(await failures("address:192.0.2.7")).toBe(SIGN_IN_LIMITS.perAddress);
  });
});
