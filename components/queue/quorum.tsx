import { cx } from "../ui/cx";

/** "1 of 2" with a pip per approval needed. */
export function Quorum({
  have,
  need,
  className,
}: {
  have: number;
  need: number;
  className?: string;
}) {
  return (
    <span
      data-testid="quorum"
      className={cx(
        "inline-flex items-center gap-1.5 text-xs text-slate-600 tabular-nums dark:text-slate-400",
        className,
      )}
      title={`${have} of ${need} approval${need === 1 ? "" : "s"} that count`}
    >
      <span aria-hidden className="flex gap-0.5">
        {Array.from({ length: Math.min(need, 5) }, (_, i) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: pips are positions
            key={i}
            className={cx(
              "h-2.5 w-1.5 rounded-sm",
              i < have ? "bg-emerald-600 dark:bg-emerald-400" : "bg-slate-300 dark:bg-slate-600",
            )}
          />
        ))}
      </span>
      <span>
        {have} of {need}
        <span className="sr-only"> approvals</span>
      </span>
    </span>
  );
}
