import { describe, expect, it } from "vitest";
import { compilePatterns, PATTERN_MAX_LENGTH, patternProblem, patternsProblem } from "./pattern";

describe("patternProblem", () => {
  it.each([
    ["rm\\s+-rf", null],
    ["(^|[^\\w.-])git\\s([^;&|\\n]*\\s)?push\\b", null],
    ["(?-i:-D)", null],
    ["(a+)+$", null],
    ["", "a pattern must not be empty"],
    [
      "a".repeat(PATTERN_MAX_LENGTH + 1),
      `a pattern must be at most ${PATTERN_MAX_LENGTH} characters`,
    ],
    ["(rm", "not a valid RE2 pattern: error parsing regexp: missing closing ): `(rm`"],
    [
      "rm(?=x)",
      "not a valid RE2 pattern: error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
    ],
    ["(rm)\\1", "not a valid RE2 pattern: error parsing regexp: invalid escape sequence: `\\1`"],
    ["a{1001}", "not a valid RE2 pattern: error parsing regexp: invalid repeat count: `{1001}`"],
  ])("%j: %j", (pattern, problem) => {
    expect(patternProblem(pattern)).toBe(problem);
  });
});

describe("compilePatterns", () => {
  it("matches anywhere, case-insensitively, any of the patterns", () => {
    const matches = compilePatterns(["kubectl\\s+delete", "^rm\\b", "(?-i:-D)"]);
    expect(matches("echo; KUBECTL  Delete pod")).toBe(true);
    expect(matches("rm x")).toBe(true);
    expect(matches("x; rm y")).toBe(false);
    expect(matches("git branch -D x")).toBe(true);
    expect(matches("git branch -d x")).toBe(false);
  });

  it("keeps each pattern's alternatives and flags to itself", () => {
    const matches = compilePatterns(["a|b", "(?i)c", "(?-i:D)"]);
    expect(["a", "b", "C", "D"].map(matches)).toEqual([true, true, true, true]);
    expect(matches("d")).toBe(false);
  });

  it("refuses an invalid pattern", () => {
    expect(() => compilePatterns(["ok", "(bad"])).toThrow(
      'invalid pattern "(bad": not a valid RE2 pattern',
    );
  });

  it("is linear where a backtracking engine is exponential", () => {
    const matches = compilePatterns(["^(a+)+$"]);
    const text = `${"a".repeat(100_000)}!`;
    const start = performance.now();
    expect(matches(text)).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe("patterns together", () => {
  // Each is valid; 1,400 of them compile to more instructions than RE2 allows in a program.
  // (Slow under coverage instrumentation, hence the time limit.)
  const many = Array.from({ length: 1400 }, () => "(\\pL{100}){10}");

  it("are refused when they do not fit in one program", () => {
    expect(patternsProblem(["a", "b"])).toBeNull();
    expect(patternsProblem(many)).toBe(
      "the patterns together are too large: error parsing regexp: expression too large",
    );
  }, 60_000);
});
