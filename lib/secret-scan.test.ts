import { describe, expect, it } from "vitest";
import { scanForSecrets } from "./secret-scan";

describe("scanForSecrets", () => {
  const key = `alk_${"A1b2_-".repeat(7)}x`;
  it.each([
    ["API key", `{"msg":"request","authorization":"Bearer ${key}"}`],
    ["webhook secret", "secret whsec_0123456789abcdefghijABCDEFGHIJ in a line"],
    ["bcrypt password hash", `hash=$2b$12$${"a".repeat(53)}`],
    ["session cookie", "cookie: next-auth.session-token=abcdef0123456789; Path=/"],
    ["JSON web token", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"],
    ["Slack token", "Bearer xoxb-1234-5678-abcdefgh"],
  ])("finds a %s, and prints it cut short", (what, line) => {
    const findings = scanForSecrets(`first line\n${line}\nlast`);
    expect(findings).toEqual([{ line: 2, what, excerpt: expect.any(String) }]);
    expect(findings[0]?.excerpt).toContain("…");
    expect(findings[0]?.excerpt.length).toBeLessThan(line.length);
  });

  it("finds literal secrets it is given, and passes what only looks alike", () => {
    expect(scanForSecrets("password was hunter2-long", ["hunter2-long"])).toHaveLength(1);
    const benign = [
      "key prefix alk_AbCdEfGh shown in the key list",
      '{"authorization":"[redacted]","key":"[redacted]"}',
      "whsec_ is the prefix of webhook secrets",
      "xoxb- tokens are Slack's",
    ].join("\n");
    expect(scanForSecrets(benign, [""])).toEqual([]);
  });
});
