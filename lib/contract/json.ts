// JSON values as agents send them, bounded: nesting depth, no NUL characters and no lone
// UTF-16 surrogates (PostgreSQL's jsonb cannot store either, so they would otherwise surface
// as a server error; text columns would silently turn a lone surrogate into U+FFFD).
import { z } from "zod";

export const MAX_JSON_DEPTH = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as PostgreSQL text or jsonb, or null if it can. */
export function unstorableText(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain NUL characters";
  if (LONE_SURROGATE.test(s)) return "must be well-formed Unicode (no lone surrogates)";
  return null;
}

type Problem = { path: (string | number)[]; message: string };

function firstProblem(value: unknown, depth: number, path: (string | number)[]): Problem | null {
  if (typeof value === "string") {
    const message = unstorableText(value);
    return message === null ? null : { path, message };
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
    const keyProblem = typeof key === "string" ? unstorableText(key) : null;
    if (keyProblem !== null) {
      return { path: [...path, key], message: `keys ${keyProblem}` };
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

/** Plain text fields: bounded, storable (no NUL, no lone surrogate). */
export const text = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const message = unstorableText(s);
      if (message !== null) ctx.addIssue({ code: "custom", message });
    });

export const requiredText = (max: number) =>
  text(max)
    .transform((s) => s.trim())
    .pipe(z.string().min(1, "must not be empty"));

/**
 * The `params` of an issue that refuses a well-formed value (422, SPEC §5), not a malformed one
 * (400): parse errors whose issues all carry it are "unprocessable".
 */
export const UNPROCESSABLE = { unprocessable: true } as const;

// An action's identifiers are matched by the risk rules, whose type patterns have these
// characters besides their wildcards (lib/hitl/glob.ts; contract.test.ts holds them equal).
// Anything else (a zero-width space, a bidirectional override, a Cyrillic look-alike) would let
// an action that reads as `COMMUNICATION.SEND_EMAIL` miss the rules written for it.
const IDENTIFIER_CHAR = /^[A-Za-z0-9_.:/-]$/;

/** An identifier as it is stored and assessed: NFKC-normalised (`ＤＥＰＬＯＹ` is `DEPLOY`), trimmed. */
export function normalizeIdentifier(s: string): string {
  return s.normalize("NFKC").trim();
}

/** Why a normalised identifier has a character it may not have, or null when it has none. */
export function identifierProblem(s: string): string | null {
  let at = 0;
  for (const ch of s) {
    at += 1;
    if (IDENTIFIER_CHAR.test(ch)) continue;
    const what =
      ch === " "
        ? "a space"
        : /^[!-~]$/.test(ch)
          ? `"${ch}"`
          : `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`;
    return `must be an identifier of letters, digits and . _ : / - (printable ASCII, after NFKC normalisation); ${what} at character ${at} is not allowed`;
  }
  return null;
}

/**
 * An action's identifier (type, operation, environment, resource_type): NFKC-normalised and
 * trimmed, then letters, digits and `._:/-` only, else 422 naming the field (SPEC §8.1). The
 * normalised value is what is stored and assessed.
 */
export const identifier = (max: number) =>
  text(max)
    .transform(normalizeIdentifier)
    .pipe(
      z
        .string()
        .min(1, "must not be empty")
        .max(max, `must be at most ${max} characters`)
        .superRefine((s, ctx) => {
          const message = identifierProblem(s);
          if (message !== null) ctx.addIssue({ code: "custom", message, params: UNPROCESSABLE });
        }),
    );
