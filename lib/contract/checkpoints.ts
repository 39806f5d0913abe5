import { z } from "zod";
import { CHECKPOINT_TYPE_VALUES } from "@/db/schema";
import { jsonObject, requiredText, text } from "./json";

export const saveCheckpointSchema = z.strictObject({
  name: requiredText(200),
  type: z.enum(CHECKPOINT_TYPE_VALUES, {
    error: `expected one of ${CHECKPOINT_TYPE_VALUES.join(", ")}`,
  }),
  data: jsonObject,
  expires_at: z.iso.datetime({ offset: true, error: "expected an ISO 8601 date-time" }).optional(),
  correlation_id: text(200).optional(),
  run_id: z.uuid().optional(),
});
