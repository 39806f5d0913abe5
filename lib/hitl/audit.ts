// The tamper-evident audit chain (SPEC §8): each event's hash covers the previous event's hash
// and the event itself, so editing, deleting or reordering any stored event breaks the chain
// at that point, and `verify` says where and how.
import { canonicalJson, sha256Hex } from "./canonical";

export const AUDIT_EVENT_TYPES = [
  "hitl.approval_requested",
  "hitl.auto_approved",
  "hitl.approval_recorded",
  "hitl.approved",
  "hitl.rejected",
  "hitl.escalated",
  "hitl.quarantined",
  "hitl.released",
  "hitl.expired",
  "hitl.cancelled",
  "hitl.claimed",
  "hitl.unclaimed",
  "hitl.inputs_edited",
  "hitl.grant_created",
  "hitl.grant_revoked",
] as const;
export type HitlEventType = (typeof AUDIT_EVENT_TYPES)[number];

export type ActorType = "user" | "agent" | "operator" | "system";

/** An event the domain core produced; the service numbers and chains it when storing it. */
export interface AuditEventDraft {
  type: HitlEventType;
  at: Date;
  actor_type: ActorType;
  /** The user id, or the API key id of an agent; null for the system. */
  actor_id: string | null;
  request_id: string | null;
  workflow_id: string | null;
  payload: Record<string, unknown>;
}

/**
 * What the hash covers. The services append other event types too (`checkpoint.saved`,
 * `workflow.resumed`: every type is listed in lib/contract/audit.ts), and a stored chain is
 * verified whatever it holds, so `type` is any string here. Stored rows may carry more columns (an
 * id, an insertion time): they are not part of the hash, so only these fields are read.
 */
export interface AuditEventBody {
  seq: number;
  type: string;
  /** A Date, or its ISO-8601 string as read back from storage: both hash the same. */
  at: Date | string;
  actor_type: ActorType;
  actor_id: string | null;
  request_id: string | null;
  workflow_id: string | null;
  payload: Record<string, unknown>;
}

export interface ChainedAuditEvent extends AuditEventBody {
  prev_hash: string;
  hash: string;
}

/** The previous hash of the first event. */
export const GENESIS_HASH = "0".repeat(64);

/** The canonical bytes of an event, whatever extra fields or key order the caller holds. */
export function canonicalEvent(event: AuditEventBody): string {
  return canonicalJson({
    seq: event.seq,
    type: event.type,
    at: typeof event.at === "string" ? new Date(event.at) : event.at,
    actor_type: event.actor_type,
    actor_id: event.actor_id,
    request_id: event.request_id,
    workflow_id: event.workflow_id,
    payload: event.payload,
  });
}

