// A fresh database with a reviewer for every role and two agent keys: what the service,
// CLI and API suites start from.
import { sql } from "drizzle-orm";
import { type Database, type Executor, execRows } from "@/db/client";
import { hasUnsealed } from "@/db/queries/audit";
import { findRequestRow, listApprovals, type RequestRow, toDomain } from "@/db/queries/requests";
import type { ApprovalRequest } from "@/lib/hitl";
import { sealAuditLog } from "@/lib/jobs/sealer";
import { closeWorkflows, type Workflows, workflowsFor } from "@/lib/jobs/workflow";
import { createApiKey } from "@/lib/services/accounts/keys";
import { addUser } from "@/lib/services/accounts/users";
import { ServiceError } from "@/lib/services/errors";
import { type AgentPrincipal, operator, type UserPrincipal } from "@/lib/services/principal";
import { createTestDb, type TestDb } from "./db";

/** The operator, as the suites act when setting up (the CLI's principal). */
export const TEST_OPERATOR = operator("test-setup");

export const PEOPLE = {
  dev: { email: "dev@test.local", role: "developer" },
  lead: { email: "lead@test.local", role: "tech_lead" },
  lead2: { email: "lead2@test.local", role: "tech_lead" },
  ops: { email: "ops@test.local", role: "devops_engineer" },
  ops2: { email: "ops2@test.local", role: "devops_engineer" },
  ops3: { email: "ops3@test.local", role: "devops_engineer" },
  viewer: { email: "viewer@test.local", role: "viewer" },
  // Owns agent "alpha": four-eyes keeps them from approving its requests.
  owner: { email: "owner@test.local", role: "devops_engineer" },
} as const;
export type Person = keyof typeof PEOPLE;

export interface Fixture {
  t: TestDb;
  users: Record<Person, { id: string; email: string; role: string }>;
  /** Each person as a principal (signed in, or through a reviewer key). */
  as: Record<Person, UserPrincipal>;
  alpha: AgentPrincipal & { key: string };
  beta: AgentPrincipal & { key: string };
  /**
   * The task graphs on this database, opened at the first call (by it, or by a route handler
   * after setDbForTesting); `t.destroy()` closes them.
   */
  workflows(): Promise<Workflows>;
}

export async function createFixture(options: { max?: number } = {}): Promise<Fixture> {
  const db = await createTestDb({ max: options.max });
  const t: TestDb = {
    ...db,
    async destroy() {
      await closeWorkflows(db.db);
      await db.destroy();
    },
  };
  const users = {} as Fixture["users"];
  const as = {} as Fixture["as"];
  for (const [name, p] of Object.entries(PEOPLE) as [Person, (typeof PEOPLE)[Person]][]) {
    users[name] = await addUser(t.db, TEST_OPERATOR, { ...p, password: "test-password" });
    as[name] = { kind: "user", userId: users[name].id };
  }
  const a = await createApiKey(t.db, TEST_OPERATOR, { agent: "alpha", owner: PEOPLE.owner.email });
  // The viewer owns beta: every agent key has an owner, and a viewer approves nothing anyway.
  const b = await createApiKey(t.db, TEST_OPERATOR, { agent: "beta", owner: PEOPLE.viewer.email });
  return {
    t,
    users,
    as,
    alpha: { kind: "agent", keyId: a.id, agent: "alpha", ownerId: users.owner.id, key: a.key },
    beta: { kind: "agent", keyId: b.id, agent: "beta", ownerId: users.viewer.id, key: b.key },
    workflows: () => workflowsFor(db),
  };
}

/** A task body; `action` overrides merge into a production deploy (high risk). */
export function taskBody(
  action: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    workflow_id: "wf-test",
    agent_name: "feature-dev",
    action: {
      type: "deploy",
      operation: "deploy",
      environment: "production",
      description: "Deploy the auth service",
      ...action,
    },
    ...extra,
  };
}

export const ACTIONS = {
  low: {
    type: "FILE.READ",
    operation: "read",
    environment: "development",
    description: "Read a config file",
  },
  medium: {
    type: "deploy",
    operation: "deploy",
    environment: "staging",
    description: "Deploy to staging",
  },
  high: {
    type: "deploy",
    operation: "deploy",
    environment: "production",
    description: "Deploy to production",
  },
  critical: {
    type: "COMMUNICATION.SEND_EMAIL",
    description: "Email a customer",
    inputs: { to: "ceo@customer.example" },
  },
} as const;

/** The request as the core sees it (row and approvals), for suites that look inside. */
export async function loadRequest(db: Executor, id: string): Promise<ApprovalRequest> {
  const row = await findRequestRow(db, id);
  if (!row) throw new Error(`no request ${id}`);
  return toDomain(row, await listApprovals(db, id));
}

/** The request row itself. */
export async function loadRequestRow(db: Executor, id: string): Promise<RequestRow> {
  const row = await findRequestRow(db, id);
  if (!row) throw new Error(`no request ${id}`);
  return row;
}

const TABLES = [
  "users",
  "api_keys",
  "tasks",
  "approval_requests",
  "approvals",
  "audit_events",
  "audit_head",
  "execution_checkpoints",
  "outbox",
  "standing_approvals",
  "slack_messages",
  "user_identities",
];

// Columns that record use, not a change: a key's last use is written after the request that
// used it, in the background, and may land at any moment of a test.
const BOOKKEEPING: Record<string, string> = { api_keys: "last_used_at" };

/** A digest of every row of every table: equal before and after means nothing was written. */
export async function databaseDigest(db: Executor): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const skip = BOOKKEEPING[table];
    const rowText = skip ? `(to_jsonb(t) - '${skip}')::text` : "t::text";
    const [row] = await execRows<{ d: string }>(
      db,
      sql.raw(
        `SELECT md5(coalesce(string_agg(${rowText}, ',' ORDER BY ${rowText}), '')) AS d FROM ${table} t`,
      ),
    );
    out[table] = row?.d ?? "";
  }
  return out;
}

/** The ServiceError a call is refused with; fails the test if the call succeeds. */
export async function refusalOf(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => new Error("expected a refusal, but the call succeeded"),
    (e: unknown) => e,
  );
  if (!(error instanceof ServiceError)) throw error;
  return error;
}

/**
 * Seal every event written so far; returns how many this sealed. The sealer waits for every
 * transaction older than an event to finish — on a shared server, those of the other suites'
 * databases too — so this retries until nothing is left, for at most `timeoutMs`.
 */
export async function sealEverything(db: Database, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let sealed = 0;
  for (;;) {
    sealed += (await sealAuditLog(db)).sealed;
    if (!(await hasUnsealed(db))) return sealed;
    if (Date.now() > deadline) throw new Error(`events still unsealed after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
