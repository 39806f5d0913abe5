import { Fragment } from "react";
import { visibleParts } from "@/lib/hitl/text";

const WHAT = {
  bidi: "a bidirectional control the agent sent: it reorders the text around it",
  invisible: "an invisible character the agent sent",
} as const;

/**
 * Text from an agent with its invisible and bidirectional characters shown as markers
 * (`⟨U+200B⟩`, styled apart from the text), so what a reviewer reads is what runs (SPEC §8.1).
 */
export function VisibleText({ text }: { text: string }) {
  const parts = visibleParts(text);
  if (parts.length === 1 && parts[0]?.kind === "text") return text;
  return parts.map((p, i) =>
    p.kind === "text" ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: parts have no identity beyond their place
      <Fragment key={i}>{p.text}</Fragment>
    ) : (
      <span
        // biome-ignore lint/suspicious/noArrayIndexKey: parts have no identity beyond their place
        key={i}
        data-testid="hidden-char"
        data-kind={p.kind}
        className={p.kind === "bidi" ? "hidden-char hidden-char-bidi" : "hidden-char"}
        title={`${p.marker.slice(1, -1)}: ${WHAT[p.kind]}`}
      >
        {p.marker}
      </span>
    ),
  );
}
