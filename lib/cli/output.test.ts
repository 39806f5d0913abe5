import { describe, expect, it } from "vitest";
import { table } from "./output";

describe("table", () => {
  it("aligns columns, with - for nothing", () => {
    expect(
      table(
        [
          { id: "a", agent: null },
          { id: "bbb", agent: "ops" },
        ],
        ["id", "agent"],
      ),
    ).toBe("ID   AGENT\na    -\nbbb  ops\n");
  });

  it("shows an agent's escape sequences and hidden characters instead of sending them to the terminal", () => {
    const out = table(
      [{ action: "deploy\u001b]8;;https://evil.example\u0007x\u202e", agent: "a\nb\tc" }],
      ["action", "agent"],
    );
    for (const hidden of ["\u001b", "\u0007", "\u202e"]) expect(out).not.toContain(hidden);
    expect(out).toContain("deploy⟨U+001B⟩]8;;https://evil.example⟨U+0007⟩x⟨U+202E⟩");
    // One row a line: a new line in a cell cannot forge another row.
    expect(out.split("\n")).toHaveLength(3);
    expect(out).toContain("a b c");
  });
});
