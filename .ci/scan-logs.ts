// The logs of a whole test run hold no key, secret or password: run by .ci/test over the run's
// own output, the log file of the unit and database suites (LOG_FILE, where their in-process
// servers log every request) and the logs of the servers the end-to-end suites started. Exit 1,
// naming each line, when one does; also when there is next to nothing to scan (a broken
// capture would pass by saying nothing).
import { readFileSync } from "node:fs";
import { scanForSecrets } from "../lib/secret-scan";

// The fixed passwords and secrets the suites sign in and sign with; their generated keys and
// webhook secrets are found by shape.
const KNOWN = [
  "airlock-demo",
  "test-password",
  "durable-test-password",
  "right-password",
  "correct horse",
  "e2e-secret-not-for-production-0123456789",
  "durable-secret-not-for-production-0123456789",
  "e2e-oidc-secret-not-for-production",
  "slack-signing-secret-for-tests",
  "e2e-slack-signing-secret-0123",
  "whsec_test-secret",
];

let lines = 0;
let requests = 0;
let found = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const all = text.split("\n");
  lines += all.length;
  requests += all.filter((l) => l.includes('"msg":"request"')).length;
  for (const f of scanForSecrets(text, KNOWN)) {
    found++;
    console.log(`${file}:${f.line}: ${f.what}: ${f.excerpt}`);
  }
}
if (found > 0) {
  console.log(`\n${found} line(s) of the logs hold a secret.`);
  process.exit(1);
}
if (requests < 100) {
  console.log(`Only ${requests} request log lines in ${lines} lines: the logs were not captured.`);
  process.exit(1);
}
console.log(`${lines} lines of logs (${requests} request lines): no key, secret or password.`);
