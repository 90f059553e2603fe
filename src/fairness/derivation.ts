import { hmacSha256 } from './bytes';
import { canonicalEntrants, canonicalItems, type CanonicalEntrant, type CanonicalItem } from './canonical';

/*
 * The derivation (FAIRNESS.md v1, "Derivation"): from the round's 32 random bytes and its
 * commitHash to the outcome. Pure: the same inputs always give the same round.
 */

const TWO_64 = 1n << 64n;

/** seed = HMAC-SHA256(key = randomness (32 bytes), message = commitHash as its hex text). */
export function roundSeed(randomness: Uint8Array, commitHashHex: string): Uint8Array {
  if (randomness.length !== 32) throw new Error(`randomness must be 32 bytes, got ${randomness.length}`);
  return hmacSha256(randomness, commitHashHex);
}

/** The first 8 bytes of b as an unsigned big-endian integer. */
export function firstUint64(b: Uint8Array): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0);
}

/** Below this bound `x mod n` is uniform: 2^64 − (2^64 mod n). */
export function acceptBound(n: bigint): bigint {
  return TWO_64 - (TWO_64 % n);
}

/**
 * An integer in [0, n) without modulo bias: counter = 0, 1, 2, …:
 * b = HMAC-SHA256(seed, purpose + ":" + counter), x = uint64_be(b[0..8)), return x mod n once
 * x < 2^64 − (2^64 mod n). `n` in [1, 2^64].
 */
export function uniformBig(seed: Uint8Array, purpose: string, n: bigint): bigint {
  if (n < 1n || n > TWO_64) throw new RangeError(`n must be in [1, 2^64], got ${n}`);
  const bound = acceptBound(n);
  for (let counter = 0; ; counter += 1) {
    const x = firstUint64(hmacSha256(seed, `${purpose}:${counter}`));
    if (x < bound) return x % n;
  }
}

/** uniformBig for n a positive safe integer. */
export function uniform(seed: Uint8Array, purpose: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`n must be a positive safe integer, got ${n}`);
  return Number(uniformBig(seed, purpose, BigInt(n)));
}

export type DerivedOutcome = 'WINNER' | 'SKIPPED' | 'NO_ITEMS' | 'NO_ELIGIBLE_CHATTERS';

export interface RoundInputs {
  forced: boolean;
  chancePpm: number;
  items: readonly CanonicalItem[];
  entrants: readonly CanonicalEntrant[];
  /**
   * Set only by a caller whose lists came from canonicalItems / canonicalEntrants unchanged (the
   * server's round, over 100k entrants): skips checking the order again. Verifiers leave it unset.
   */
  alreadyCanonical?: boolean;
}

export interface DerivedRound {
  outcome: DerivedOutcome;
  /** uniform("chance", 1000000); null when forced. */
  chanceValue: number | null;
  /** The prize target t = uniform("prize", Σ weight) that make_raffle takes; null unless WINNER. */
  prizeTarget: number | null;
  totalWeight: number;
  itemId: string | null;
  /** t = uniform("winner", Σ tickets); null unless WINNER. */
  winnerTarget: number | null;
  totalTickets: number;
  winnerUserId: string | null;
}

/** The first entry whose running sum of `weightOf` exceeds `target` (entries in canonical order). */
export function pickByRunningSum<T>(entries: readonly T[], weightOf: (entry: T) => number, target: number): T {
  let sum = 0;
  for (const entry of entries) {
    sum += weightOf(entry);
    if (sum > target) return entry;
  }
  throw new RangeError(`target ${target} is not below the total ${sum}`);
}

/**
 * The round from its seed: SKIPPED by chance (only when not forced), NO_ITEMS, NO_ELIGIBLE_CHATTERS,
 * else the prize (running sum of weights over t) and the winner (running sum of tickets over t).
 */
export function deriveRound(seed: Uint8Array, inputs: RoundInputs): DerivedRound {
  const items = inputs.alreadyCanonical ? inputs.items : canonicalItems(inputs.items);
  const entrants = inputs.alreadyCanonical ? inputs.entrants : canonicalEntrants(inputs.entrants);
  const totalWeight = items.reduce((sum, item) => sum + item.weight, 0);
  const totalTickets = entrants.reduce((sum, entrant) => sum + entrant.tickets, 0);
  const none = { prizeTarget: null, itemId: null, winnerTarget: null, winnerUserId: null, totalWeight, totalTickets };
  let chanceValue: number | null = null;
  if (!inputs.forced) {
    chanceValue = uniform(seed, 'chance', 1_000_000);
    if (chanceValue >= inputs.chancePpm) return { outcome: 'SKIPPED', chanceValue, ...none };
  }
  if (items.length === 0) return { outcome: 'NO_ITEMS', chanceValue, ...none };
  if (entrants.length === 0) return { outcome: 'NO_ELIGIBLE_CHATTERS', chanceValue, ...none };
  const prizeTarget = uniform(seed, 'prize', totalWeight);
  const winnerTarget = uniform(seed, 'winner', totalTickets);
  return {
    outcome: 'WINNER',
    chanceValue,
    prizeTarget,
    totalWeight,
    itemId: pickByRunningSum(items, (item) => item.weight, prizeTarget).id,
    winnerTarget,
    totalTickets,
    winnerUserId: pickByRunningSum(entrants, (entrant) => entrant.tickets, winnerTarget).userId,
  };
}
