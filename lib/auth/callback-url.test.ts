import { describe, expect, it } from "vitest";
import { safeCallbackPath, sameOriginRedirect } from "./callback-url";

describe("safeCallbackPath", () => {
  it.each([
    ["/", "/"],
    ["/queue", "/queue"],
    ["/requests/abc?x=1#y", "/requests/abc?x=1#y"],
    ["/audit?q=50%25%20off", "/audit?q=50%25%20off"],
    ["/requests/a/../b", "/requests/b"],
  ])("keeps %j as %j", (value, expected) => {
    expect(safeCallbackPath(value)).toBe(expected);
  });

  it.each([
    // Controls: the URL parser drops tabs and newlines, leaving //example.com.
    ["/%09/example.com", "an encoded tab"],
    ["/\t/example.com", "a tab"],
    ["/\texample.com", "a tab before the host"],
    ["/\n/example.com", "a newline"],
    ["/%0d%0a/example.com", "an encoded CR LF"],
    ["/\u0000/example.com", "a NUL"],
    ["/\u0085/example.com", "a C1 control"],
    // Backslashes: the URL parser reads them as slashes.
    ["\\\\example.com", "two backslashes"],
    ["/\\example.com", "slash backslash"],
    ["\\/example.com", "backslash slash"],
    ["/%5Cexample.com", "an encoded backslash"],
    ["/queue?q=a\\b", "a backslash in the query"],
    // Another origin, however spelled.
    ["//example.com", "a scheme-relative URL"],
    ["///example.com", "three slashes"],
    ["/%2F%2Fexample.com", "encoded slashes"],
    ["/%2Fexample.com", "an encoded second slash"],
    ["/.//example.com", "a dot segment before two slashes"],
    ["/..//example.com", "a double-dot segment before two slashes"],
    ["https://example.com", "an absolute URL"],
    ["https://example.com/queue", "an absolute URL with a path"],
    ["http://airlock.invalid/queue", "an absolute URL, even on the base's origin"],
    ["javascript:alert(1)", "a javascript: URL"],
    ["data:text/html,hi", "a data: URL"],
    ["queue", "a relative path"],
    [" /queue", "a leading space"],
    ["/%E0%A4%A", "a malformed escape"],
    ["", "nothing"],
  ])("refuses %j (%s)", (value) => {
    expect(safeCallbackPath(value)).toBeNull();
  });

  it("refuses a missing value", () => {
    expect(safeCallbackPath(undefined)).toBeNull();
    expect(safeCallbackPath(null)).toBeNull();
  });

  it("answers only paths that it would keep as they are", () => {
    for (const value of ["/", "/requests/abc?x=1#y", "/a/./b/../c", "/audit?q=%2F%2Fx"]) {
      const path = safeCallbackPath(value);
      expect(path).not.toBeNull();
      expect(safeCallbackPath(path)).toBe(path);
      expect(new URL(path as string, "https://airlock.example").origin).toBe(
        "https://airlock.example",
      );
    }
  });
});

describe("sameOriginRedirect (next-auth's redirect callback)", () => {
  const baseUrl = "https://airlock.example";
  it.each([
    ["/queue", "https://airlock.example/queue"],
    ["https://airlock.example/requests/1?x=1", "https://airlock.example/requests/1?x=1"],
    ["https://airlock.example", baseUrl],
    ["https://airlock.example//example.com", baseUrl],
    ["https://airlock.example/\t/example.com", baseUrl],
    ["https://airlock.example.evil.com/queue", baseUrl],
    ["https://airlock.example@evil.com/queue", baseUrl],
    ["https://example.com/queue", baseUrl],
    ["//example.com", baseUrl],
    ["/%09/example.com", baseUrl],
    ["/\\example.com", baseUrl],
    ["javascript:alert(1)", baseUrl],
  ])("sends %j to %j", (url, expected) => {
    expect(sameOriginRedirect({ url, baseUrl })).toBe(expected);
  });
});
