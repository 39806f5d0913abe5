import type { z } from "zod";
import { type FieldIssue, ServiceError } from "./errors";

export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({
    path: i.path.length > 0 ? i.path.map(String).join(".") : "(root)",
    message: i.message,
  }));
}

/** Parse service input; bad input is a ServiceError("invalid") naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = fieldIssues(result.error);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join("; ");
    throw new ServiceError("invalid", `Invalid input — ${summary}`, issues);
  }
  return result.data;
}
