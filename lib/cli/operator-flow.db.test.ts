import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle, execRows } from "@/db/client";
import { createApiKey } from "@/lib/services/accounts/keys";
import { addUser } from "@/lib/services/accounts/users";
import type { AgentPrincipal } from "@/lib/services/principal";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { runCli } from "@/test-support/cli";
import { createTestDb, type TestDb } from "@/test-support/db";
import { ACTIONS, TEST_OPERATOR, taskBody } from "@/test-support/services";

const root = path.join(import.meta.dirname, "..", "..");

// The seeds' operator flow, end to end through the CLI as a subprocess: list pending,
// approve, reject with a reason, a workflow's status, clean expired, verify the audit.
// On PGlite the CLI and this test take turns on the embedded database (one process at a
// time), so the test closes its handle before each CLI call.
describe("operator flow through the CLI", () => {
  let t: TestDb | undefined;
  let dataDir = "";
  let cliEnv: Record<string, string>;
  const ids: Record<string, string> = {};

  async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
    if (t) return fn(t);
    const h = await createDb({ dataDir, migrationsDir: path.join(root, "drizzle") });
    try {
      return await fn(h);
    } finally {
      await h.close();
    }
  }

  const hitl = (...args: string[]) => runCli(cliEnv, ...args);

  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      t = await createTestDb();
      cliEnv = { DATABASE_URL: t.url ?? "" };
    } else {
      dataDir = mkdtempSync(path.join(os.tmpdir(), "airlock-ops-"));
      cliEnv = { DATABASE_URL: "", AIRLOCK_DATA_DIR: dataDir };
      await withDb((h) => h.migrate());
    }
    await withDb(async ({ db }) => {
      await addUser(db, TEST_OPERATOR, { email: "lead@ops.test", role: "tech_lead" });
      await addUser(db, TEST_OPERATOR, { email: "owner@ops.test", role: "tech_lead" });
      const key = await createApiKey(db, TEST_OPERATOR, {
        agent: "deployer",
        owner: "owner@ops.test",
      });
      const [owner] = await execRows<{ id: string }>(
        db,
        sql`SELECT id FROM users WHERE email = 'owner@ops.test'`,
      );
      const caller: AgentPrincipal = {
        kind: "agent",
        keyId: key.id,
        agent: "deployer",
        ownerId: owner?.id ?? null,
      };
      const body = (a: Record<string, unknown>) =>
        taskBody(a, { workflow_id: "deploy-auth-2026-11" });
      ids.toApprove = (await submitTask(db, caller, body(ACTIONS.high))).task.approval_request_id;
      ids.toReject = (await submitTask(db, caller, body(ACTIONS.medium))).task.approval_request_id;
      ids.toExpire = (
        await submitTask(db, caller, body({ ...ACTIONS.medium, description: "Will expire" }))
      ).task.approval_request_id;
      await execRows(
        db,
        sql`UPDATE approval_requests SET expires_at = now() - interval '1 minute' WHERE id = ${ids.toExpire}`,
      );
    });
  });
  afterAll(async () => {
    await t?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("lists pending requests, highest risk first", async () => {
    const human = await hitl("list-pending");
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/ID\s+RISK\s+STATUS\s+ACTION/);
    const items = JSON.parse((await hitl("list-pending", "--json")).stdout) as {
      id: string;
      risk: { level: string };
    }[];
    expect(new Set(items.map((i) => i.id))).toEqual(
      new Set([ids.toApprove, ids.toReject, ids.toExpire]),
    );
    expect(items[0]?.id).toBe(ids.toApprove);
    expect(items[0]?.risk.level).toBe("high");
  });

  it("refuses a decision outside the rules with a one-line reason", async () => {
    const own = await hitl("approve", ids.toApprove as string, "--as", "owner@ops.test");
    expect(own.code).toBe(1);
    expect(own.stderr.trim().split("\n")).toHaveLength(1);
    expect(own.stderr).toMatch(/submitted|own/i);
    const noReason = await hitl("reject", ids.toReject as string, "--as", "lead@ops.test");
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason is required/);
    const nobody = await hitl("approve", ids.toApprove as string, "--as", "ghost@ops.test");
    expect(nobody.stderr).toMatch(/no user with email ghost@ops.test/);
  });

  it("approves, rejects with a reason, and shows the workflow's status", async () => {
    const approved = await hitl(
      "approve",
      ids.toApprove as string,
      "--as",
      "lead@ops.test",
      "--json",
    );
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ status: "approved" });
    const rejected = await hitl(
      "reject",
      ids.toReject as string,
      "--as",
      "lead@ops.test",
      "--reason",
      "Security concerns",
    );
    expect(rejected.stdout).toMatch(/is now rejected/);
    const again = await hitl("approve", ids.toReject as string, "--as", "lead@ops.test");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already rejected/);
    const status = JSON.parse((await hitl("status", "deploy-auth-2026-11", "--json")).stdout);
    expect(status.counts).toMatchObject({ total: 3, approved: 1, rejected: 1 });
    expect(status.events.map((e: { type: string }) => e.type)).toContain("hitl.rejected");
    // Who decided, by email, and that they did it from the CLI as this OS user.
    const osUser = os.userInfo().username;
    const fromCli = { channel: "cli", os_user: osUser };
    expect(status.requests.find((r: { id: string }) => r.id === ids.toReject)).toMatchObject({
      decider: { email: "lead@ops.test" },
      decided_via: fromCli,
    });
    expect(status.requests.find((r: { id: string }) => r.id === ids.toApprove)).toMatchObject({
      approvals_given: [{ approver: { email: "lead@ops.test" }, via: fromCli }],
      decider: { email: "lead@ops.test" },
      decided_via: fromCli,
    });
    const human = await hitl("status", "deploy-auth-2026-11");
    expect(human.stdout).toMatch(/Workflow deploy-auth-2026-11: total 3/);
    expect(human.stdout).toContain(`lead@ops.test via the CLI (OS user ${osUser})`);
  });

  it("cleans expired requests, then verifies the audit chain", async () => {
    const cleaned = JSON.parse((await hitl("clean-expired", "--json")).stdout);
    expect(cleaned.expired).toBe(1);
    const status = JSON.parse((await hitl("status", "deploy-auth-2026-11", "--json")).stdout);
    expect(status.counts.expired).toBe(1);
    const verify = await hitl("audit", "verify");
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/Audit chain intact: \d+ event\(s\) verified/);
  });
});
