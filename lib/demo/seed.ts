// Demo data for trying Airlock locally: a user for every role, an agent key and a reviewer
// key for every reviewing user.
// Only the demo command calls this, and it refuses in production.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Database } from "@/db/client";
import { findActiveKeyByHash } from "@/db/queries/keys";
import { findUserByEmail } from "@/db/queries/users";
import { createApiKey, hashApiKey } from "@/lib/services/accounts/keys";
import { addUser } from "@/lib/services/accounts/users";
import { operator } from "@/lib/services/principal";

/** The demo seeds as the operator would, and the audit says so. */
const DEMO_OPERATOR = operator("demo-seed");

export const DEMO_PASSWORD = "airlock-demo";
export const DEMO_AGENT = "demo-agent";
export const DEMO_REVIEWER = "lead@airlock.local";

export const DEMO_USERS = [
  { email: "dev@airlock.local", role: "developer", name: "Dana Developer" },
  { email: "lead@airlock.local", role: "tech_lead", name: "Lee Lead" },
  { email: "ops@airlock.local", role: "devops_engineer", name: "Oli Ops" },
  { email: "ops2@airlock.local", role: "devops_engineer", name: "Ora Ops" },
  { email: "viewer@airlock.local", role: "viewer", name: "Vic Viewer" },
] as const;

/** The demo users who review: each gets a reviewer key, for deciding over the API. */
export const DEMO_REVIEWERS = DEMO_USERS.filter((u) => u.role !== "viewer");

export interface DemoReviewerKey {
  email: string;
  role: string;
  key: string;
  created: boolean;
  /** `demo-reviewer-key-<local part of the email>` in the data directory. */
  file: string;
}

export interface DemoSeed {
  users: { email: string; role: string; created: boolean }[];
  agentKey: string;
  keyCreated: boolean;
  keyFile: string;
  /** One reviewer key per reviewing user, so a critical request can get its two approvals. */
  reviewerKeys: DemoReviewerKey[];
  /** The tech lead's reviewer key, also saved as `demo-reviewer-key` (the README uses it). */
  reviewerKey: string;
  reviewerKeyFile: string;
}

/**
 * The key saved by an earlier run in the first of `files` that holds a working one (and is
 * accepted by `valid`), else a new one; either way it is saved in every file.
 */
async function savedOrNewKey(
  db: Database,
  files: string[],
  create: () => Promise<{ key: string; webhook_secret?: string }>,
  valid: (row: { scope: string; userId: string | null }) => boolean,
): Promise<{ key: string; created: boolean; webhookSecret?: string }> {
  const save = (key: string) => {
    for (const file of files) writeFileSync(file, `${key}\n`, { mode: 0o600 });
  };
  for (const file of files) {
    const saved = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    const row = saved ? await findActiveKeyByHash(db, hashApiKey(saved)) : undefined;
    if (row && valid(row)) {
      save(saved);
      return { key: saved, created: false };
    }
  }
  const created = await create();
  save(created.key);
  return { key: created.key, created: true, webhookSecret: created.webhook_secret };
}

export function demoReviewerKeyFile(dataDir: string, email: string): string {
  return path.join(dataDir, `demo-reviewer-key-${email.slice(0, email.indexOf("@"))}`);
}

export async function seedDemo(db: Database, dataDir: string): Promise<DemoSeed> {
  if (process.env.NODE_ENV === "production") {
    throw new Error("Refusing to seed demo users and keys with NODE_ENV=production");
  }
  const users: DemoSeed["users"] = [];
  const userIds = new Map<string, string>();
  for (const u of DEMO_USERS) {
    const exists = await findUserByEmail(db, u.email);
    const id = exists
      ? exists.id
      : (await addUser(db, DEMO_OPERATOR, { ...u, password: DEMO_PASSWORD })).id;
    userIds.set(u.email, id);
    users.push({ email: u.email, role: u.role, created: !exists });
  }

  mkdirSync(dataDir, { recursive: true });
  const keyFile = path.join(dataDir, "demo-agent-key");
  // The developer owns the demo agent, so four-eyes keeps them from approving its requests.
  const agent = await savedOrNewKey(
    db,
    [keyFile],
    () => createApiKey(db, DEMO_OPERATOR, { agent: DEMO_AGENT, owner: DEMO_USERS[0].email }),
    (row) => row.scope === "agent",
  );
  if (agent.webhookSecret) {
    writeFileSync(path.join(dataDir, "demo-agent-webhook-secret"), `${agent.webhookSecret}\n`, {
      mode: 0o600,
    });
  }
  const reviewerKeyFile = path.join(dataDir, "demo-reviewer-key");
  const reviewerKeys: DemoReviewerKey[] = [];
  for (const u of DEMO_REVIEWERS) {
    const file = demoReviewerKeyFile(dataDir, u.email);
    const files = u.email === DEMO_REVIEWER ? [file, reviewerKeyFile] : [file];
    const saved = await savedOrNewKey(
      db,
      files,
      () => createApiKey(db, DEMO_OPERATOR, { user: u.email }),
      // A key file must act as its own user, whatever was left in it.
      (row) => row.scope === "reviewer" && row.userId === userIds.get(u.email),
    );
    reviewerKeys.push({
      email: u.email,
      role: u.role,
      key: saved.key,
      created: saved.created,
      file,
    });
  }
  const lead = reviewerKeys.find((k) => k.email === DEMO_REVIEWER) as DemoReviewerKey;
  return {
    users,
    agentKey: agent.key,
    keyCreated: agent.created,
    keyFile,
    reviewerKeys,
    reviewerKey: lead.key,
    reviewerKeyFile,
  };
}
