import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditEventDraft,
  AuditVerifier,
  type ChainedAuditEvent,
  canonicalEvent,
  chainEvent,
  GENESIS_HASH,
  hashEvent,
  verifyChain,
} from "./audit";
import { sha256Hex } from "./canonical";

const T0 = new Date("2026-03-01T10:00:00Z");

function draft(i: number, payload: Record<string, unknown> = { n: i }): AuditEventDraft {
  return {
    type: i % 2 === 0 ? "hitl.approval_requested" : "hitl.approved",
    at: new Date(T0.getTime() + i * 1000),
    actor_type: i % 3 === 0 ? "system" : "user",
    actor_id: i % 3 === 0 ? null : `user-${i}`,
    request_id: `req-${i % 4}`,
    workflow_id: "wf-1",
    payload,
  };
}

function chain(n: number, drafts: (i: number) => AuditEventDraft = draft): ChainedAuditEvent[] {
  const events: ChainedAuditEvent[] = [];
  for (let i = 0; i < n; i++) {
    const last = events.at(-1);
    events.push(chainEvent(last ? { seq: last.seq, hash: last.hash } : null, drafts(i)));
  }
  return events;
}

const headOf = (events: ChainedAuditEvent[]) => {
  const last = events.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
};

/** Recomputes the hashes from `from` on, as someone rewriting history would. */
function rehash(events: ChainedAuditEvent[], from: number): ChainedAuditEvent[] {
  const out = events.slice(0, from);
  for (const e of events.slice(from)) {
    const prev = out.at(-1)?.hash ?? GENESIS_HASH;
    out.push({ ...e, prev_hash: prev, hash: hashEvent(prev, e) });
  }
  return out;
}

describe("chaining", () => {
  it("numbers events and links each to the one before", () => {
    const [a, b] = chain(2);
    expect(a).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, prev_hash: a?.hash });
    expect(a?.hash).toBe(sha256Hex(GENESIS_HASH + canonicalEvent(a as ChainedAuditEvent)));
  });

  it("hashes a stored row the same as the event it came from", () => {
    const [e] = chain(1, () => draft(0, { b: 1, a: { d: [1, 2], c: null } })) as [
      ChainedAuditEvent,
    ];
    const fromDb = {
      ...e,
      id: "row-uuid",
      inserted_at: new Date(),
      at: e.at instanceof Date ? e.at.toISOString() : e.at,
      payload: { a: { c: null, d: [1, 2] }, b: 1 },
    };
    expect(hashEvent(e.prev_hash, fromDb)).toBe(e.hash);
    expect(verifyChain([fromDb]).ok).toBe(true);
  });
});

describe("verifyChain", () => {
  const events = chain(6);

  it("accepts an intact log", () => {
    expect(verifyChain(events)).toEqual({ ok: true, count: 6, head: headOf(events) });
    expect(verifyChain(events, { expectedHead: headOf(events) }).ok).toBe(true);
    expect(verifyChain([])).toEqual({ ok: true, count: 0, head: null });
    expect(verifyChain([], { expectedHead: { seq: 0, hash: GENESIS_HASH } }).ok).toBe(true);
  });

  it("continues from a head verified earlier", () => {
    const from = { seq: events[2]?.seq as number, hash: events[2]?.hash as string };
    expect(verifyChain(events.slice(3), { from, expectedHead: headOf(events) })).toMatchObject({
      ok: true,
      count: 3,
    });
  });

  const cases: [
    string,
    ChainedAuditEvent[],
    { seq: number; hash: string } | undefined,
    string,
    number,
  ][] = [
    [
      "an edited payload",
      events.map((e, i) => (i === 2 ? { ...e, payload: { n: 99 } } : e)),
      undefined,
      "edited",
      3,
    ],
    [
      "an edited type",
      events.map((e, i) => (i === 0 ? { ...e, type: "hitl.rejected" } : e)),
      undefined,
      "edited",
      1,
    ],
    [
      "an edited time",
      events.map((e, i) => (i === 4 ? { ...e, at: new Date(0) } : e)),
      undefined,
      "edited",
      5,
    ],
    [
      "an edited actor",
      events.map((e, i) => (i === 1 ? { ...e, actor_id: "mallory" } : e)),
      undefined,
      "edited",
      2,
    ],
    [
      "an unreadable time",
      events.map((e, i) => (i === 3 ? { ...e, at: "yesterday" } : e)),
      undefined,
      "edited",
      4,
    ],
    [
      "an edited hash",
      events.map((e, i) => (i === 5 ? { ...e, hash: "f".repeat(64) } : e)),
      undefined,
      "edited",
      6,
    ],
    [
      "an edit with its hash recomputed",
      events.map((e, i) =>
        i === 2
          ? { ...e, payload: { n: 99 }, hash: hashEvent(e.prev_hash, { ...e, payload: { n: 99 } }) }
          : e,
      ),
      undefined,
      "relinked",
      4,
    ],
    ["a deleted event", events.filter((_, i) => i !== 3), undefined, "gap", 5],
    ["a deleted first event", events.slice(1), undefined, "gap", 2],
    [
      "two events swapped",
      [events[0], events[2], events[1], ...events.slice(3)] as ChainedAuditEvent[],
      undefined,
      "reordered",
      3,
    ],
    [
      "the last event deleted but one",
      [...events.slice(0, 4), events[5]] as ChainedAuditEvent[],
      undefined,
      "gap",
      6,
    ],
    [
      "an event repeated",
      [...events.slice(0, 3), events[2], ...events.slice(3)] as ChainedAuditEvent[],
      undefined,
      "reordered",
      3,
    ],
    ["a deleted tail", events.slice(0, 4), headOf(events), "truncated", 5],
    ["events appended without the writer", events, headOf(events.slice(0, 4)), "extended", 5],
    [
      "a last event rewritten and rehashed",
      rehash(
        events.map((e, i) => (i === 5 ? { ...e, payload: {} } : e)),
        5,
      ),
      headOf(events),
      "edited",
      6,
    ],
    [
      "history rewritten and renumbered after a deletion",
      rehash(
        events.filter((_, i) => i !== 1).map((e, i) => ({ ...e, seq: i + 1 })),
        0,
      ),
      headOf(events),
      "truncated",
      6,
    ],
    [
      "a non-integer seq",
      events.map((e, i) => (i === 2 ? { ...e, seq: 2.5 } : e)),
      undefined,
      "reordered",
      2.5,
    ],
  ];

  it.each(cases)("finds %s", (_, tampered, expectedHead, kind, seq) => {
    const result = verifyChain(tampered, { expectedHead });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.break).toMatchObject({ kind, seq });
      expect(result.break.message.length).toBeGreaterThan(10);
    }
  });

  it("explains each break", () => {
    const messages = cases.map(([, tampered, expectedHead]) => {
      const result = verifyChain(tampered, { expectedHead });
      return result.ok ? "" : result.break.message;
    });
    expect(messages).toEqual([
      "event 3 does not match its hash: its content was changed",
      "event 1 does not match its hash: its content was changed",
      "event 5 does not match its hash: its content was changed",
      "event 2 does not match its hash: its content was changed",
      "event 4 does not match its hash: its content was changed",
      "event 6 does not match its hash: its content was changed",
      "event 4 does not follow event 3: an earlier event was rewritten",
      "1 event(s) missing before 5 (expected 4)",
      "1 event(s) missing before 2 (expected 1)",
      "event 3 comes before event 2",
      "1 event(s) missing before 6 (expected 5)",
      "event 3 comes where 4 was expected",
      "the log ends at event 4, but its recorded head is event 6",
      "the log goes on past its recorded head, event 4",
      "event 6 is not the recorded head: the last event was rewritten",
      "the log ends at event 5, but its recorded head is event 6",
      "event 2.5 comes where 3 was expected",
    ]);
  });
});

