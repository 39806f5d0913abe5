import { describe, expect, it } from "vitest";
import { computeSignature, signatureHeader, verifyWebhook } from "./webhook";

const SECRET = "whsec_test-secret";
const BODY = '{"event":"hitl.approved","status":"approved","delivery_id":"d-1"}';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const T = NOW / 1000;

const signed = (overrides: Record<string, string | string[] | undefined> = {}) => ({
  "airlock-signature": signatureHeader(SECRET, BODY, NOW),
  "airlock-delivery": "d-1",
  ...overrides,
});

describe("webhook signatures", () => {
  it("signs t=<unix seconds>,v1=<hex HMAC of t.body>, and the signature verifies", () => {
    const header = signatureHeader(SECRET, BODY, NOW);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(header).toBe(`t=${T},v1=${computeSignature(SECRET, T, BODY)}`);
    expect(verifyWebhook(SECRET, signed(), BODY, { now: NOW })).toEqual({
      ok: true,
      timestamp: T,
      deliveryId: "d-1",
    });
  });

  it("verifies from a fetch Headers object, a Buffer body, and at the edge of the tolerance", () => {
    const headers = new Headers({ "Airlock-Signature": signatureHeader(SECRET, BODY, NOW) });
    const result = verifyWebhook(SECRET, headers, Buffer.from(BODY), { now: NOW + 300_000 });
    expect(result).toMatchObject({ ok: true, deliveryId: null });
  });

  it("passes when any of several v1 signatures matches (a secret being rotated)", () => {
    const header = `t=${T},v1=${computeSignature("old", T, BODY)},v1=${computeSignature(SECRET, T, BODY)}`;
    expect(
      verifyWebhook(SECRET, { "Airlock-Signature": header }, BODY, { now: NOW }),
    ).toMatchObject({ ok: true });
  });

  it.each<[string, Parameters<typeof verifyWebhook>, string]>([
    [
      "a tampered body",
      [SECRET, signed(), BODY.replace("approved", "rejected"), { now: NOW }],
      "signature_mismatch",
    ],
    ["a wrong secret", ["whsec_other", signed(), BODY, { now: NOW }], "signature_mismatch"],
    [
      "a timestamp older than 5 minutes",
      [SECRET, signed(), BODY, { now: NOW + 301_000 }],
      "timestamp_out_of_tolerance",
    ],
    [
      "a timestamp 5 minutes ahead",
      [SECRET, signed(), BODY, { now: NOW - 301_000 }],
      "timestamp_out_of_tolerance",
    ],
    [
      "a timestamp older than a custom tolerance",
      [SECRET, signed(), BODY, { now: NOW + 11_000, toleranceSeconds: 10 }],
      "timestamp_out_of_tolerance",
    ],
    [
      "no signature header",
      [SECRET, { "airlock-delivery": "d-1" }, BODY, { now: NOW }],
      "missing_signature",
    ],
    [
      "an empty header",
      [SECRET, signed({ "airlock-signature": "" }), BODY, { now: NOW }],
      "malformed_signature",
    ],
    [
      "garbage",
      [SECRET, signed({ "airlock-signature": "garbage" }), BODY, { now: NOW }],
      "malformed_signature",
    ],
    [
      "no v1",
      [SECRET, signed({ "airlock-signature": `t=${T}` }), BODY, { now: NOW }],
      "malformed_signature",
    ],
    [
      "no t",
      [SECRET, signed({ "airlock-signature": `v1=${"a".repeat(64)}` }), BODY, { now: NOW }],
      "malformed_signature",
    ],
    [
      "a non-numeric t",
      [SECRET, signed({ "airlock-signature": `t=soon,v1=${"a".repeat(64)}` }), BODY, { now: NOW }],
      "malformed_signature",
    ],
    [
      "two t",
      [
        SECRET,
        signed({ "airlock-signature": `t=${T},t=${T},v1=${computeSignature(SECRET, T, BODY)}` }),
        BODY,
        { now: NOW },
      ],
      "malformed_signature",
    ],
    [
      "a short v1",
      [SECRET, signed({ "airlock-signature": `t=${T},v1=abc` }), BODY, { now: NOW }],
      "malformed_signature",
    ],
    [
      "a repeated header",
      [
        SECRET,
        signed({ "airlock-signature": [signatureHeader(SECRET, BODY, NOW), "x"] }),
        BODY,
        { now: NOW },
      ],
      "malformed_signature",
    ],
  ])("refuses %s", (_name, args, reason) => {
    const result = verifyWebhook(...args);
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? "" : result.message).not.toBe("");
  });
});
