// Durations as operators type them on the command line: a whole number and a unit.

const UNIT_SECONDS = { m: 60, h: 60 * 60, d: 24 * 60 * 60 } as const;

export type Duration = { ok: true; seconds: number } | { ok: false; problem: string };

/**
 * `90m`, `12h`, `30d` in seconds, at most `maxSeconds`; anything else is a problem worded
 * for the flag it came from ("--expires-in: …").
 */
export function parseDuration(text: string, flag: string, maxSeconds: number): Duration {
  const match = /^([0-9]{1,7})([mhd])$/.exec(text.trim());
  const unit = match?.[2] as keyof typeof UNIT_SECONDS | undefined;
  if (!match || unit === undefined) {
    return {
      ok: false,
      problem: `${flag}: expected a whole number and a unit (m, h or d), such as 90m, 12h or 30d; got "${text}"`,
    };
  }
  const seconds = Number(match[1]) * UNIT_SECONDS[unit];
  if (seconds <= 0) return { ok: false, problem: `${flag}: must be longer than 0` };
  if (seconds > maxSeconds) {
    return { ok: false, problem: `${flag}: at most ${maxSeconds / UNIT_SECONDS.d}d` };
  }
  return { ok: true, seconds };
}
