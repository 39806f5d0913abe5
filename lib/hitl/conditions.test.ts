import { describe, expect, it } from "vitest";
import { emailDomains, formatNumber, toNumber } from "./conditions";

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