export function hashEvent(prevHash: string, event: AuditEventBody): string {
  return sha256Hex(prevHash + canonicalEvent(event));
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** Number and chain a draft after `head` (null for the first event of the log). */
export function chainEvent(head: ChainHead | null, draft: AuditEventDraft): ChainedAuditEvent {
  const prev_hash = head?.hash ?? GENESIS_HASH;
  const body: AuditEventBody = { seq: (head?.seq ?? 0) + 1, ...draft };
  return { ...body, prev_hash, hash: hashEvent(prev_hash, body) };
}

/**
 * - `edited`: the event's content no longer matches its own hash;
 * - `relinked`: the event is intact but does not follow the one before it (an earlier event
 *   was edited and its hash recomputed, or an event was inserted);
 * - `gap`: sequence numbers jump: events were deleted (or moved further down);
 * - `reordered`: an event comes before its predecessor, or a number repeats;
 * - `truncated`: the log ends before the head recorded elsewhere (events deleted at the end);
 * - `extended`: the log goes on past that head (events appended outside the audit writer).
 */
export type ChainBreakKind = "edited" | "relinked" | "gap" | "reordered" | "truncated" | "extended";

export interface ChainBreak {
  kind: ChainBreakKind;
  /** The sequence number at which the chain stops being trustworthy. */
  seq: number;
  /** Position in the events as fed (0-based); for `truncated`, the count fed. */
  index: number;
  message: string;
}

export type VerifyResult =
  | { ok: true; count: number; head: ChainHead | null }
  | { ok: false; count: number; break: ChainBreak };

/**
 * Verifies a log fed in order, one event at a time, so a service can stream millions of rows
 * without holding them. Start from the genesis or from a head verified earlier.
 */
export class AuditVerifier {
  private head: ChainHead | null;
  private count = 0;
  private broken: ChainBreak | null = null;
  /** A jump in numbers, judged on the next event: the missing one next is a swap, not a gap. */
  private jump: { gap: ChainBreak; expectedSeq: number } | null = null;

  constructor(from: ChainHead | null = null) {
    this.head = from;
  }

  /** Checks the next event; returns the break once found (and from then on). */
  push(event: ChainedAuditEvent): ChainBreak | null {
    if (this.broken !== null) return this.broken;
    const index = this.count;
    this.count++;
    if (this.jump !== null) return this.judgeJump(event);
    const expectedSeq = (this.head?.seq ?? 0) + 1;
    const expectedPrev = this.head?.hash ?? GENESIS_HASH;
    const fail = (kind: ChainBreakKind, message: string) => {
      this.broken = { kind, seq: event.seq, index, message };
      return this.broken;
    };
    if (!Number.isSafeInteger(event.seq) || event.seq < expectedSeq) {
      return fail("reordered", `event ${event.seq} comes where ${expectedSeq} was expected`);
    }
    if (event.seq > expectedSeq) {
      const missing = event.seq - expectedSeq;
      const gap: ChainBreak = {
        kind: "gap",
        seq: event.seq,
        index,
        message: `${missing} event(s) missing before ${event.seq} (expected ${expectedSeq})`,
      };
      this.jump = { gap, expectedSeq };
      return null;
    }
    if (!hashMatches(event)) {
      return fail("edited", `event ${event.seq} does not match its hash: its content was changed`);
    }
    if (event.prev_hash !== expectedPrev) {
      return fail(
        "relinked",
        `event ${event.seq} does not follow event ${expectedSeq - 1}: an earlier event was rewritten`,
      );
    }
    this.head = { seq: event.seq, hash: event.hash };
    return null;
  }

  private judgeJump(event: ChainedAuditEvent): ChainBreak {
    const { gap, expectedSeq } = this.jump as NonNullable<typeof this.jump>;
    this.broken =
      event.seq === expectedSeq
        ? {
            ...gap,
            kind: "reordered",
            message: `event ${gap.seq} comes before event ${expectedSeq}`,
          }
        : gap;
    return this.broken;
  }

  /**
   * The verdict. `expectedHead` is the head recorded outside the log (written in the same
   * transaction as each append): only with it can a cut-off or rewritten tail be detected.
   */
  finish(expectedHead?: ChainHead): VerifyResult {
    if (this.jump !== null) this.broken ??= this.jump.gap;
    if (this.broken === null && expectedHead !== undefined) this.checkHead(expectedHead);
    if (this.broken !== null) return { ok: false, count: this.count, break: this.broken };
    return { ok: true, count: this.count, head: this.head };
  }

  private checkHead(expected: ChainHead): void {
    const last = this.head?.seq ?? 0;
    const at = (kind: ChainBreakKind, seq: number, message: string) => {
      this.broken = { kind, seq, index: this.count, message };
    };
    if (last < expected.seq) {
      at(
        "truncated",
        last + 1,
        `the log ends at event ${last}, but its recorded head is event ${expected.seq}`,
      );
    } else if (last > expected.seq) {
      at(
        "extended",
        expected.seq + 1,
        `the log goes on past its recorded head, event ${expected.seq}`,
      );
    } else if ((this.head?.hash ?? GENESIS_HASH) !== expected.hash) {
      at("edited", last, `event ${last} is not the recorded head: the last event was rewritten`);
    }
  }
}

/** A row too damaged to hash (an unreadable timestamp, say) does not match its hash either. */
function hashMatches(event: ChainedAuditEvent): boolean {
  try {
    return hashEvent(event.prev_hash, event) === event.hash;
  } catch {
    return false;
  }
}

export function verifyChain(
  events: Iterable<ChainedAuditEvent>,
  opts: { from?: ChainHead | null; expectedHead?: ChainHead } = {},
): VerifyResult {
  const verifier = new AuditVerifier(opts.from ?? null);
  for (const event of events) if (verifier.push(event) !== null) break;
  return verifier.finish(opts.expectedHead);
}
