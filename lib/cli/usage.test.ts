import { describe, expect, it } from "vitest";
import { COMMANDS, usage } from "./commands";

describe("hitl help", () => {
  const text = usage();
  const rows = text.split("\n").slice(3, -1);
  const column = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 4;

  it("starts every summary in one column, after the longest command name", () => {
    const starts = rows.filter((row) => !row.startsWith(" ".repeat(column)));
    expect(starts.map((row) => row.slice(2, column).trim())).toEqual(Object.keys(COMMANDS));
    for (const row of rows) {
      // At least two spaces between the name and its summary, which starts at the column.
      expect(row.slice(column - 2, column)).toBe("  ");
      expect(row[column]).not.toBe(" ");
    }
  });

  it("wraps long summaries onto aligned continuation lines, within 80 columns", () => {
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(80);
    // Each command's rows, rejoined, are its whole summary.
    const summaries: string[] = [];
    for (const row of rows) {
      if (row.startsWith(" ".repeat(column))) summaries[summaries.length - 1] += ` ${row.trim()}`;
      else summaries.push(row.slice(column));
    }
    expect(summaries).toEqual(Object.values(COMMANDS).map((c) => c.summary));
    expect(rows.length).toBeGreaterThan(Object.keys(COMMANDS).length);
  });

  it("wraps to the width asked for", () => {
    for (const row of usage(60).split("\n")) expect(row.length).toBeLessThanOrEqual(60);
  });

  it("says what keys create needs: an agent key's owner, a reviewer key's optional expiry", () => {
    const keys = COMMANDS.keys?.summary ?? "";
    // The CLI is no person who could own the key: without --owner it is refused.
    expect(keys).toContain("keys create --agent NAME --owner EMAIL |");
    expect(keys).not.toContain("[--owner");
    expect(keys).toMatch(/--owner is required/);
    expect(keys).toContain("keys create --user EMAIL [--expires-in 90m|12h|30d]");
  });

  it("lists disabling and enabling people", () => {
    expect(COMMANDS.users?.summary).toContain("users disable --email E | users enable --email E");
  });
});
