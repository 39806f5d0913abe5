// Canonical JSON and SHA-256: the same data always hashes the same, whatever the key order
// it was built or stored with (PostgreSQL jsonb reorders keys) and whether a timestamp is
// held as a Date or as its ISO string.
import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted, Dates as ISO-8601 strings, and `undefined` object members
 * dropped (as JSON.stringify does). Values JSON cannot hold faithfully (NaN, Infinity,
 * bigint, functions, symbols, invalid dates) are refused rather than silently changed,
 * since a hash over a lossy encoding would not bind anything.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalize number ${value}`);
      return JSON.stringify(value);
    case "object":
      if (value === null) return "null";
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime()))
          throw new TypeError("cannot canonicalize an invalid date");
        return JSON.stringify(value.toISOString());
      }
      if (Array.isArray(value)) {
        return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      }
      return canonicalObject(value as Record<string, unknown>);
    default:
      throw new TypeError(`cannot canonicalize a value of type ${typeof value}`);
  }
}

function canonicalObject(obj: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(",")}}`;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
