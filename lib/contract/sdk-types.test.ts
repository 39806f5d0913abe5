// The SDK builds the API's shapes into itself as plain types (packages/sdk/src/types.ts), so an
// agent's project needs nothing of the server. This file holds them to the contract the server
// validates with: `npm run typecheck` fails when the two drift apart.
import type {
  ActionInput as SdkActionInput,
  CheckpointDto as SdkCheckpointDto,
  ResumeResponse as SdkResumeResponse,
  SaveCheckpointBody as SdkSaveCheckpointBody,
  SubmitTaskBody as SdkSubmitTaskBody,
  SubmitTaskResponse as SdkSubmitTaskResponse,
  TaskDto as SdkTaskDto,
} from "@airlock/sdk";
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { CheckpointDto, saveCheckpointSchema } from "./checkpoints";
import type {
  ActionInput,
  resumeResponseSchema,
  SubmitTaskResponse,
  submitTaskSchema,
  TaskDto,
} from "./tasks";

/** True only when each type is assignable to the other: the same values pass both. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe("the SDK's built-in types", () => {
  it("take and give the same values as the contract's", () => {
    expectTypeOf<Same<SdkActionInput, ActionInput>>().toEqualTypeOf<true>();
    expectTypeOf<Same<SdkSubmitTaskBody, z.input<typeof submitTaskSchema>>>().toEqualTypeOf<true>();
    expectTypeOf<Same<SdkSubmitTaskResponse, SubmitTaskResponse>>().toEqualTypeOf<true>();
    expectTypeOf<Same<SdkTaskDto, TaskDto>>().toEqualTypeOf<true>();
    expectTypeOf<
      Same<SdkResumeResponse, z.infer<typeof resumeResponseSchema>>
    >().toEqualTypeOf<true>();
    expectTypeOf<
      Same<SdkSaveCheckpointBody, z.input<typeof saveCheckpointSchema>>
    >().toEqualTypeOf<true>();
    expectTypeOf<Same<SdkCheckpointDto, CheckpointDto>>().toEqualTypeOf<true>();
  });

  it("would notice a field that drifted", () => {
    type Drifted = Omit<SdkTaskDto, "expires_at"> & { expires_at: string | null };
    expectTypeOf<Same<Drifted, TaskDto>>().toEqualTypeOf<false>();
  });
});
