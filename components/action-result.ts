// Server actions answer `{ ok, data } | { ok: false, error }`; react-query wants a throw.
import type { ActionError, ActionResult } from "@/lib/auth/action";

export class ActionFailure extends Error {
  readonly code: ActionError["code"];
  readonly details: unknown;
  constructor(error: ActionError) {
    super(error.message);
    this.code = error.code;
    this.details = error.details;
  }
}

export async function unwrap<T>(result: Promise<ActionResult<T>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new ActionFailure(r.error);
  return r.data;
}

/** The words to show for a failure, per field when the server named fields. */
export function failureText(error: unknown): string {
  if (error instanceof ActionFailure) {
    if (error.code === "unauthorized") return `${error.message}. Reload the page to sign in.`;
    return error.message;
  }
  if (error instanceof Error && /fetch|network/i.test(error.message)) {
    return "Airlock could not be reached; check your connection and try again";
  }
  return "Something went wrong; try again";
}

export const isConflict = (error: unknown) =>
  error instanceof ActionFailure && error.code === "conflict";
