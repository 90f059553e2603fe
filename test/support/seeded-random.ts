import type { RandomSource } from '../../src/raffles/random-source';

/** sfc32: a small seeded generator, so statistical tests are deterministic. */
export function seededRandom(seed: number): RandomSource & { next(): number } {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ (seed * 31);
  let c = 0xb7e15162 ^ (seed * 131);
  let d = 1;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i += 1) next();
  return { next, uniform: next, index: (size) => Math.floor(next() * size) };
}

/** Pearson's χ² statistic of observed counts against expected probabilities. */
export function chiSquare(observed: number[], probabilities: number[]): number {
  const total = observed.reduce((sum, count) => sum + count, 0);
  return observed.reduce((sum, count, index) => {
    const expected = total * probabilities[index]!;
    return sum + (count - expected) ** 2 / expected;
  }, 0);
}

/** χ² critical values at p = 0.001 by degrees of freedom (a statistic below passes at p > 0.001). */
export const CHI_SQUARE_CRITICAL_P001: Record<number, number> = {
  1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 6: 22.458, 7: 24.322, 8: 26.124, 9: 27.877,
  19: 43.82, 49: 85.351, 99: 148.23,
};

/** Seeded serverSeeds for sealed raffles (hex, 32 bytes): deterministic tests, never production. */
export function seededServerSeeds(seed: number): () => string {
  const random = seededRandom(seed);
  return () =>
    Array.from({ length: 32 }, () => Math.floor(random.next() * 256).toString(16).padStart(2, '0')).join('');
}
