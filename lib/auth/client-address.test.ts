import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { clientAddress } from "./client-address";

describe("clientAddress", () => {
  it.each([
    // No proxies: the header is whoever connected's to write, so it is not believed.
    ["203.0.113.7", 0, null],
    ["203.0.113.7, 198.51.100.1", 0, null],
    // One proxy appends the address it saw: the last entry. Anything before it is the client's.
    ["203.0.113.7", 1, "203.0.113.7"],
    ["6.6.6.6, 203.0.113.7", 1, "203.0.113.7"],
    ["6.6.6.6,203.0.113.7", 1, "203.0.113.7"],
    // Two proxies: the second to last (the last is the outer proxy, as the inner one saw it).
    ["6.6.6.6, 203.0.113.7, 10.0.0.2", 2, "203.0.113.7"],
    ["203.0.113.7, 10.0.0.2", 2, "203.0.113.7"],
    ["2001:DB8::7, 10.0.0.2", 2, "2001:db8::7"],
    ["::ffff:203.0.113.7", 1, "203.0.113.7"],
    // Too few entries for the proxies named: a proxy did not add its own; believe none.
    ["203.0.113.7", 2, null],
    // Malformed: not an address where the client's should be.
    ["", 1, null],
    [" , ", 1, null],
    ["203.0.113.7, ", 1, null],
    ["203.0.113.7, unknown", 1, null],
    ["203.0.113.7, evil.example", 1, null],
    ["203.0.113.7:4711", 1, null],
    ["[2001:db8::7]", 1, null],
    ["999.0.113.7", 1, null],
    ["203.0.113.7, 10.0.0.2 10.0.0.3", 1, null],
  ])("X-Forwarded-For %j behind %i proxies: %j", (header, proxies, expected) => {
    expect(clientAddress(header, proxies)).toBe(expected);
  });

  it("is null without the header", () => {
    expect(clientAddress(undefined, 1)).toBeNull();
    expect(clientAddress(["203.0.113.7"], 1)).toBeNull();
  });
});

describe("HITL_TRUSTED_PROXIES", () => {
  it("is a number of proxies, 0 unless set", () => {
    expect(parseEnv({}).HITL_TRUSTED_PROXIES).toBe(0);
    expect(parseEnv({ HITL_TRUSTED_PROXIES: "2" }).HITL_TRUSTED_PROXIES).toBe(2);
  });

  it.each(["-1", "1.5", "true", "10.0.0.0/8"])("refuses %j", (raw) => {
    expect(() => parseEnv({ HITL_TRUSTED_PROXIES: raw })).toThrow("HITL_TRUSTED_PROXIES");
  });
});
