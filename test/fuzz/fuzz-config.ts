/**
 * How much the fuzz suite runs. The bounded default (part of `npm test`) is about 10k cases in
 * total; `npm run fuzz` multiplies it. This is test configuration, read here and nowhere else in
 * the tests (src/config is the app's and knows nothing of it):
 *
 * - `FUZZ_RUNS`: multiplier of every property's default number of runs (default 1).
 * - `FUZZ_SEED`: the seed (default fixed, so a failure is reproducible; it is printed).
 */
const multiplier = Number(process.env.FUZZ_RUNS ?? 1);
if (!Number.isFinite(multiplier) || multiplier <= 0) throw new Error(`FUZZ_RUNS must be a positive number, got ${process.env.FUZZ_RUNS}`);

export const FUZZ_SEED = Number.parseInt(process.env.FUZZ_SEED ?? '20261201', 10);
export const FUZZ_MULTIPLIER = multiplier;

/** Runs of one property: its share of the bounded budget, times FUZZ_RUNS. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * multiplier));
}

/** A test's time limit grows with the number of runs (generous: the CI machine is shared). */
export function timeoutFor(base: number, perCaseMs = 200): number {
  return 30_000 + runs(base) * perCaseMs;
}

/** fast-check parameters of one property; `path` replays one failure (printed by fast-check). */
export function fuzzParameters(base: number) {
  return { numRuns: runs(base), seed: FUZZ_SEED, endOnFailure: true, verbose: 1 } as const;
}

/** How many cases each property ran, printed at the end of a file. */
export class CaseCounter {
  private readonly counts = new Map<string, number>();

  count(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  report(title: string): string {
    const total = [...this.counts.values()].reduce((sum, value) => sum + value, 0);
    const lines = [...this.counts].map(([name, value]) => `  ${name}: ${value}`);
    return `${title} (seed ${FUZZ_SEED}, FUZZ_RUNS ${FUZZ_MULTIPLIER}): ${total} cases\n${lines.join('\n')}`;
  }
}
