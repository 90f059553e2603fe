import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveRound } from '../../src/fairness/derivation';
import { ticketsFor } from '../../src/entry/tickets';

/*
 * Luck (issue 13): over 12,000 derived draws (pure derivation, fixed seeds) a subscriber holding 3
 * tickets wins three times as often as a viewer holding 1 (χ², p > 0.001), with the tickets as the
 * round runner gives them (ticketsFor) in the canonical entrants list.
 */

const DRAWS = 12_000;
const seedOf = (i: number) => createHmac('sha256', 'kinoyu-luck-test').update(`draw:${i}`).digest();
/** Upper 0.001 quantile of χ² with 1 degree of freedom. */
const CHI2_DF1_P001 = 10.828;

function chiSquare(observed: number[], weights: number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  const draws = observed.reduce((a, b) => a + b, 0);
  return observed.reduce((sum, count, i) => sum + (count - (draws * weights[i]!) / total) ** 2 / ((draws * weights[i]!) / total), 0);
}

describe('a 3-ticket subscriber against a 1-ticket viewer', () => {
  const luck = { luckSubscriber: 3, luckVip: 1, luckModerator: 1 };
  const entrants = [
    { userId: '41000', tickets: ticketsFor({ subscriber: true, vip: false, moderator: false }, luck) },
    { userId: '41001', tickets: ticketsFor({ subscriber: false, vip: false, moderator: false }, luck) },
  ];
  const wins = new Map(entrants.map((e) => [e.userId, 0]));
  for (let i = 0; i < DRAWS; i += 1) {
    const round = deriveRound(seedOf(i), { forced: true, chancePpm: 0, items: [{ id: 'prize', weight: 1 }], entrants });
    wins.set(round.winnerUserId!, wins.get(round.winnerUserId!)! + 1);
  }
  const observed = entrants.map((e) => wins.get(e.userId)!);

  it('holds 3 and 1 tickets', () => expect(entrants.map((e) => e.tickets)).toEqual([3, 1]));

  it(`wins 3:1 over ${DRAWS} draws (χ² below the p = 0.001 bound, df 1)`, () => {
    expect(chiSquare(observed, [3, 1])).toBeLessThan(CHI2_DF1_P001);
    expect(observed[0]! / observed[1]!).toBeGreaterThan(2.7);
    expect(observed[0]! / observed[1]!).toBeLessThan(3.3);
    // The same counts fail against even odds and against 2:1: the test has power.
    expect(chiSquare(observed, [1, 1])).toBeGreaterThan(CHI2_DF1_P001);
    expect(chiSquare(observed, [2, 1])).toBeGreaterThan(CHI2_DF1_P001);
  });
});
