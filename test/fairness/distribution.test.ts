import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveRound, firstUint64, uniformBig } from '../../src/fairness/derivation';

/*
 * Statistical checks with a fixed seed (deterministic): the derived prize follows the weights and
 * the derived winner the tickets (χ², p > 0.001), and plain `x mod n` is biased where `uniform`
 * is not.
 */

const DRAWS = 20_000;
const seedOf = (i: number) => createHmac('sha256', 'kinoyu-distribution-test').update(`draw:${i}`).digest();

/** Upper 0.001 quantiles of χ² (standard tables). */
const CHI2_CRITICAL_P001: Record<number, number> = { 4: 18.467, 5: 20.515 };

function chiSquare(observed: number[], weights: number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  const draws = observed.reduce((a, b) => a + b, 0);
  return observed.reduce((sum, count, i) => {
    const expected = (draws * weights[i]!) / total;
    return sum + (count - expected) ** 2 / expected;
  }, 0);
}

describe('derived draws follow the weights and the tickets', () => {
  const items = [
    { id: 'a', weight: 50 },
    { id: 'b', weight: 30 },
    { id: 'c', weight: 15 },
    { id: 'd', weight: 4 },
    { id: 'e', weight: 1 },
  ];
  const entrants = [
    { userId: 'u1', tickets: 1 },
    { userId: 'u2', tickets: 1 },
    { userId: 'u3', tickets: 2 },
    { userId: 'u4', tickets: 3 },
    { userId: 'u5', tickets: 1 },
    { userId: 'u6', tickets: 5 },
  ];
  const prizeCounts = new Map(items.map((item) => [item.id, 0]));
  const winnerCounts = new Map(entrants.map((entrant) => [entrant.userId, 0]));
  for (let i = 0; i < DRAWS; i += 1) {
    const round = deriveRound(seedOf(i), { forced: true, chancePpm: 0, items, entrants });
    prizeCounts.set(round.itemId!, prizeCounts.get(round.itemId!)! + 1);
    winnerCounts.set(round.winnerUserId!, winnerCounts.get(round.winnerUserId!)! + 1);
  }
  const prizes = items.map((item) => prizeCounts.get(item.id)!);
  const winners = entrants.map((entrant) => winnerCounts.get(entrant.userId)!);

  it(`prize: χ² over ${DRAWS} draws below the p = 0.001 bound (df 4)`, () => {
    const chi2 = chiSquare(prizes, items.map((item) => item.weight));
    expect(chi2).toBeLessThan(CHI2_CRITICAL_P001[4]!);
    // The same counts against wrong weights (the top two swapped) fail: the test has power.
    expect(chiSquare(prizes, [30, 50, 15, 4, 1])).toBeGreaterThan(CHI2_CRITICAL_P001[4]!);
  });

  it(`winner: χ² over ${DRAWS} draws below the p = 0.001 bound (df 5)`, () => {
    const chi2 = chiSquare(winners, entrants.map((entrant) => entrant.tickets));
    expect(chi2).toBeLessThan(CHI2_CRITICAL_P001[5]!);
    // Uniform over people instead of tickets would be rejected.
    expect(chiSquare(winners, [1, 1, 1, 1, 1, 1])).toBeGreaterThan(CHI2_CRITICAL_P001[5]!);
  });
});

describe('modulo bias: x mod n versus uniform', () => {
  // n ≈ 2^64 · 2/3. Every value below r = 2^64 − n is hit by two x (x and x + n), the others by one.
  const TWO_64 = 2n ** 64n;
  const n = 12297829382473034411n;
  const r = TWO_64 - n;

  it('is biased analytically: P(x mod n < r) = 2r / 2^64 ≈ 2/3, where a uniform value has r / n ≈ 1/2', () => {
    const naive = Number((2n * r * 1_000_000n) / TWO_64) / 1_000_000;
    const fair = Number((r * 1_000_000n) / n) / 1_000_000;
    expect(naive).toBeCloseTo(2 / 3, 5);
    expect(fair).toBeCloseTo(1 / 2, 5);
  });

  it(`is biased by sampling (${DRAWS} draws) while uniform is not`, () => {
    let naiveLow = 0;
    let fairLow = 0;
    for (let i = 0; i < DRAWS; i += 1) {
      const seed = seedOf(i);
      const x = firstUint64(createHmac('sha256', seed).update('bias:0').digest());
      if (x % n < r) naiveLow += 1;
      if (uniformBig(seed, 'bias', n) < r) fairLow += 1;
    }
    // Binomial standard deviation at 20 000 draws is about 0.0035; both bands are > 5 σ wide
    // and 47 σ apart.
    expect(naiveLow / DRAWS).toBeGreaterThan(0.647);
    expect(naiveLow / DRAWS).toBeLessThan(0.687);
    expect(fairLow / DRAWS).toBeGreaterThan(0.48);
    expect(fairLow / DRAWS).toBeLessThan(0.52);
  });
});
