import { describe, expect, it } from "vitest";
import { ServiceError } from "@/lib/services/errors";
import { decodeWorkflowCursor, encodeWorkflowCursor } from "./workflow-cursor";

const ID = "0190a4a5-7b1c-7cde-8f00-123456789abc";
const AT = "2026-05-01T12:34:56.123456Z";
const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("a workflow page's cursor", () => {
  it("reads back each list's position exactly, to the microsecond", () => {
    const requests = { at: AT, id: ID };
    expect(decodeWorkflowCursor("requests", encodeWorkflowCursor("requests", requests))).toEqual(
      requests,
    );
    expect(decodeWorkflowCursor("events", encodeWorkflowCursor("events", 4711))).toBe(4711);
    const checkpoints = { requestAt: AT, requestId: ID, sequence: 7, id: ID };
    expect(
      decodeWorkflowCursor("checkpoints", encodeWorkflowCursor("checkpoints", checkpoints)),
    ).toEqual(checkpoints);
  });

  const requests = encodeWorkflowCursor("requests", { at: AT, id: ID });
  const refused: [string, "requests" | "events" | "checkpoints", string][] = [
    ["empty", "requests", ""],
    ["not base64url", "requests", "abc!def"],
    ["padded", "requests", `${requests}=`],
    ["not JSON", "requests", Buffer.from("[requests").toString("base64url")],
    ["another list's", "events", requests],
    ["the queue's signed cursor", "requests", `${requests}.c2lnbmF0dXJl`],
    ["a millisecond time", "requests", json(["requests", "2026-05-01T12:34:56.123Z", ID])],
    ["a date that is none", "requests", json(["requests", "2026-02-30T00:00:00.000000Z", ID])],
    ["an uppercase id", "requests", json(["requests", AT, ID.toUpperCase()])],
    ["an id that is SQL", "requests", json(["requests", AT, `${ID}'; --`])],
    ["an object", "requests", json({ list: "requests", at: AT, id: ID })],
    ["extra items", "requests", json(["requests", AT, ID, 1])],
    ["event 0", "events", json(["events", 0])],
    ["a fractional event", "events", json(["events", 1.5])],
    ["an event id as text", "events", json(["events", "12"])],
    ["an unsafe event id", "events", json(["events", 2 ** 60])],
    ["whitespace in the JSON", "events", Buffer.from('["events", 12]').toString("base64url")],
    ["a negative sequence", "checkpoints", json(["checkpoints", AT, ID, -1, ID])],
    ["a checkpoint without its id", "checkpoints", json(["checkpoints", AT, ID, 1])],
    ["too long", "events", "A".repeat(501)],
  ];

  it.each(refused)("refuses %s, naming the cursor", (_, list, raw) => {
    let error: unknown;
    try {
      decodeWorkflowCursor(list, raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({
      code: "invalid",
      details: [{ path: "cursor", message: expect.stringContaining(list) }],
    });
  });
});
