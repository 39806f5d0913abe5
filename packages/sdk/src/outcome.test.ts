import { describe, expect, it } from "vitest";
import { outcomeOf } from "./outcome";
import type { TaskDto } from "./types";

const task = (over: Partial<TaskDto>): TaskDto =>
  ({
    task_id: "t",
    approval_request_id: "r",
    status: "approved",
    action: { type: "deploy", description: "", inputs: { version: "1" } },
    edited_inputs: null,
    decision: null,
    ...over,
  }) as TaskDto;

describe("outcomeOf: what a closed task means for the agent", () => {
  it("runs an approval with the reviewer's edits, or with the action's own inputs", () => {
    expect(outcomeOf(task({}))).toMatchObject({
      approved: true,
      edited: false,
      inputs: { version: "1" },
    });
    expect(outcomeOf(task({ edited_inputs: { version: "2" } }))).toMatchObject({
      approved: true,
      edited: true,
      inputs: { version: "2" },
      reason: null,
    });
  });

  it("fails closed: a rejection carries its reason; expiry and cancellation say why it will not run", () => {
    const decision = { status: "rejected", reason: "Not today" } as TaskDto["decision"];
    expect(outcomeOf(task({ status: "rejected", decision }))).toMatchObject({
      approved: false,
      reason: "Not today",
    });
    expect(outcomeOf(task({ status: "expired" }))).toMatchObject({
      approved: false,
      reason: expect.stringContaining("expired before anyone decided"),
    });
    expect(outcomeOf(task({ status: "cancelled" }))).toMatchObject({
      approved: false,
      reason: expect.stringContaining("cancelled"),
    });
  });
});
