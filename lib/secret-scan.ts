// What a log must never hold, and a scan for it: the shapes of Airlock's own secrets (API
// keys, webhook secrets, password hashes, session cookies and tokens, Slack tokens) and any
// literal secrets a caller knows (a test suite's passwords). `.ci/scan-logs.ts` runs it over a
// whole test run's output and the servers' logs.

export interface SecretShape {
  name: string;
  pattern: RegExp;
}

export const SECRET_SHAPES: readonly SecretShape[] = [
  { name: "API key", pattern: /alk_[A-Za-z0-9_-]{43}/ },
  { name: "webhook secret", pattern: /whsec_[A-Za-z0-9_-]{20,}/ },
  { name: "bcrypt password hash", pattern: /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/ },
  { name: "session cookie", pattern: /next-auth\.session-token=[^;\s"]{8,}/ },
  {
    name: "JSON web token",
    pattern: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/,
  },
  { name: "Slack token", pattern: /xox[abprs]-[A-Za-z0-9-]{8,}/ },
];

export interface SecretFinding {
  line: number;
  what: string;
  /** The line with the secret itself cut short, safe to print. */
  excerpt: string;
}

const cut = (s: string) => `${s.slice(0, 6)}…`;

/** Every line of `text` holding a secret of a known shape or one of `literals`. */
export function scanForSecrets(text: string, literals: readonly string[] = []): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    for (const shape of SECRET_SHAPES) {
      const match = shape.pattern.exec(line);
      if (match) {
        findings.push({ line: i + 1, what: shape.name, excerpt: shorten(line, match[0]) });
      }
    }
    for (const literal of literals) {
      if (literal.length > 0 && line.includes(literal)) {
        findings.push({ line: i + 1, what: "a known secret", excerpt: shorten(line, literal) });
      }
    }
  });
  return findings;
}

function shorten(line: string, secret: string): string {
  return line.replaceAll(secret, cut(secret)).slice(0, 240);
}
