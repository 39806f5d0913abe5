import { z } from "zod";
import { jsonObject, requiredText, text } from "./json";

/** A checkpoint is active until it is resumed, expires or its action is cancelled. */
export const CHECKPOINT_STATUSES = ["active", "resumed", "expired", "cancelled"] as const;
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
  status: z.enum(CHECKPOINT_STATUSES),
  correlation_id: z.string().nullable(),
  run_id: z.string().nullable(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  resumed_at: z.iso.datetime().nullable(),
  resumed_by: z.string().nullable(),
});
export type CheckpointDto = z.infer<typeof checkpointSchema>;

export const CHECKPOINT_PAGE_MAX = 100;

/** `GET …/checkpoints?cursor=&limit=`: the cursor is the `next_cursor` of the page before. */
export const checkpointPageQuerySchema = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,9}$/, "expected the next_cursor of an earlier page")
    .transform(Number)
    .optional(),
  limit: z.coerce.number().int().min(1).max(CHECKPOINT_PAGE_MAX).default(CHECKPOINT_PAGE_MAX),
});

export type CheckpointPageQuery = Partial<z.output<typeof checkpointPageQuerySchema>>;

export const checkpointPageSchema = z.object({
  items: z.array(checkpointSchema),
  next_cursor: z.string().nullable(),
});
export type CheckpointPage = z.infer<typeof checkpointPageSchema>;
