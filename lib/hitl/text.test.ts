import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { codePointLabel, matchableText, orList, visibleParts, visibleText } from "./text";

// Built once, outside the tests' time limits: the grapheme tables take a moment to build.
const risky = fc.constantFrom(
  "\u200b",
  "\u200d",
  "\u202e",
  "\u2066",
  "\u061c",
  "\u00ad",
  "\ufeff",
  "\u2060",
  "\u{e0041}",
  "\ufe0f",
  "\u0000",
  "\u001b",
);
const texts = [
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.oneof(risky, fc.string({ maxLength: 3 })), { maxLength: 20 }).map((a) => a.join("")),
];

describe("orList", () => {
  it.each([
    [[], ""],
    [["a"], "a"],
    [["a", "b"], "a or b"],
    [["a", 2, "c"], "a, 2 or c"],
  ] as const)("%j → %j", (values, words) => {
    expect(orList(values)).toBe(words);
  });
});

describe("codePointLabel", () => {
  it.each([
    ["\u200b", "U+200B"],
    ["\u00ad", "U+00AD"],
    ["\u{e0041}", "U+E0041"],
    ["a", "U+0061"],
  ])("%j is %s", (char, label) => {
    expect(codePointLabel(char)).toBe(label);
  });
});

describe("visibleText", () => {
  it.each([
    ["COMMUNICATION.SEND_EMA\u200bIL", "COMMUNICATION.SEND_EMA⟨U+200B⟩IL"],
    ["pay \u202eevil\u202c now", "pay ⟨U+202E⟩evil⟨U+202C⟩ now"],
    ["\u2066isolate\u2069 \u200e\u200f\u061c", "⟨U+2066⟩isolate⟨U+2069⟩ ⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩"],
    ["soft\u00adhyphen \ufeffbom", "soft⟨U+00AD⟩hyphen ⟨U+FEFF⟩bom"],
    ["\u2060\u2061\u2062\u2063\u2064", "⟨U+2060⟩⟨U+2061⟩⟨U+2062⟩⟨U+2063⟩⟨U+2064⟩"],
    ["zw\u200cnj\u200dj", "zw⟨U+200C⟩nj⟨U+200D⟩j"],
    ["tag\u{e0041}\u{e007f}", "tag⟨U+E0041⟩⟨U+E007F⟩"],
    [
      "esc\u001b[31m bell\u0007 del\u007f c1\u0085",
      "esc⟨U+001B⟩[31m bell⟨U+0007⟩ del⟨U+007F⟩ c1⟨U+0085⟩",
    ],
    ["line\u2028para\u2029", "line⟨U+2028⟩para⟨U+2029⟩"],
    ["filler\u3164 \u115f cgj\u034f", "filler⟨U+3164⟩ ⟨U+115F⟩ cgj⟨U+034F⟩"],
    // Variation selectors hide data when chained, or after anything but an emoji.
    ["a\ufe0f \u{e0100}", "a⟨U+FE0F⟩ ⟨U+E0100⟩"],
    ["\u26a0\ufe0f\ufe0f", "\u26a0\ufe0f⟨U+FE0F⟩"],
  ])("shows the hidden characters of %j", (text, shown) => {
    expect(visibleText(text)).toBe(shown);
  });

  it.each([
    "",
    "Deploy the auth service",
    "tabs\tand\nnew lines\r\n stay",
    "Überweisung an Zoë — 1 000 €",
    "Заплатить счёт",
    "שלום עולם",
    "\u26a0\ufe0f careful ❤️ 👍🏽",
    "⟨U+200B⟩ typed by hand",
  ])("leaves printable text as it is: %j", (text) => {
    expect(visibleText(text)).toBe(text);
    expect(visibleParts(text)).toEqual([{ kind: "text", text }]);
  });

  it("marks bidirectional controls apart from other hidden characters", () => {
    expect(visibleParts("a\u202eb\u200b")).toEqual([
      { kind: "text", text: "a" },
      { kind: "bidi", char: "\u202e", marker: "⟨U+202E⟩" },
      { kind: "text", text: "b" },
      { kind: "invisible", char: "\u200b", marker: "⟨U+200B⟩" },
    ]);
  });

  it("takes another marker, e.g. a JSON escape", () => {
    const jsonEscape = (p: { char: string }) =>
      [...p.char].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    expect(visibleText('{"to": "a\u200bb"}', jsonEscape)).toBe('{"to": "a\\u200bb"}');
  });

  const FORMAT_OR_BIDI = /[\p{Cf}\p{Bidi_Control}]/u;

  it("never leaves a format or bidirectional character, and keeps everything else in order", () => {
    for (const text of texts) {
      fc.assert(
        fc.property(text, (s) => {
          // Each part is either the text as it was or one character: together, the original.
          const whole = visibleParts(s)
            .map((p) => (p.kind === "text" ? p.text : p.char))
            .join("");
          return !FORMAT_OR_BIDI.test(visibleText(s)) && whole === s;
        }),
        { numRuns: 1000 },
      );
    }
  });

  it("is the identity on printable ASCII", () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)),
        }),
        (s) => visibleText(s) === s,
      ),
      { numRuns: 1000 },
    );
  });
});

describe("matchableText", () => {
  it.each([
    ["kubectl\u200b delete", "kubectl delete"],
    ["\ufeffrm -rf x", "rm -rf x"],
    ["git push --\u2060force", "git push --force"],
    ["r\u00adm \u202e-rf", "rm -rf"],
    ["ｒｍ －ｒｆ", "rm -rf"],
    ["kubectl\u00a0delete\u3000pod", "kubectl delete pod"],
    ["esc\u001b[0m", "esc[0m"],
    ["tabs\tand\nlines stay", "tabs\tand\nlines stay"],
    ["DROP TABLE users;", "DROP TABLE users;"],
  ])("%j reads %j", (text, matched) => {
    expect(matchableText(text)).toBe(matched);
  });

  const FORMAT = /\p{Cf}/u;

  it("leaves no format character, and is NFKC-normalised and stable", () => {
    for (const text of texts) {
      fc.assert(
        fc.property(text, (s) => {
          const m = matchableText(s);
          return !FORMAT.test(m) && matchableText(m) === m;
        }),
        { numRuns: 500 },
      );
    }
  });
});
