import { cx } from "./cx";
import { VisibleText } from "./visible-text";

type Line = { kind: "same" | "add" | "del"; text: string };

/** A line diff of two texts (longest common subsequence; inputs are small). */
export function diffLines(before: string, after: string): Line[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as number[])[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as number[])[j] as number, row[j + 1] as number);
    }
  }
  const out: Line[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i] as string });
      i++;
      j++;
    } else if (((lcs[i + 1] as number[])[j] as number) >= ((lcs[i] as number[])[j + 1] as number)) {
      out.push({ kind: "del", text: a[i++] as string });
    } else {
      out.push({ kind: "add", text: b[j++] as string });
    }
  }
  while (i < n) out.push({ kind: "del", text: a[i++] as string });
  while (j < m) out.push({ kind: "add", text: b[j++] as string });
  return out;
}

export const prettyJson = (v: unknown) => JSON.stringify(v ?? {}, null, 2);

/**
 * Old and new JSON, one column, removed lines red and added lines green; hidden characters are
 * shown, so an edit that only adds or removes one is seen.
 */
export function JsonDiff({
  before,
  after,
  testId,
}: {
  before: unknown;
  after: unknown;
  testId?: string;
}) {
  const lines = diffLines(prettyJson(before), prettyJson(after));
  const changed = lines.filter((l) => l.kind !== "same").length;
  return (
    <div data-testid={testId}>
      <p className="mb-2 text-xs text-slate-600 dark:text-slate-400">
        {changed === 0
          ? "No change: the inputs are the same."
          : `${changed} changed line${changed === 1 ? "" : "s"}`}
      </p>
      <pre className="max-h-80 overflow-auto rounded-md bg-slate-50 py-2 font-mono text-[13px] leading-5 ring-1 ring-slate-200 ring-inset dark:bg-slate-950 dark:ring-slate-800">
        {lines.map((l, k) => (
          <div
            // biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity beyond their place
            key={k}
            className={cx(
              "px-3 whitespace-pre-wrap break-all",
              l.kind === "add" &&
                "bg-emerald-100 text-emerald-900 dark:bg-emerald-500/15 dark:text-emerald-200",
              l.kind === "del" && "bg-red-100 text-red-900 dark:bg-red-500/15 dark:text-red-200",
            )}
          >
            <span aria-hidden className="mr-2 inline-block w-3 select-none text-slate-400">
              {l.kind === "add" ? "+" : l.kind === "del" ? "−" : " "}
            </span>
            <span className="sr-only">
              {l.kind === "add" ? "added: " : l.kind === "del" ? "removed: " : ""}
            </span>
            <VisibleText text={l.text} />
          </div>
        ))}
      </pre>
    </div>
  );
}
