import { describe, expect, it } from 'vitest';
import { eligibleChatters } from '../../src/chatters/eligibility';
import { generateViewers, InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import { cryptoRandom } from '../../src/raffles/random-source';
import { CHI_SQUARE_CRITICAL_P001, chiSquare } from '../support/seeded-random';

describe('who may win', () => {
  it('keeps the chatters in the order given, minus excluded ids and logins (configured in any case)', () => {
    const [a, b, c, d] = generateViewers(4);
    const eligible = eligibleChatters([a!, b!, c!, { ...d!, login: 'nightbot' }], {
      excludeUserIds: [c!.userId],
      excludeLogins: ['NightBot'],
    });
    expect(eligible).toEqual([a, b]);
  });

  it('filters 100 000 chatters', () => {
    const chatters = generateViewers(100_000);
    const eligible = eligibleChatters(chatters, {
      excludeUserIds: chatters.slice(0, 10).map((chatter) => chatter.userId),
      excludeLogins: [chatters[500]!.login],
    });
    expect(eligible).toHaveLength(99_989);
  });

  it('gets each chatter once from the in-memory source, logins lowercase, whatever it was given', async () => {
    const [a, b] = generateViewers(2);
    const source = new InMemoryChatterSource();
    source.set('s', [a!, { ...b!, login: 'Viewer_B' }, a!]);
    expect((await source.snapshot({ id: 's', twitchUserId: null, login: null })).chatters).toEqual([a, { ...b!, login: 'viewer_b' }]);
  });
});

describe('the crypto random source used by rounds', () => {
  it('picks indexes uniformly (χ² over 20 000 picks among 20, p > 0.001)', () => {
    const counts = new Array(20).fill(0) as number[];
    for (let draw = 0; draw < 20_000; draw += 1) counts[cryptoRandom.index(20)]! += 1;
    expect(chiSquare(counts, counts.map(() => 1 / 20))).toBeLessThan(CHI_SQUARE_CRITICAL_P001[19]!);
  });

  it('draws uniform values in [0, 1) (χ² over 20 000 values in 10 bins)', () => {
    const counts = new Array(10).fill(0) as number[];
    for (let draw = 0; draw < 20_000; draw += 1) {
      const value = cryptoRandom.uniform();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      counts[Math.floor(value * 10)]! += 1;
    }
    expect(chiSquare(counts, counts.map(() => 1 / 10))).toBeLessThan(CHI_SQUARE_CRITICAL_P001[9]!);
  });
});
