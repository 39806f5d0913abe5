import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration";

const MAX = 3650 * 86_400;

describe("parseDuration", () => {
  it.each([
    ["90m", 5_400],
    ["12h", 43_200],
    ["30d", 2_592_000],
    [" 1d ", 86_400],
    ["3650d", MAX],
  ])("reads %j as %i seconds", (text, seconds) => {
    expect(parseDuration(text, "--expires-in", MAX)).toEqual({ ok: true, seconds });
  });

  it.each([
    ["", /expected a whole number and a unit/],
    ["30", /expected a whole number and a unit/],
    ["30s", /expected a whole number and a unit/],
    ["1.5h", /expected a whole number and a unit/],
    ["-1d", /expected a whole number and a unit/],
    ["1d12h", /expected a whole number and a unit/],
    ["0m", /longer than 0/],
    ["3651d", /at most 3650d/],
  ])("refuses %j, naming the flag", (text, problem) => {
    const parsed = parseDuration(text, "--expires-in", MAX);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problem).toMatch(/^--expires-in: /);
      expect(parsed.problem).toMatch(problem);
    }
  });
});
