// An Airlock client for the adapters' unit tests: each submitted task is decided by a script
// (a function of what was submitted), or waits until the caller's signal aborts; it records
// what was submitted and cancelled. Only the tests import it: no entry of the build does.
import type { AirlockClient } from "../client";
import type { SubmitTaskBody, TaskDto } from "../types";

/** A task's decision as the script gives it (merged into the closed task), or "wait". */
export type Decide = (body: SubmitTaskBody) => Partial<TaskDto> | "wait";

/** An Airlock client that decides each submitted task with `decide`, and records what it got. */
export function scriptedAirlock(decide: Decide) {
  const submitted: { body: SubmitTaskBody; idempotencyKey?: string }[] = [];
  const cancelled: string[] = [];
  const client = {
    async submit(body, options) {
      submitted.push({ body, idempotencyKey: options?.idempotencyKey });
      const n = submitted.length;
      return {
        task_id: `task-${n}`,
        approval_request_id: `request-${n}`,
        status: "pending",
      } as Awaited<ReturnType<AirlockClient["submit"]>>;
    },
    async waitForDecision(taskId, options) {
      const { body } = submitted[Number(taskId.slice(5)) - 1] as { body: SubmitTaskBody };
      const decided = decide(body);
      if (decided === "wait") {
        options?.signal?.throwIfAborted();
        await new Promise((_, reject) =>
          options?.signal?.addEventListener("abort", () => reject(options.signal?.reason)),
        );
      }
      return {
        task_id: taskId,
        approval_request_id: `request-${taskId.slice(5)}`,
        action: body.action,
        edited_inputs: null,
        decision: null,
        ...(decided as Partial<TaskDto>),
      } as TaskDto;
    },
    async cancel(taskId) {
      cancelled.push(taskId);
      return { task_id: taskId, status: "cancelled" } as TaskDto;
    },
    requestUrl: (id) => `http://airlock.test/requests/${id}`,
  } as AirlockClient;
  return { client, submitted, cancelled };
}
