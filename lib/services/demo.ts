// Demo data for trying Airlock locally: a user for every role and one agent key.
// Only the demo command calls this, and it refuses in production.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Database } from "@/db/client";
import { findActiveKeyByHash } from "@/db/queries/keys";
import { findUserByEmail } from "@/db/queries/users";
import { createApiKey, hashApiKey } from "./keys";
import { addUser } from "./users";

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

export interface DemoSeed {
  users: { email: string; role: string; created: boolean }[];
  agentKey: string;
  keyCreated: boolean;
  keyFile: string;
  /** A reviewer key acting as the tech lead, for trying decisions over the API. */
  reviewerKey: string;
  reviewerKeyFile: string;
}

/** A key saved in `file` by an earlier run if it still works, else a new one saved there. */
async function savedOrNewKey(
  db: Database,
  file: string,
  create: () => Promise<{ key: string; webhook_secret?: string }>,
): Promise<{ key: string; created: boolean; webhookSecret?: string }> {
  const saved = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (saved && (await findActiveKeyByHash(db, hashApiKey(saved)))) {
    return { key: saved, created: false };
  }
  const created = await create();
  writeFileSync(file, `${created.key}\n`, { mode: 0o600 });
  return { key: created.key, created: true, webhookSecret: created.webhook_secret };
}

export async function seedDemo(db: Database, dataDir: string): Promise<DemoSeed> {
  if (process.env.NODE_ENV === "production") {
    throw new Error("Refusing to seed demo users and keys with NODE_ENV=production");
  }
  const users: DemoSeed["users"] = [];
  for (const u of DEMO_USERS) {
    const exists = await findUserByEmail(db, u.email);
    if (!exists) await addUser(db, { ...u, password: DEMO_PASSWORD });
    users.push({ email: u.email, role: u.role, created: !exists });
  }

  mkdirSync(dataDir, { recursive: true });
  const keyFile = path.join(dataDir, "demo-agent-key");
  // The developer owns the demo agent, so four-eyes keeps them from approving its requests.
  const agent = await savedOrNewKey(db, keyFile, () =>
    createApiKey(db, { agent: DEMO_AGENT, owner: DEMO_USERS[0].email }),
  );
  if (agent.webhookSecret) {
    writeFileSync(path.join(dataDir, "demo-agent-webhook-secret"), `${agent.webhookSecret}\n`, {
      mode: 0o600,
    });
  }
  const reviewerKeyFile = path.join(dataDir, "demo-reviewer-key");
  const reviewer = await savedOrNewKey(db, reviewerKeyFile, () =>
    createApiKey(db, { user: DEMO_REVIEWER }),
  );
  return {
    users,
    agentKey: agent.key,
    keyCreated: agent.created,
    keyFile,
    reviewerKey: reviewer.key,
    reviewerKeyFile,
  };
}
