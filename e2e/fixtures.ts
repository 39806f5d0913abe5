// What the e2e specs share: the demo's people and keys (seeded by `npm run demo` into the
// E2E data directory), signed-in browser states per person, and API calls an agent makes.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, Browser, Page } from "@playwright/test";

export const DATA_DIR = process.env.E2E_DATA_DIR as string;
export const PASSWORD = "airlock-demo";

/** The demo's people, by what the journeys call them. */
export const PEOPLE = {
  dev: { email: "dev@airlock.local", role: "developer" },
  lead: { email: "lead@airlock.local", role: "tech_lead" },
  ops: { email: "ops@airlock.local", role: "devops_engineer" },
  ops2: { email: "ops2@airlock.local", role: "devops_engineer" },
  viewer: { email: "viewer@airlock.local", role: "viewer" },
} as const;
export type Person = keyof typeof PEOPLE;

/** Where each person's signed-in browser state is saved (by e2e/auth.setup.ts). */
export const stateOf = (person: Person) => path.join(DATA_DIR, `state-${person}.json`);

/** A page of a browser of its own, signed in as `person`, `width` px wide (390: a phone). */
export async function as(browser: Browser, person: Person, width = 1280): Promise<Page> {
  const context = await browser.newContext({
    storageState: stateOf(person),
    viewport: { width, height: width < 500 ? 844 : 900 },
  });
  return context.newPage();
}

const read = (file: string) => readFileSync(path.join(DATA_DIR, file), "utf8").trim();
export const agentKey = () => read("demo-agent-key");

export const ACTIONS = {
  low: {
    type: "FILE.READ",
    operation: "read",
    environment: "development",
    description: "Read the build log",
  },
  high: {
    type: "deploy",
    operation: "deploy",
    environment: "production",
    description: "Deploy the auth service",
    inputs: { service: "auth", version: "1.4.2" },
  },
  critical: {
    type: "COMMUNICATION.SEND_EMAIL",
    description: "Email the customer about the outage",
    inputs: { to: "ceo@customer.example", subject: "Outage report" },
  },
} as const;

let counter = 0;

/** Submit a task as the demo agent; returns the API's answer. */
export async function submit(
  request: APIRequestContext,
  action: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  counter += 1;
  const response = await request.post("/api/tasks", {
    headers: { Authorization: `Bearer ${agentKey()}` },
    data: {
      workflow_id: `wf-e2e-${Date.now()}-${counter}`,
      agent_name: "release-bot",
      action,
      ...extra,
    },
  });
  if (response.status() !== 201)
    throw new Error(`submit: ${response.status()} ${await response.text()}`);
  return (await response.json()) as {
    task_id: string;
    approval_request_id: string;
    status: string;
    expires_at: string | null;
  };
}

/** The task's status, as its agent reads it. */
export async function statusOf(request: APIRequestContext, taskId: string): Promise<string> {
  const r = await request.get(`/api/tasks/${taskId}`, {
    headers: { Authorization: `Bearer ${agentKey()}` },
  });
  return ((await r.json()) as { status: string }).status;
}
