// What the standing-approval forms share: the terms a person fills in, the duration choices,
// a grant's state at an instant, and field errors (the page's own zod check, or the server's).

import type { z } from "zod";
import type { GrantDto } from "@/lib/contract/grants";
import type { RiskLevel } from "@/lib/hitl/types";
import { ActionFailure } from "../action-result";

import type { ViewerInfo } from "../viewer";

export interface GrantTerms {
  type_pattern: string;
  environment: string;
  /** As typed: parsed when sent, so a half-typed number is not fought over. */
  max_uses: string;
  /** A choice of DURATIONS, or "custom" with `custom_minutes`. */
  duration: string;
  custom_minutes: string;
  reason: string;
}

export const DURATIONS = [
  { minutes: 15, label: "15 min" },
  { minutes: 60, label: "1 hour" },
  { minutes: 240, label: "4 hours" },
  { minutes: 1440, label: "1 day" },
] as const;

export function emptyTerms(overrides: Partial<GrantTerms> = {}): GrantTerms {
  return {
    type_pattern: "",
    environment: "",
    max_uses: "5",
    duration: "60",
    custom_minutes: "",
    reason: "",
    ...overrides,
  };
}

/** A number as typed, or NaN (which the schema refuses with the field named). */
const whole = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));

export function minutesOf(t: GrantTerms): number {
  return t.duration === "custom" ? whole(t.custom_minutes) : Number(t.duration);
}

/** The terms as the API takes them. */
export function termsInput(t: GrantTerms) {
  return {
    type_pattern: t.type_pattern,
    environment: t.environment.trim() === "" ? null : t.environment.trim(),
    max_uses: whole(t.max_uses),
    expires_in_minutes: minutesOf(t),
    reason: t.reason,
  };
}

export type FieldErrors = Partial<Record<string, string>>;

/** `errors` without those of the fields `patch` changes: an edited field is judged again on submit. */
export function withoutEdited(errors: FieldErrors, patch: Partial<GrantTerms>): FieldErrors {
  const edited = new Set<string>(Object.keys(patch));
  if (edited.has("duration") || edited.has("custom_minutes")) edited.add("expires_in_minutes");
  return Object.fromEntries(Object.entries(errors).filter(([field]) => !edited.has(field)));
}

/** Friendlier words than zod's defaults for what these forms get wrong. */
function friendly(issue: {
  code?: string;
  input?: unknown;
  origin?: string;
  minimum?: unknown;
  maximum?: unknown;
  expected?: string;
}): string | undefined {
  if (issue.code === "invalid_type" && (issue.input === undefined || Number.isNaN(issue.input))) {
    return "is required";
  }
  if (issue.code === "invalid_type" && issue.expected === "int") return "must be a whole number";
  if (issue.code === "too_small" && issue.origin === "number") {
    return `must be at least ${String(issue.minimum)}`;
  }
  if (issue.code === "too_big" && issue.origin === "number") {
    return `must be at most ${String(issue.maximum)}`;
  }
  return undefined;
}

/** The schema's verdict on `input`, by field (the last part of each issue's path). */
export function checkFields(schema: z.ZodType, input: unknown): FieldErrors {
  const result = schema.safeParse(input, { error: friendly });
  if (result.success) return {};
  const out: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path.at(-1) ?? "");
    out[field] ??= issue.message;
  }
  return out;
}

/** The fields the server named in its refusal. */
export function serverFieldErrors(error: unknown): FieldErrors {
  if (!(error instanceof ActionFailure) || !Array.isArray(error.details)) return {};
  const out: FieldErrors = {};
  for (const d of error.details as unknown[]) {
    if (typeof d !== "object" || d === null) continue;
    const { path, message } = d as { path?: unknown; message?: unknown };
    if (typeof path !== "string" || typeof message !== "string") continue;
    out[path.split(".").at(-1) ?? path] ??= message;
  }
  return out;
}

export type GrantState = "active" | "used_up" | "expired" | "revoked";

export function grantState(g: GrantDto, now: number): GrantState {
  if (g.revoked_at !== null) return "revoked";
  if (g.uses >= g.max_uses) return "used_up";
  if (Date.parse(g.expires_at) <= now) return "expired";
  return "active";
}

/** When a grant stopped applying: revoked, expired, or (for a used-up one) unknown here. */
export function endedAt(g: GrantDto, state: GrantState): string | null {
  if (state === "revoked") return g.revoked_at;
  if (state === "expired") return g.expires_at;
  return null;
}

/** The highest level this reader's standing approvals cover (never critical), or null. */
export function grantableMax(v: ViewerInfo): RiskLevel | null {
  const rank = v.roleRank[v.user.role] ?? 0;
  const levels = (v.permissions.grant ?? []).filter(
    (l) => l !== "critical" && rank >= (v.roleRank[v.levels[l]?.required_role ?? ""] ?? 0),
  );
  return levels.at(-1) ?? null;
}

/** Whether this reader may revoke `g` (lib/hitl revokeGrant: their own, or at the grantor's rank or above). */
export function mayRevoke(v: ViewerInfo, g: GrantDto): boolean {
  if (g.grantor_id === v.user.id) return true;
  return (
    (v.permissions.grant ?? []).length > 0 &&
    (v.roleRank[v.user.role] ?? 0) >= (v.roleRank[g.grantor_role] ?? Number.POSITIVE_INFINITY)
  );
}
