// Nothing secret reaches the browser: the client bundle the build ships holds no server
// configuration, no database code and no column that stores a secret.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";

const STATIC = path.join(__dirname, "..", "..", ".next", "static");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith(".js") ? [full] : [];
  });
}

// Each names something only the server may hold: its secrets, its database and what stores a
// secret there. (A new key's webhook secret is shown to its creator once, so that field's name
// may appear; its value's server-side prefix may not.)
const FORBIDDEN = [
  "NEXTAUTH_SECRET",
  "DATABASE_URL",
  "OIDC_CLIENT_SECRET",
  "e2e-secret-not-for-production",
  "password_hash",
  "key_hash",
  "whsec_",
  "server_secrets",
  "pg_advisory",
  "@electric-sql/pglite",
  "drizzle-orm",
];

test("the client bundle holds no server secret, database code or secret column", () => {
  const bundle = files(STATIC);
  expect(bundle.length).toBeGreaterThan(5);
  const found: string[] = [];
  for (const file of bundle) {
    const text = readFileSync(file, "utf8");
    for (const needle of FORBIDDEN) {
      if (text.includes(needle)) found.push(`${path.relative(STATIC, file)}: ${needle}`);
    }
  }
  expect(found).toEqual([]);
});
