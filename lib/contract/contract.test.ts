import { describe, expect, it } from "vitest";
import { DECISIONS, GRANT_LIMITS, globProblem, REQUEST_STATUSES, RISK_LEVELS } from "@/lib/hitl";
import { GRANT_MAX_MINUTES, GRANT_MAX_USES } from "./grants";
import { identifierProblem } from "./json";
import { DECISION_VALUES, REQUEST_STATUS_VALUES, RISK_LEVEL_VALUES } from "./tasks";

// lib/contract stays free of the domain core (agents' SDK imports it alone), so the few
// vocabularies it repeats are held equal here.
describe("the contract's copies of the domain vocabulary", () => {
  it("match the domain core", () => {
    expect(REQUEST_STATUS_VALUES).toEqual(REQUEST_STATUSES);
    expect(RISK_LEVEL_VALUES).toEqual(RISK_LEVELS);
    expect(DECISION_VALUES).toEqual(DECISIONS);
    expect({ maxUses: GRANT_MAX_USES, maxMinutes: GRANT_MAX_MINUTES }).toEqual(GRANT_LIMITS);
  });
});

describe("the characters of an action identifier", () => {
  it("are those of a type pattern, less its wildcards", () => {
    for (let c = 0x20; c <= 0x7e; c++) {
      const ch = String.fromCharCode(c);
      const inPatterns = globProblem(ch) === null && ch !== "*" && ch !== "?";
      expect(identifierProblem(ch) === null, JSON.stringify(ch)).toBe(inPatterns);
    }
  });
});
