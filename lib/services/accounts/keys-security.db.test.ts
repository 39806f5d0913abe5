// The security findings about keys, grants, threads and sign-in, each pinned by a test.
import bcrypt from "bcryptjs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { graphThreadId } from "@/lib/jobs/workflow";
import { createStandingApproval } from "@/lib/services/grants/grants";
import type { AgentPrincipal } from "@/lib/services/principal";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { listThreadTasks } from "@/lib/services/requests/tasks";
import {
  createFixture,
  type Fixture,
  refusalOf,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { authenticateApiKey, createApiKey, revokeApiKey } from "./keys";
import { addUser, verifyPassword } from "./users";

describe("keys, grants, threads and sign-in", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const refusal = refusalOf;
  const agentOf = async (key: string) => (await authenticateApiKey(f.t.db, key)) as AgentPrincipal;

  it("refuses an agent key without an owner: it would switch four-eyes off", async () => {
    const error = await refusal(createApiKey(f.t.db, TEST_OPERATOR, { agent: "orphan" }));
    expect(error.code).toBe("invalid");
    expect(error.details).toEqual([{ path: "owner", message: "is required for an agent key" }]);
    const [row] = await execRows<{ n: number }>(
      f.t.db,
      sql`SELECT count(*)::int AS n FROM api_keys WHERE name = 'orphan'`,
    );
    expect(row?.n).toBe(0);
  });

  it("keeps agent names unique among active keys, whatever the case", async () => {
    const error = await refusal(
      createApiKey(f.t.db, TEST_OPERATOR, { agent: "ALPHA", owner: "dev@test.local" }),
    );
    expect(error.code).toBe("conflict");
    expect(error.message).toMatch(/already named "alpha"/);
  });

  it("binds a standing approval to the key it was granted for, not to its name", async () => {
    const first = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "deployer",
      owner: "dev@test.local",
    });
    await createStandingApproval(f.t.db, f.as.lead, {
      agent: "deployer",
      type_pattern: "deploy",
      environment: "staging",
      max_uses: 10,
      expires_in_minutes: 60,
      reason: "staging day",
    });
    const staging = {
      type: "deploy",
      operation: "deploy",
      environment: "staging",
      description: "x",
    };
    const covered = await submitTask(f.t.db, await agentOf(first.key), taskBody(staging));
    expect(covered.task).toMatchObject({ status: "approved", auto_approved: true });

    // The key is revoked and a new one made under the same name: it inherits nothing.
    await revokeApiKey(f.t.db, TEST_OPERATOR, first.id);
    const second = await createApiKey(f.t.db, TEST_OPERATOR, {
      agent: "deployer",
      owner: "dev@test.local",
    });
    const fresh = await submitTask(f.t.db, await agentOf(second.key), taskBody(staging));
    expect(fresh.task).toMatchObject({ status: "pending", auto_approved: false });
  });

  it("keeps thread ids per key: two agents naming one thread never share it", async () => {
    await submitTask(f.t.db, f.alpha, taskBody({}, { thread_id: "shared-thread" }));
    await submitTask(f.t.db, f.beta, taskBody({}, { thread_id: "shared-thread" }));
    await submitTask(f.t.db, f.beta, taskBody({}, { thread_id: "shared-thread" }));
    const alphas = await listThreadTasks(f.t.db, f.alpha, "shared-thread");
    const betas = await listThreadTasks(f.t.db, f.beta, "shared-thread");
    expect(alphas).toHaveLength(1);
    expect(betas).toHaveLength(2);
    expect(new Set([...alphas, ...betas].map((t) => t.thread_id))).toEqual(
      new Set(["shared-thread"]),
    );
    const [one = "", two = ""] = [alphas[0]?.task_id, betas[0]?.task_id];
    expect(graphThreadId({ apiKeyId: f.alpha.keyId, threadId: "shared-thread", id: one })).not.toBe(
      graphThreadId({ apiKeyId: f.beta.keyId, threadId: "shared-thread", id: two }),
    );
  });

  it("spends the same bcrypt work on an unknown, disabled or password-less account", async () => {
    await addUser(f.t.db, TEST_OPERATOR, { email: "oidc-only@test.local", role: "developer" });
    const off = await addUser(f.t.db, TEST_OPERATOR, {
      email: "off@test.local",
      role: "developer",
      password: "test-password",
    });
    await execRows(f.t.db, sql`UPDATE users SET disabled_at = now() WHERE id = ${off.id}`);
    const compare = vi.spyOn(bcrypt, "compare");
    try {
      for (const email of [
        "nobody@test.local",
        "oidc-only@test.local",
        "off@test.local",
        "not an email",
        "lead@test.local",
      ]) {
        compare.mockClear();
        expect(await verifyPassword(f.t.db, email, "wrong-password")).toBeNull();
        expect(compare, email).toHaveBeenCalledTimes(1);
      }
      expect(await verifyPassword(f.t.db, "lead@test.local", "test-password")).toMatchObject({
        email: "lead@test.local",
      });
    } finally {
      compare.mockRestore();
    }
  });
});
