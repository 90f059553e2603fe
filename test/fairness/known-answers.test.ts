import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chancePpm, commitHash, commitText, entrantsHash, entrantsList, itemsHash, itemsList } from '../../src/fairness/canonical';
import { deriveRound, roundSeed, uniformBig } from '../../src/fairness/derivation';
import { chainInfoHash, checkBeacon, QUICKNET, roundAfter, roundTimeMs } from '../../src/fairness/drand-chain';
import { sealHash, sealedRoundRandomness } from '../../src/fairness/sealed';
import { verifyBundle } from '../../src/fairness/verify';
import { BASE_REQUEST, drandBundle, ENTRANTS, ITEMS, SERVER_SEED, sealedBundle } from './fixtures';

/*
 * Known answers derived step by step here with node:crypto (an implementation independent of the
 * @noble/hashes code under test), following FAIRNESS.md v1 line by line. The literals are what
 * those steps give; a third-party verifier can check itself against them.
 */

const sha256Hex = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer, message: string) => createHmac('sha256', key).update(message, 'utf8').digest();

/** uniform(purpose, n) by the contract's words: counter loop, uint64_be(b[0..8)), accept x < 2^64 − (2^64 mod n). */
function handUniform(seed: Buffer, purpose: string, n: bigint): { value: bigint; counter: number } {
  const bound = 2n ** 64n - (2n ** 64n % n);
  for (let counter = 0; ; counter += 1) {
    const x = hmac(seed, `${purpose}:${counter}`).readBigUInt64BE(0);
    if (x < bound) return { value: x % n, counter };
  }
}

describe('canonical inputs and commit (hand-derived)', () => {
  const ITEMS_LIST = 'item-bronze:70\nitem-gold:5\nitem-silver:25';
  const ENTRANTS_LIST = '1001:3\n2002:1\n3003:1\n4004:2';
  const SEAL_HASH = '630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd';

  it('builds the lists sorted by id, joined by \\n, without a trailing newline, and hashes them', () => {
    expect(itemsList(ITEMS)).toBe(ITEMS_LIST);
    expect(entrantsList(ENTRANTS)).toBe(ENTRANTS_LIST);
    expect(itemsHash(ITEMS)).toBe('d73d000f90d9ed1a8363fe05fb9718a3f640c6b7c4611ffa0e02ece9a8518af6');
    expect(sha256Hex(ITEMS_LIST)).toBe('d73d000f90d9ed1a8363fe05fb9718a3f640c6b7c4611ffa0e02ece9a8518af6');
    expect(entrantsHash(ENTRANTS)).toBe('031235ebb9b541d94f1256ad0fd9a54b75d927f5b25fe635dbb709ddc15bfcbd');
    expect(sha256Hex(ENTRANTS_LIST)).toBe('031235ebb9b541d94f1256ad0fd9a54b75d927f5b25fe635dbb709ddc15bfcbd');
  });

  it('sorts bytewise by UTF-8, not by UTF-16 code units', () => {
    // U+FF21 is EF BC A1 in UTF-8 and U+1F600 is F0 9F 98 80: bytewise U+FF21 comes first,
    // although JavaScript's default sort (UTF-16: FF21 vs D83D) puts the emoji first.
    const entrants = [{ userId: '\u{1F600}', tickets: 1 }, { userId: '\uFF21', tickets: 2 }, { userId: 'a', tickets: 1 }];
    expect(entrants.map((e) => e.userId).sort()).toEqual(['a', '\u{1F600}', '\uFF21']);
    expect(entrantsList(entrants)).toBe('a:1\n\uFF21:2\n\u{1F600}:1');
  });

  it('writes the eight commit lines and hashes them', () => {
    expect(sealHash(SERVER_SEED)).toBe(SEAL_HASH);
    expect(sha256Hex(Buffer.from(SERVER_SEED, 'hex'))).toBe(SEAL_HASH);
    const expected = [
      'kinoyu-round-v1',
      'raffle-1',
      '7',
      '1',
      '800000',
      'd73d000f90d9ed1a8363fe05fb9718a3f640c6b7c4611ffa0e02ece9a8518af6',
      '031235ebb9b541d94f1256ad0fd9a54b75d927f5b25fe635dbb709ddc15bfcbd',
      `sealed:${SEAL_HASH}`,
    ].join('\n');
    const input = { ...BASE_REQUEST, itemsHash: itemsHash(ITEMS), entrantsHash: entrantsHash(ENTRANTS), source: { kind: 'sealed' as const, sealHash: SEAL_HASH } };
    expect(commitText(input)).toBe(expected);
    expect(commitHash(input)).toBe('a7aa004710f9728dbaa829b70dd93f685e9a444ab3f38184bec13ac851fada8a');
    expect(sha256Hex(expected)).toBe('a7aa004710f9728dbaa829b70dd93f685e9a444ab3f38184bec13ac851fada8a');
    expect(commitText({ ...input, forced: false, source: { kind: 'drand', chainHash: QUICKNET.hash, round: 42 } }).split('\n').slice(3)).toEqual([
      '0',
      '800000',
      input.itemsHash,
      input.entrantsHash,
      `drand:${QUICKNET.hash}:42`,
    ]);
  });

  it('rounds drawChance to parts per million', () => {
    expect([chancePpm(1), chancePpm(0.8), chancePpm(0.35), chancePpm(0.0000005), chancePpm(0)]).toEqual([1_000_000, 800_000, 350_000, 1, 0]);
    expect(() => chancePpm(1.01)).toThrow();
  });
});

