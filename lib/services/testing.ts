// A fresh database with a reviewer for every role and two agent keys: what the service,
// CLI and API suites start from.
import { createTestDb, type TestDb } from "@/db/testing";
import { createApiKey } from "./keys";
import type { AgentCaller } from "./lifecycle";
import { addUser } from "./users";

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
  alpha: AgentCaller & { key: string };
  beta: AgentCaller & { key: string };
}

export async function createFixture(options: { max?: number } = {}): Promise<Fixture> {
  const t = await createTestDb({ max: options.max });
  const users = {} as Fixture["users"];
  for (const [name, p] of Object.entries(PEOPLE) as [Person, (typeof PEOPLE)[Person]][]) {
    users[name] = await addUser(t.db, { ...p, password: "test-password" });
  }
  const a = await createApiKey(t.db, { agent: "alpha", owner: PEOPLE.owner.email });
  const b = await createApiKey(t.db, { agent: "beta" });
  return {
    t,
    users,
    alpha: { keyId: a.id, agent: "alpha", ownerId: users.owner.id, key: a.key },
    beta: { keyId: b.id, agent: "beta", ownerId: null, key: b.key },
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
