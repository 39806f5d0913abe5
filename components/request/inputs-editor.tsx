"use client";
import { useId, useState } from "react";
import { visibleText } from "@/lib/hitl/text";
import { Button } from "../ui/button";
import { FieldNote, Label, Textarea } from "../ui/field";
import { prettyJson } from "../ui/json-diff";

/**
 * The inputs as JSON to edit, with every invisible or bidirectional character written as its
 * JSON escape (`\u200b`): a text box cannot style it, and the escape parses back to the same
 * character, so the reviewer sees it and an unchanged text is unchanged inputs.
 */
function editableJson(v: unknown): string {
  return visibleText(prettyJson(v), ({ char }) =>
    Array.from(
      { length: char.length },
      (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`,
    ).join(""),
  );
}

/** Where a JSON.parse error points, in words a person can find in the text. */
function parseProblem(text: string): {
  value: Record<string, unknown> | null;
  error: string | null;
} {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { value: null, error: "The inputs must be a JSON object: { … }" };
    }
    return { value: value as Record<string, unknown>, error: null };
  } catch (e) {
    const message = e instanceof Error ? e.message : "not valid JSON";
    const at = /position (\d+)/.exec(message);
    if (at) {
      const pos = Number(at[1]);
      const before = text.slice(0, pos);
      const line = before.split("\n").length;
      const column = pos - before.lastIndexOf("\n");
      return { value: null, error: `Not valid JSON at line ${line}, column ${column}` };
    }
    return { value: null, error: `Not valid JSON: ${message}` };
  }
}

export function InputsEditor({
  current,
  onCancel,
  onReview,
}: {
  current: Record<string, unknown>;
  onCancel: () => void;
  onReview: (edited: Record<string, unknown>) => void;
}) {
  const [text, setText] = useState(() => editableJson(current));
  const id = useId();
  const noteId = useId();
  const { value, error } = parseProblem(text);
  const unchanged = value !== null && prettyJson(value) === prettyJson(current);
  return (
    <div data-testid="inputs-editor">
      <Label htmlFor={id} hint="JSON object">
        Edited inputs
      </Label>
      <Textarea
        id={id}
        data-testid="inputs-editor-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        rows={Math.min(24, Math.max(8, text.split("\n").length + 1))}
        aria-invalid={error ? true : undefined}
        aria-describedby={noteId}
        className="font-mono text-[13px] leading-5"
      />
      <FieldNote id={noteId} error={error !== null}>
        {error ??
          (unchanged
            ? "No change yet. The agent runs with what you approve; approvals given before an edit stop counting."
            : "Valid JSON. Review the changes before you approve.")}
      </FieldNote>
      <div className="mt-3 flex flex-wrap justify-end gap-2">
        <Button onClick={onCancel} data-testid="edit-cancel">
          Cancel edit
        </Button>
        <Button
          variant="primary"
          disabled={value === null || unchanged}
          onClick={() => value && onReview(value)}
          data-testid="edit-review"
        >
          Review changes
        </Button>
      </div>
    </div>
  );
}
