// Wording shared by the config schema's messages and the rule viewer's descriptions, and agent
// text as people are shown it.

/** "a", "a or b", "a, b or c". */
export function orList(values: readonly (string | number)[]): string {
  if (values.length <= 1) return values.map(String).join("");
  return `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}

/** "U+200B": a character named by its code point. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A character a reader would not see, or that reorders what they see: format characters (Cf:
 * bidirectional controls, zero-width characters, the soft hyphen, the BOM, invisible operators,
 * tag characters), control characters other than tab and line breaks, the line and paragraph
 * separators, and every other default-ignorable code point (fillers, variation selectors) —
 * except one text or emoji variation selector right after an emoji, which only picks its glyph.
 */
const HIDDEN =
  /(?![\t\n\r])[\p{Cf}\p{Cc}\p{Zl}\p{Zp}]|(?![\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}|(?<!\p{Emoji})[\uFE0E\uFE0F]/gu;
const BIDI = /^\p{Bidi_Control}$/u;

// Printable ASCII and the usual whitespace: text that NFKC leaves as it is and that hides
// nothing, which is almost every command an agent sends.
const PLAIN = /^[\t\n\r\x20-\x7e]*$/;

/**
 * Agent text as the risk rules match it: NFKC-normalised (fullwidth `ｒｍ` is `rm`, a no-break
 * space a space) and without the hidden characters above, so that `kubectl\u200B delete`
 * cannot slip past a rule written for `kubectl delete`. Linear in the length of the text.
 */
export function matchableText(s: string): string {
  if (PLAIN.test(s)) return s;
  return s.normalize("NFKC").replace(HIDDEN, "");
}

/** Agent text in pieces: as it is, or one hidden character with the marker that shows it. */
export type TextPart =
  | { kind: "text"; text: string }
  | { kind: "bidi" | "invisible"; char: string; marker: string };

/** `s` split so that every hidden character is a part of its own, with its marker (`⟨U+200B⟩`). */
export function visibleParts(s: string): TextPart[] {
  const parts: TextPart[] = [];
  let from = 0;
  for (const m of s.matchAll(HIDDEN)) {
    if (m.index > from) parts.push({ kind: "text", text: s.slice(from, m.index) });
    const char = m[0];
    parts.push({
      kind: BIDI.test(char) ? "bidi" : "invisible",
      char,
      marker: `⟨${codePointLabel(char)}⟩`,
    });
    from = m.index + char.length;
  }
  if (from < s.length || parts.length === 0) parts.push({ kind: "text", text: s.slice(from) });
  return parts;
}

/**
 * Agent text with every hidden character replaced by a marker (by default `⟨U+200B⟩`), so
 * what a reviewer reads is what runs (SPEC §8.1). Printable text is left as it is.
 */
export function visibleText(
  s: string,
  mark: (part: Extract<TextPart, { char: string }>) => string = (p) => p.marker,
): string {
  return visibleParts(s)
    .map((p) => (p.kind === "text" ? p.text : mark(p)))
    .join("");
}
