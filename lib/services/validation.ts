import type { z } from "zod";
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

/** Parse service input; bad input is a ServiceError("invalid") naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: requiredFieldMessage });
  if (!result.success) {
    const issues = fieldIssues(result.error);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new ServiceError("invalid", `Invalid input — ${summary}`, issues);
  }
  return result.data;
}
