import { z } from "zod";
import { jsonObject, requiredText, text } from "./json";

export const CHECKPOINT_TYPES = [
  "state",
  "approval_gate",
  "external_call",
  "timer",
  "error_recovery",
] as const;

function storableYear(iso: string): boolean {
  const year = new Date(iso).getUTCFullYear();
  return year >= 1970 && year <= 9999;
}

export const saveCheckpointSchema = z.strictObject({
  name: requiredText(200),
  type: z.enum(CHECKPOINT_TYPES, { error: `expected one of ${CHECKPOINT_TYPES.join(", ")}` }),
  data: jsonObject,
  expires_at: z.iso
    .datetime({ offset: true, error: "expected an ISO 8601 date-time" })
    // PostgreSQL refuses year 0 and the "+010000-…" form of years past 9999, and the driver
    // cannot read back years below 100: a checkpoint's expiry is a real date, 1970 to 9999.
    .refine(storableYear, "must fall between the years 1970 and 9999 (UTC)")
    .optional(),
  correlation_id: text(200).optional(),
  run_id: z.uuid().optional(),
});

export const checkpointSchema = z.object({
  checkpoint_id: z.uuid(),
  action_id: z.uuid(),
  name: z.string(),
  type: z.enum(CHECKPOINT_TYPES),
  data: z.unknown(),
  sequence_number: z.int(),
  status: z.enum(["active", "resumed", "expired", "cancelled"]),
  correlation_id: z.string().nullable(),
  run_id: z.string().nullable(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  resumed_at: z.iso.datetime().nullable(),
  resumed_by: z.string().nullable(),
});
export type CheckpointDto = z.infer<typeof checkpointSchema>;
