// JSON values as agents send them, bounded: nesting depth, and no NUL characters (PostgreSQL's
// jsonb cannot store them, so they would otherwise surface as a server error).
import { z } from "zod";

export const MAX_JSON_DEPTH = 32;

type Problem = { path: (string | number)[]; message: string };

function firstProblem(value: unknown, depth: number, path: (string | number)[]): Problem | null {
  if (typeof value === "string") {
    return value.includes("\u0000") ? { path, message: "must not contain NUL characters" } : null;
  }
  if (typeof value === "number") {
    return Number.isFinite(value) ? null : { path, message: "must be a finite number" };
  }
  if (value === null || typeof value === "boolean") return null;
  if (typeof value !== "object" || !(Array.isArray(value) || isPlainObject(value))) {
    return { path, message: "must be a JSON value" };
  }
  if (depth > MAX_JSON_DEPTH) {
    return { path, message: `nests deeper than ${MAX_JSON_DEPTH} levels` };
  }
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  for (const [key, child] of entries) {
    if (typeof key === "string" && key.includes("\u0000")) {
      return { path: [...path, key], message: "keys must not contain NUL characters" };
    }
    const problem = firstProblem(child, depth + 1, [...path, key]);
    if (problem) return problem;
  }
  return null;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An object of JSON values (`inputs`, `context`, checkpoint `data`), checked by a walk rather
 * than the recursive z.json(), which the OpenAPI generator cannot describe.
 */
export const jsonObject = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const problem = firstProblem(value, 1, []);
  if (problem) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
});

/** Plain text fields: trimmed, bounded, no NUL. */
export const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes("\u0000"), "must not contain NUL characters");

export const requiredText = (max: number) =>
  text(max)
    .transform((s) => s.trim())
    .pipe(z.string().min(1, "must not be empty"));
