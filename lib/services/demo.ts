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
  const saved = existsSync(keyFile) ? readFileSync(keyFile, "utf8").trim() : "";
  if (saved && (await findActiveKeyByHash(db, hashApiKey(saved)))) {
    return { users, agentKey: saved, keyCreated: false, keyFile };
  }
  // The developer owns the demo agent, so four-eyes keeps them from approving its requests.
  const created = await createApiKey(db, { agent: DEMO_AGENT, owner: DEMO_USERS[0].email });
  writeFileSync(keyFile, `${created.key}\n`, { mode: 0o600 });
  writeFileSync(path.join(dataDir, "demo-agent-webhook-secret"), `${created.webhook_secret}\n`, {
    mode: 0o600,
  });
  return { users, agentKey: created.key, keyCreated: true, keyFile };
}
