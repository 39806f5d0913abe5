import { describe, expect, it } from "vitest";
import type { TaskDto } from "../types";
import { verdictOf } from "./gate";

const inputs = { text: "draft" };
const decided = (
  status: "approved" | "rejected" | "expired" | "cancelled",
  reason: string | null,
) => ({
  status,
  decided_at: "2026-12-01T10:00:00.000Z",
  reviewer_id: null,
  reviewer: null,
  via: null,
  justification: null,
  reason,
});

describe("verdictOf: only an approval allows the call", () => {
  it.each([
    {
      name: "approved as submitted: the submitted inputs",
      task: { status: "approved", decision: decided("approved", null), edited_inputs: null },
      verdict: { allowed: true, inputs },
    },
    {
      name: "approved with edits: the edited inputs",
      task: {
        status: "approved",
        decision: decided("approved", null),
        edited_inputs: { text: "final" },
      },
      verdict: { allowed: true, inputs: { text: "final" } },
    },
    {
      name: "rejected: the reviewer's reason",
      task: { status: "rejected", decision: decided("rejected", "Not today"), edited_inputs: null },
      verdict: { allowed: false, message: "Not approved in Airlock: Not today" },
    },
    {
      name: "expired",
      task: { status: "expired", decision: decided("expired", null), edited_inputs: null },
      verdict: {
        allowed: false,
        message:
          "Not approved in Airlock: The request expired before anyone decided; it will not run (fail closed)",
      },
    },
    {
      name: "cancelled, with why",
      task: {
        status: "cancelled",
        decision: decided("cancelled", "withdrawn"),
        edited_inputs: null,
      },
      verdict: {
        allowed: false,
        message: "Not approved in Airlock: The request was cancelled; it will not run (withdrawn)",
      },
    },
    {
      name: "still open",
      task: { status: "escalated", decision: null, edited_inputs: null },
      verdict: {
        allowed: false,
        message: "Not approved: the request is still escalated in Airlock",
      },
    },
  ] as const)("$name", ({ task, verdict }) => {
    expect(
      // Only the fields verdictOf reads; a whole TaskDto would be noise here.
      verdictOf({ ...task, action: { type: "write_note", inputs } } as unknown as TaskDto),
    ).toEqual(verdict);
  });
});
