import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGlob, GLOB_MAX_LENGTH, globProblem } from "./glob";

describe("globProblem", () => {
  it.each([
    "*PAYMENT*",
    "DOCUMENT.GENERATE_*",
    "ANALYSIS.*",
    "deploy",
    "*",
    "**",
    "a?c",
    "ns:resource/path-1",
    "X".repeat(GLOB_MAX_LENGTH),
  ])("accepts %s", (pattern) => {
    expect(globProblem(pattern)).toBeNull();
  });

  it.each([
    ["", "must not be empty"],
    ["X".repeat(GLOB_MAX_LENGTH + 1), "at most 200 characters"],
    ["[abc]", 'unsupported character "[" at position 1 (character classes are not supported)'],
    ["*PAY[MENT", 'unsupported character "[" at position 5'],
    ["PAY]", 'unsupported character "]" at position 4 (character classes'],
    ["*PAY MENT*", 'unsupported character " " at position 5'],
    ["{a,b}", 'unsupported character "{"'],
    ["a\\*", 'unsupported character "\\\\"'],
    ["é*", 'unsupported character "é"'],
    ["^deploy$", 'unsupported character "^"'],
  ])("refuses %j: %s", (pattern, problem) => {
    expect(globProblem(pattern)).toContain(problem);
  });

  it("refuses to compile an invalid pattern", () => {
    expect(() => compileGlob("[x")).toThrow(/invalid pattern "\[x"/);
  });
});

describe("compileGlob (callers pass lowercased text)", () => {
  it.each([
    ["*PAYMENT*", "finance.payment_create", true],
    ["*PAYMENT*", "payment", true],
    ["*PAYMENT*", "finance.paymen", false],
    ["DOCUMENT.GENERATE_*", "document.generate_nda", true],
    ["DOCUMENT.GENERATE_*", "document.generate_", true],
    ["DOCUMENT.GENERATE_*", "xdocument.generate_nda", false],
    ["DOCUMENT.GENERATE_*", "documentxgenerate_nda", false],
    ["*.SEND", "email.send", true],
    ["*.SEND", "email.send.now", false],
    ["COMMUNICATION.SEND_EMAIL", "communication.send_email", true],
    ["COMMUNICATION.SEND_EMAIL", "communication.send_emails", false],
    ["*", "", true],
    ["*", "anything", true],
    ["**", "anything", true],
    ["a*z", "az", true],
    ["a*z", "abcz", true],
    ["a*z", "abc", false],
    ["a*z", "za", false],
    ["ab*ba", "aba", false],
    ["ab*ba", "abba", true],
    ["*SEND*MAIL*", "fetch_and_send_email", true],
    ["*SEND*MAIL*", "mail_send", false],
    ["a*b*c", "a_b_c", true],
    ["a*b*c", "a_c_b", false],
    ["a*b*c", "abcbc", true],
    ["*a*b", "ba", false],
    ["*a*b", "ab", true],
    ["a**b", "ab", true],
    ["doc.?", "doc.x", true],
    ["doc.?", "doc.", false],
    ["doc.?", "docxy", false],
    ["?*", "", false],
    ["?*", "x", true],
  ])("%s on %j is %s", (pattern, text, expected) => {
    expect(compileGlob(pattern)(text)).toBe(expected);
  });

  // A reference implementation: the obvious anchored regular expression.
  const reference = (pattern: string, text: string) => {
    const source = pattern
      .toLowerCase()
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.\-/]/, "\\$&")))
      .join("");
    return new RegExp(`^${source}$`, "s").test(text);
  };

  it("agrees with a regular expression on any pattern and text", () => {
    const alphabet = fc.constantFrom("a", "b", ".", "_", "*", "?");
    const textAlphabet = fc.constantFrom("a", "b", ".", "_");
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, minLength: 1, maxLength: 8 }),
        fc.string({ unit: textAlphabet, maxLength: 10 }),
        (pattern, text) => compileGlob(pattern)(text) === reference(pattern, text),
      ),
      { numRuns: 3000 },
    );
  });
});
