import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, sha256Hex } from "./canonical";

describe("canonicalJson", () => {
  it.each([
    [null, "null"],
    [true, "true"],
    [0, "0"],
    [-0, "0"],
    [1.5, "1.5"],
    ['a"b', '"a\\"b"'],
    [[], "[]"],
    [{}, "{}"],
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ z: { y: 1, x: [3, { d: 1, c: 2 }] } }, '{"z":{"x":[3,{"c":2,"d":1}],"y":1}}'],
    [{ a: undefined, b: 1 }, '{"b":1}'],
    [[undefined, 1], "[null,1]"],
    [new Date("2026-01-02T03:04:05.678Z"), '"2026-01-02T03:04:05.678Z"'],
    [{ at: new Date(0) }, '{"at":"1970-01-01T00:00:00.000Z"}'],
  ])("%j -> %s", (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it("does not depend on key order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        return canonicalJson(obj) === canonicalJson(reversed);
      }),
    );
  });

  it("round-trips through JSON.parse", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        return canonicalJson(JSON.parse(text)) === text;
      }),
    );
  });

  it.each([
    [Number.NaN, "cannot canonicalize number NaN"],
    [Number.POSITIVE_INFINITY, "cannot canonicalize number Infinity"],
    [{ n: 10n }, "a value of type bigint"],
    [{ f: () => 1 }, "a value of type function"],
    [Symbol("s"), "a value of type symbol"],
    [undefined, "a value of type undefined"],
    [new Date(Number.NaN), "an invalid date"],
  ])("refuses %s", (value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });
});

describe("sha256Hex", () => {
  it("hashes UTF-8 text", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
