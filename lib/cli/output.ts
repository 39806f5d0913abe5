import { visibleText } from "@/lib/hitl/text";

export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/**
 * A plain aligned table for people; scripts use --json. Cells may hold an agent's text: its
 * control characters (a terminal's escape sequences) and other hidden ones are shown as
 * markers (`⟨U+001B⟩`), never sent to the terminal (SPEC §8.1).
 */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return "(none)\n";
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? "-"
      : v instanceof Date
        ? v.toISOString()
        : visibleText(String(v)).replace(/[\t\r\n]/g, " ");
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return `${[line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join("\n")}\n`;
}
