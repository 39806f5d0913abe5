// A workflow page's keyset cursor: where the page before ended, as base64url JSON naming its list.
// It is not signed, unlike the queue's: it holds nothing but a position in a list every person
// may read, and no filter or reader to bind it to. It is read strictly — only the canonical
// encoding of a position of the list asked for — so anything else is a 400 naming `cursor`
// before any of it reaches a query.
import { z } from "zod";
import type { WorkflowCheckpointPosition } from "@/db/queries/checkpoints";
import type { WorkflowRequestPosition } from "@/db/queries/queue";
import type { WorkflowList } from "@/lib/contract/api";
import { ServiceError } from "@/lib/services/errors";

/** What a cursor of each list holds: the events' is the id of the oldest event shown. */
export interface WorkflowPositions {
  requests: WorkflowRequestPosition;
  events: number;
  checkpoints: WorkflowCheckpointPosition;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuid = z.string().regex(UUID);
/** A timestamp as exactTime writes it: UTC, to the microsecond, and a real date. */
const exactTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  .refine((s) => {
    const t = Date.parse(s);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 23) === s.slice(0, 23);
  });

const checkpointTuple = z.tuple([
  z.literal("checkpoints"),
  exactTime,
  uuid,
  z.int().min(0).max(2_147_483_647),
  uuid,
]);

/** Each list's position as the JSON array in its cursor, and back (null: not one). */
interface Codec<L extends WorkflowList> {
  write(position: WorkflowPositions[L]): unknown[];
  read(json: unknown): WorkflowPositions[L] | null;
}

const CODECS: { [L in WorkflowList]: Codec<L> } = {
  requests: {
    write: (p) => ["requests", p.at, p.id],
    read(json) {
      const t = z.tuple([z.literal("requests"), exactTime, uuid]).safeParse(json);
      return t.success ? { at: t.data[1], id: t.data[2] } : null;
    },
  },
  events: {
    write: (before) => ["events", before],
    read(json) {
      const t = z
        .tuple([z.literal("events"), z.int().min(1).max(Number.MAX_SAFE_INTEGER)])
        .safeParse(json);
      return t.success ? t.data[1] : null;
    },
  },
  checkpoints: {
    write: (p) => ["checkpoints", p.requestAt, p.requestId, p.sequence, p.id],
    read(json) {
      const t = checkpointTuple.safeParse(json);
      return t.success
        ? { requestAt: t.data[1], requestId: t.data[2], sequence: t.data[3], id: t.data[4] }
        : null;
    },
  },
};

export function encodeWorkflowCursor<L extends WorkflowList>(
  list: L,
  position: WorkflowPositions[L],
): string {
  const codec: Codec<L> = CODECS[list];
  return Buffer.from(JSON.stringify(codec.write(position))).toString("base64url");
}

const invalid = (list: WorkflowList) => {
  const why = `not a cursor of this workflow's ${list}: pass one an earlier answer gave`;
  return new ServiceError("invalid", `Invalid input — cursor: ${why}`, [
    { path: "cursor", message: why },
  ]);
};

export function decodeWorkflowCursor<L extends WorkflowList>(
  list: L,
  raw: string,
): WorkflowPositions[L] {
  if (!/^[A-Za-z0-9_-]{1,500}$/.test(raw)) throw invalid(list);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw invalid(list);
  }
  const codec: Codec<L> = CODECS[list];
  const position = codec.read(json);
  // Only the one spelling this server writes: no padding, whitespace or other characters.
  if (position === null || encodeWorkflowCursor(list, position) !== raw) throw invalid(list);
  return position;
}