describe('sealed derivation (hand-derived)', () => {
  const COMMIT_HASH = 'a7aa004710f9728dbaa829b70dd93f685e9a444ab3f38184bec13ac851fada8a';

  it('R = HMAC(serverSeed, "round:7"), seed = HMAC(R, commitHash hex), then prize and winner by running sums', () => {
    const R = hmac(Buffer.from(SERVER_SEED, 'hex'), 'round:7');
    expect(R.toString('hex')).toBe('815b357eb1d398fd3d057d1299919639de23829e051309f19e06a21d18136dd1');
    expect(Buffer.from(sealedRoundRandomness(SERVER_SEED, 7)).toString('hex')).toBe(R.toString('hex'));
    const seed = hmac(R, COMMIT_HASH);
    expect(seed.toString('hex')).toBe('8e88141433d632029d3e496e9cae2d6d7bbe0a4fb1c324512ef79a09239c42d6');
    expect(Buffer.from(roundSeed(R, COMMIT_HASH)).toString('hex')).toBe(seed.toString('hex'));

    // Σ weight = 70 + 5 + 25 = 100; Σ tickets = 3 + 1 + 1 + 2 = 7.
    expect(handUniform(seed, 'prize', 100n)).toEqual({ value: 88n, counter: 0 });
    expect(handUniform(seed, 'winner', 7n)).toEqual({ value: 3n, counter: 0 });
    // Running sums: bronze 70 (t 0–69), gold 75 (70–74), silver 100 (75–99) → t = 88 is silver.
    // 1001 has 3 (t 0–2), 2002 reaches 4 (t = 3) → 2002.
    const derived = deriveRound(seed, BASE_REQUEST);
    expect(derived).toEqual({
      outcome: 'WINNER',
      chanceValue: null,
      prizeTarget: 88,
      totalWeight: 100,
      itemId: 'item-silver',
      winnerTarget: 3,
      totalTickets: 7,
      winnerUserId: '2002',
    });
    const bundle = sealedBundle();
    expect(bundle).toMatchObject({ commitHash: COMMIT_HASH, outcome: 'WINNER', itemId: 'item-silver', winnerUserId: '2002' });
    expect(verifyBundle(bundle).verified).toBe(true);
  });

  it('takes the chance roll only when not forced, and orders SKIPPED before NO_ITEMS and NO_ELIGIBLE_CHATTERS', () => {
    const seed = Buffer.from('8e88141433d632029d3e496e9cae2d6d7bbe0a4fb1c324512ef79a09239c42d6', 'hex');
    const chance = Number(handUniform(seed, 'chance', 1_000_000n).value);
    expect(chance).toBe(523300);
    const scheduled = { ...BASE_REQUEST, forced: false };
    expect(deriveRound(seed, { ...scheduled, chancePpm: chance }).outcome).toBe('SKIPPED');
    expect(deriveRound(seed, { ...scheduled, chancePpm: chance, items: [] }).outcome).toBe('SKIPPED');
    expect(deriveRound(seed, { ...scheduled, chancePpm: chance + 1 }).outcome).toBe('WINNER');
    expect(deriveRound(seed, { ...scheduled, chancePpm: chance + 1, items: [] }).outcome).toBe('NO_ITEMS');
    expect(deriveRound(seed, { ...scheduled, chancePpm: chance + 1, items: [], entrants: [] }).outcome).toBe('NO_ITEMS');
    expect(deriveRound(seed, { ...scheduled, chancePpm: chance + 1, entrants: [] }).outcome).toBe('NO_ELIGIBLE_CHATTERS');
    expect(deriveRound(seed, { ...BASE_REQUEST, chancePpm: 0 }).outcome).toBe('WINNER');
  });
});

