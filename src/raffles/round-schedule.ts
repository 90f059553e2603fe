/**
 * Fixed-rate schedule: a raffle's rounds are due at startedAt + k × interval, whenever a round
 * actually ran. The next round is the due time plus the interval; when that slot is already past
 * (the instance was far behind or down), it is the first slot still in the future: missed slots
 * are skipped, never drawn in a burst of catch-up rounds. A forced draw (drawRound) before the due
 * time is an extra round: the schedule stays as it was.
 */
export function nextRoundAt(dueAt: Date, intervalSeconds: number, now: Date): Date {
  if (dueAt.getTime() > now.getTime()) return dueAt;
  const intervalMs = intervalSeconds * 1000;
  const next = dueAt.getTime() + intervalMs;
  if (next > now.getTime()) return new Date(next);
  const behind = Math.floor((now.getTime() - next) / intervalMs) + 1;
  return new Date(next + behind * intervalMs);
}
