// Text patterns of the rules' `text:` tests, matched against text an agent wrote (a shell
// command, a SQL statement), so against text an attacker may have chosen.
//
// Patterns are RE2 syntax, compiled by re2js, a port of RE2. RE2 matches with automata (a
// DFA, else a Pike VM; on short texts a "bit-state" search that visits each pair of program
// instruction and text position at most once), never by unbounded backtracking, so the time
// to match grows linearly with the length of the text for every pattern, including ones such
// as `(a+)+$` that send a backtracking engine (JavaScript's RegExp) into exponential time.
// The price is that RE2 has no look-around and no back-references; a pattern that uses them
// is refused at load, like any other invalid one.
import { RE2JS, RE2JSException } from "re2js";

export const PATTERN_MAX_LENGTH = 1000;

/**
 * The longest text a `text:` test examines, in UTF-16 code units: 256 Ki, more than any API
 * body can carry (MAX_BODY_BYTES), so only a caller outside the API (a test, a script) meets
 * it. A longer text is not matched and the test holds: what cannot be read is not harmless.
 */
export const TEXT_MAX_LENGTH = 256 * 1024;

// Case-insensitive, as everywhere in the rules; `^` and `$` are the ends of the whole text. A
// pattern that needs case turns it back on for a part with `(?-i:...)`.
const FLAGS = RE2JS.CASE_INSENSITIVE;

/** Why `pattern` is not a valid RE2 pattern, or null when it is. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return "a pattern must not be empty";
  if (pattern.length > PATTERN_MAX_LENGTH) {
    return `a pattern must be at most ${PATTERN_MAX_LENGTH} characters`;
  }
  try {
    // Without the flags, which do not change what is valid, RE2's message quotes the pattern
    // as written rather than with the `(?i)` the flag adds in front.
    RE2JS.compile(pattern);
    return null;
  } catch (err) {
    if (err instanceof RE2JSException) return `not a valid RE2 pattern: ${err.message}`;
    throw err;
  }
}

/** A predicate over normalised text (see `matchableText`). */
export type TextMatcher = (text: string) => boolean;

/**
 * The patterns of one test as one alternation, `(?:p1)|(?:p2)`, so the text is read once
 * however many patterns a test has (each read of 256 KiB costs a millisecond or two); a flag
 * group such as `(?-i)` stays inside its own pattern's parentheses.
 */
function alternation(patterns: readonly string[]): RE2JS {
  return RE2JS.compile(patterns.map((p) => `(?:${p})`).join("|"), FLAGS);
}

/**
 * Why valid patterns cannot be matched together, or null when they can: RE2 bounds the size
 * of a compiled program, and patterns that each fit may not fit together.
 */
export function patternsProblem(patterns: readonly string[]): string | null {
  try {
    alternation(patterns);
    return null;
  } catch (err) {
    if (err instanceof RE2JSException) return `the patterns together are too large: ${err.message}`;
    throw err;
  }
}

/** Holds when any of the (valid) patterns matches anywhere in the text. */
export function compilePatterns(patterns: readonly string[]): TextMatcher {
  for (const p of patterns) {
    const problem = patternProblem(p);
    if (problem !== null) throw new Error(`invalid pattern ${JSON.stringify(p)}: ${problem}`);
  }
  const re = alternation(patterns);
  return (text) => re.test(text);
}
