import type { z } from "zod";
import { UNPROCESSABLE } from "@/lib/contract/json";
import { type FieldIssue, ServiceError } from "./errors";

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join(".") : "(root)",
    message: i.message,
  }));
}

/** "is required" for a missing field, instead of zod's "expected string, received undefined". */
export const requiredFieldMessage = (issue: { code?: string; input?: unknown }) =>
  issue.code === "invalid_type" && issue.input === undefined ? "is required" : undefined;

const refuses = (issue: z.core.$ZodIssue) =>
  issue.code === "custom" && issue.params?.unprocessable === UNPROCESSABLE.unprocessable;

/**
 * Input that did not parse, as the one error naming every bad field: "invalid" (400), or
 * "unprocessable" (422) when every field is well-formed and refused for what it holds (an
 * action identifier with a character it may not have). `where` prefixes the paths.
 */
export function inputError(error: z.ZodError, what: string, where?: string): ServiceError {
  const issues = fieldIssues(error).map((i) => (where ? { ...i, path: `${where}.${i.path}` } : i));
  const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
  const code = error.issues.every(refuses) ? "unprocessable" : "invalid";
  return new ServiceError(code, `Invalid ${what} — ${summary}`, issues);
}

/** Parse service input; bad input is a ServiceError naming every bad field (inputError). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: requiredFieldMessage });
  if (!result.success) throw inputError(result.error, "input");
  return result.data;
}
