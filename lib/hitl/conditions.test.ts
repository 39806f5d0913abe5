import { describe, expect, it } from "vitest";
import { emailDomains, FactSlots, formatNumber, shorten, toNumber } from "./conditions";
import type { Action } from "./types";

describe("formatNumber", () => {
  it.each([
    [0, "0"],
    [5, "5"],
    [999, "999"],
    [1000, "1,000"],
    [15000, "15,000"],
    [123456, "123,456"],
    [1234567.891, "1,234,567.89"],
    [-9876543.2, "-9,876,543.2"],
    [0.005, "0.01"],
    [1e21, "1e+21"],
    [-2.5e22, "-2.5e+22"],
  ])("%d -> %s", (n, text) => {
    expect(formatNumber(n)).toBe(text);
  });
});

describe("toNumber", () => {
  it.each<[unknown, number | undefined]>([
    [15000, 15000],
    ["15000", 15000],
    [" 2.5 ", 2.5],
    ["1e4", 10000],
    ["15,000", undefined],
    ["", undefined],
    ["  ", undefined],
    [Number.NaN, undefined],
    [null, undefined],
    [true, undefined],
  ])("%j -> %s", (value, n) => {
    expect(toNumber(value)).toBe(n);
  });
});

describe("emailDomains", () => {
  it.each<[string, string[]]>([
    ["ann@x.com", ["x.com"]],
    ["Ann <ann@X.com>, bob@y.org; carl@sub.z.io.", ["x.com", "y.org", "sub.z.io"]],
    ["mailto:ann@x.com?subject=hi", ["x.com"]],
    ["@alice and @bob", []],
    ["alice@", []],
    ["a@@b.com", []],
    ["no address here", []],
    ['"quoted"@x.com', []],
  ])("%j -> %j", (text, domains) => {
    expect(emailDomains(text)).toEqual(domains);
  });
});

describe("fact names with dots", () => {
  const facts = (names: string[], action: Omit<Action, "type">) => {
    const slots = new FactSlots();
    const ids = names.map((n) => slots.slot(n));
    const subject = slots.toSubject({ type: "x", ...action }, "x");
    return ids.map((id) => subject.facts[id]);
  };

  it("read a nested value, from inputs before context", () => {
    const nested = (v: unknown) => ({ mcp: { annotations: { destructiveHint: v } } });
    const name = ["mcp.annotations.destructiveHint"];
    expect(facts(name, { context: nested(true) })).toEqual([true]);
    expect(facts(name, { inputs: nested(false), context: nested(true) })).toEqual([false]);
    expect(facts(name, { inputs: nested(null), context: nested(true) })).toEqual([true]);
  });

  it("read one bag alone when they start with inputs. or context.", () => {
    const action = { inputs: { mcp: { tool: "from inputs" } }, context: { mcp: { tool: "ctx" } } };
    expect(facts(["context.mcp.tool", "inputs.mcp.tool"], action)).toEqual(["ctx", "from inputs"]);
    expect(facts(["context.mcp.tool"], { inputs: action.inputs })).toEqual([undefined]);
    expect(facts(["context.tool"], { context: { tool: "t" } })).toEqual(["t"]);
  });

  it("stop where the path breaks, and follow only own keys of plain objects", () => {
    const name = ["a.b.c"];
    expect(facts(name, { inputs: { a: { b: "text" } } })).toEqual([undefined]);
    expect(facts(name, { inputs: { a: [{ c: 1 }] } })).toEqual([undefined]);
    expect(facts(name, { inputs: { a: null } })).toEqual([undefined]);
    expect(facts(["a.constructor"], { inputs: { a: {} } })).toEqual([undefined]);
    expect(facts(["a.b"], { inputs: { "a.b": 1 } })).toEqual([undefined]);
  });

  it("leave names without dots as they were", () => {
    expect(facts(["a.b", "a"], { inputs: { a: { b: 2 } } })).toEqual([2, { b: 2 }]);
    expect(facts(["inputs"], { inputs: { inputs: 3 } })).toEqual([3]);
  });
});

describe("shorten", () => {
  it.each([
    ["short", 10, "short"],
    ["exactly ten", 11, "exactly ten"],
    ["a longer text", 8, "a longe…"],
    ["ab😀cd", 4, "ab…"],
    ["ab😀cd", 5, "ab😀…"],
  ])("%j to %d: %j", (text, max, shortened) => {
    expect(shorten(text, max)).toBe(shortened);
  });
});
