// Type patterns such as `*PAYMENT*` or `DOCUMENT.GENERATE_*`, matched case-insensitively.
//
// A valid pattern is 1 to 200 characters of letters, digits, `_ . - : /` and the wildcards
// `*` (any run of characters, dots included) and `?` (exactly one character). Nothing else
// is accepted (no character classes, braces or escapes), so a typo in the YAML is an error
// at start-up rather than a rule that silently never matches.

export const GLOB_MAX_LENGTH = 200;
const GLOB_CHAR = /^[A-Za-z0-9_.:/*?-]$/;

/** Why `pattern` is not a valid glob, or null when it is. */
export function globProblem(pattern: string): string | null {
  if (pattern.length === 0) return "a pattern must not be empty";
  if (pattern.length > GLOB_MAX_LENGTH) {
    return `a pattern must be at most ${GLOB_MAX_LENGTH} characters`;
  }
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (!GLOB_CHAR.test(ch)) {
      const hint = ch === "[" || ch === "]" ? " (character classes are not supported)" : "";
      return (
        `unsupported character ${JSON.stringify(ch)} at position ${i + 1}${hint}; ` +
        "use letters, digits, _ . - : / and the wildcards * and ?"
      );
    }
  }
  return null;
}

/** A predicate over text that the caller has already lowercased. */
export type LowerMatcher = (lowerText: string) => boolean;

/**
 * Compile a valid pattern once. Patterns with only `*` wildcards become plain string searches,
 * several times cheaper than a regular expression on the assessment hot path.
 */
export function compileGlob(pattern: string): LowerMatcher {
  const problem = globProblem(pattern);
  if (problem !== null) throw new Error(`invalid pattern ${JSON.stringify(pattern)}: ${problem}`);
  const p = pattern.toLowerCase();
  if (p.includes("?")) return regexMatcher(p);
  const parts = p.split("*");
  if (parts.length === 1) return (t) => t === p;
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((m) => m !== "");
  if (middle.length === 0) {
    if (head === "" && tail === "") return () => true;
    if (head === "") return (t) => t.endsWith(tail);
    if (tail === "") return (t) => t.startsWith(head);
    return (t) => t.length >= head.length + tail.length && t.startsWith(head) && t.endsWith(tail);
  }
  if (middle.length === 1 && head === "" && tail === "") {
    const only = middle[0] as string;
    return (t) => t.includes(only);
  }
  // Leftmost match of each middle part is enough: taking any later one never helps the rest fit.
  return (t) => {
    if (!t.startsWith(head)) return false;
    let pos = head.length;
    for (const m of middle) {
      const at = t.indexOf(m, pos);
      if (at < 0) return false;
      pos = at + m.length;
    }
    return t.length - tail.length >= pos && t.endsWith(tail);
  };
}

function regexMatcher(p: string): LowerMatcher {
  let source = "^";
  for (const ch of p) {
    if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else source += ch === "." ? "\\." : ch;
  }
  const re = new RegExp(`${source}$`, "s");
  return (t) => re.test(t);
}
