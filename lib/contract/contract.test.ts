import { describe, expect, it } from "vitest";
import { globProblem } from "@/lib/hitl";
import { identifierProblem } from "./json";

describe("the characters of an action identifier", () => {
  it("are those of a type pattern, less its wildcards", () => {
    for (let c = 0x20; c <= 0x7e; c++) {
      const ch = String.fromCharCode(c);
      const inPatterns = globProblem(ch) === null && ch !== "*" && ch !== "?";
      expect(identifierProblem(ch) === null, JSON.stringify(ch)).toBe(inPatterns);
    }
  });
});