describe('uniform rejection (hand-derived)', () => {
  // n just above 2^64 · 2/3: 2^64 mod n = 2^64 − n, so x is accepted only when x < n (about 2/3 of the time).
  const n = 12297829382473034411n;

  it('skips a rejected counter and returns the next accepted x mod n', () => {
    let found = 0;
    for (let i = 0; found < 3; i += 1) {
      const seed = hmac(Buffer.from('kinoyu-kat'), `seed:${i}`);
      const hand = handUniform(seed, 'prize', n);
      if (hand.counter === 0) continue;
      found += 1;
      expect(hmac(seed, 'prize:0').readBigUInt64BE(0) >= n).toBe(true);
      expect(uniformBig(seed, 'prize', n)).toBe(hand.value);
    }
  });

  it('accepts everything when n divides 2^64 and handles n = 1', () => {
    const seed = hmac(Buffer.from('kinoyu-kat'), 'pow2');
    expect(uniformBig(seed, 'x', 2n ** 64n)).toBe(hmac(seed, 'x:0').readBigUInt64BE(0));
    expect(uniformBig(seed, 'x', 1n)).toBe(0n);
    expect(() => uniformBig(seed, 'x', 0n)).toThrow(RangeError);
  });
});

describe('quicknet, offline', () => {
  it('pins the public key whose info hashes to the quicknet chain hash', () => {
    // drand: sha256(uint32_be(period) ‖ int64_be(genesis) ‖ public key ‖ group hash ‖ beacon id).
    const head = Buffer.alloc(12);
    head.writeUInt32BE(3, 0);
    head.writeBigInt64BE(1692803367n, 4);
    const hand = sha256Hex(Buffer.concat([head, Buffer.from(QUICKNET.publicKey, 'hex'), Buffer.from(QUICKNET.groupHash, 'hex'), Buffer.from('quicknet')]));
    expect(hand).toBe('52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971');
    expect(chainInfoHash(QUICKNET)).toBe(hand);
  });

  // A real quicknet beacon (round 657413), as drand's relays serve it.
  const REAL = {
    round: 657413,
    signature: 'b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b',
    randomness: 'fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587',
  };

  it('verifies a real beacon against the pinned key and refuses it for another round', () => {
    expect(sha256Hex(Buffer.from(REAL.signature, 'hex'))).toBe(REAL.randomness);
    expect(checkBeacon(QUICKNET.publicKey, REAL)).toEqual({ ok: true });
    expect(checkBeacon(QUICKNET.publicKey, { ...REAL, round: REAL.round + 1 })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('computes round times and the first round after a time', () => {
    expect(roundTimeMs(QUICKNET, 1)).toBe(1692803367_000);
    expect(roundTimeMs(QUICKNET, 657413)).toBe((1692803367 + 657412 * 3) * 1000);
    const at = roundTimeMs(QUICKNET, 657413);
    expect(roundAfter(QUICKNET, at - 1)).toBe(657413);
    expect(roundAfter(QUICKNET, at)).toBe(657414);
    expect(roundAfter(QUICKNET, 0)).toBe(1);
  });

  it('verifies a drand bundle built on the real beacon, committed 3 s before its round', () => {
    const committedAt = new Date(roundTimeMs(QUICKNET, REAL.round) - 3000).toISOString();
    const bundle = drandBundle({ chainHash: QUICKNET.hash, round: REAL.round, beacon: REAL, committedAt });
    const result = verifyBundle(bundle);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps.map((s) => s.id)).toEqual(['format', 'items', 'entrants', 'commit', 'chain', 'beacon', 'timing', 'draw']);
    expect(result.verified).toBe(true);
  });
});
