import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("gives the documented defaults for an empty environment", () => {
    const e = parseEnv({});
    expect(e).toMatchObject({
      NODE_ENV: "development",
      AIRLOCK_DATA_DIR: ".data",
      HITL_CONFIG_DIR: "config/hitl",
      HITL_DEFAULT_RISK_LEVEL: "medium",
      HITL_AUTO_APPROVE_LOW_RISK: true,
      HITL_DEFAULT_REQUIRES_APPROVAL: true,
    });
    expect(e.DATABASE_URL).toBeUndefined();
  });

  it.each([
    ["true", true],
    ["1", true],
    ["yes", true],
    ["false", false],
    ["0", false],
    ["no", false],
  ])("reads HITL_AUTO_APPROVE_LOW_RISK=%s as %s", (raw, expected) => {
    expect(parseEnv({ HITL_AUTO_APPROVE_LOW_RISK: raw }).HITL_AUTO_APPROVE_LOW_RISK).toBe(expected);
  });

  it("treats an empty DATABASE_URL as unset (embedded database)", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL: expected a postgres:// or postgresql:// URL"],
    [{ HITL_DEFAULT_RISK_LEVEL: "severe" }, "HITL_DEFAULT_RISK_LEVEL"],
    [{ HITL_AUTO_APPROVE_LOW_RISK: "maybe" }, "HITL_AUTO_APPROVE_LOW_RISK: expected true or false"],
    [{ HITL_MAX_OPEN_PER_AGENT: "-3" }, "HITL_MAX_OPEN_PER_AGENT"],
  ])("refuses %o naming the variable", (source, message) => {
    expect(() => parseEnv(source)).toThrow(EnvError);
    expect(() => parseEnv(source)).toThrow(message);
  });
});