describe("AuditVerifier", () => {
  it("streams: reports the first break once, and keeps reporting it", () => {
    const events = chain(5);
    const verifier = new AuditVerifier();
    expect(verifier.push(events[0] as ChainedAuditEvent)).toBeNull();
    expect(verifier.push(events[1] as ChainedAuditEvent)).toBeNull();
    // A jump is judged on the next event: the missing one arriving next would be a swap.
    expect(verifier.push(events[3] as ChainedAuditEvent)).toBeNull();
    const broken = verifier.push(events[4] as ChainedAuditEvent);
    expect(broken).toMatchObject({ kind: "gap", seq: 4, index: 2 });
    expect(verifier.push(events[4] as ChainedAuditEvent)).toBe(broken);
    expect(verifier.finish(headOf(events))).toEqual({ ok: false, count: 4, break: broken });
  });

  it("names a swap of two neighbours", () => {
    const events = chain(4);
    const verifier = new AuditVerifier();
    for (const i of [0, 2, 1, 3]) verifier.push(events[i] as ChainedAuditEvent);
    expect(verifier.finish()).toMatchObject({
      ok: false,
      break: { kind: "reordered", seq: 3, index: 1 },
    });
  });
});

describe("every single-event mutation is found", () => {
  const mutation = fc.constantFrom(
    "payload",
    "type",
    "at",
    "actor",
    "request",
    "seq",
    "prev_hash",
    "hash",
    "delete",
    "swap",
    "duplicate",
    "rehash-from",
  );

  it("for logs of any length", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }),
        fc.nat(),
        mutation,
        fc.jsonValue(),
        (length, pick, kind, value) => {
          const events = chain(length, (i) => draft(i, { n: i, v: value }));
          const i = pick % length;
          const e = events[i] as ChainedAuditEvent;
          let tampered: ChainedAuditEvent[];
          switch (kind) {
            case "payload":
              tampered = events.with(i, { ...e, payload: { ...e.payload, n: -1 } });
              break;
            case "type":
              tampered = events.with(i, { ...e, type: `${e.type}.x` });
              break;
            case "at":
              tampered = events.with(i, { ...e, at: new Date((e.at as Date).getTime() + 1) });
              break;
            case "actor":
              tampered = events.with(i, { ...e, actor_id: `${e.actor_id}-x` });
              break;
            case "request":
              tampered = events.with(i, { ...e, request_id: "other" });
              break;
            case "seq":
              tampered = events.with(i, { ...e, seq: e.seq + 1 });
              break;
            case "prev_hash":
              tampered = events.with(i, { ...e, prev_hash: sha256Hex(e.prev_hash) });
              break;
            case "hash":
              tampered = events.with(i, { ...e, hash: sha256Hex(e.hash) });
              break;
            case "delete":
              tampered = events.filter((_, j) => j !== i);
              break;
            case "swap":
              fc.pre(length > 1);
              tampered =
                i + 1 < length
                  ? events.with(i, events[i + 1] as ChainedAuditEvent).with(i + 1, e)
                  : events.with(i, events[i - 1] as ChainedAuditEvent).with(i - 1, e);
              break;
            case "duplicate":
              tampered = [...events.slice(0, i + 1), e, ...events.slice(i + 1)];
              break;
            default:
              // Rewrite one event and recompute every hash after it: only the recorded head
              // (kept outside the log) can tell.
              tampered = rehash(events.with(i, { ...e, payload: { rewritten: true } }), i);
          }
          expect(verifyChain(tampered, { expectedHead: headOf(events) }).ok).toBe(false);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
