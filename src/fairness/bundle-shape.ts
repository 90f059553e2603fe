import { isHex } from './bytes';
import type { Beacon } from './drand-chain';
import { PROOF_VERSION, type ProofBundle, type ProofOutcome, type ProofSource } from './proof-bundle';

/* Reads untrusted JSON as a ProofBundle (v1), naming the first field that does not fit. */

export type ShapeResult = { ok: true; bundle: ProofBundle } | { ok: false; problem: string };

const OUTCOMES: readonly ProofOutcome[] = ['WINNER', 'SKIPPED', 'NO_ITEMS', 'NO_ELIGIBLE_CHATTERS', 'BEACON_UNAVAILABLE'];

class ShapeError extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShapeError(`${path} must be an object`);
  return value as Json;
}
function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${path} must be a string`);
  return value;
}
function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new ShapeError(`${path} must be an integer ≥ ${min}`);
  return value;
}
function hex(value: unknown, path: string, bytes: number): string {
  if (!isHex(value, bytes)) throw new ShapeError(`${path} must be ${bytes} bytes of lower-case hex`);
  return value;
}
function nullable<T>(value: unknown, read: (value: unknown) => T): T | null {
  return value === null ? null : read(value);
}

function beacon(value: unknown): Beacon {
  const b = object(value, 'source.beacon');
  return {
    round: integer(b.round, 'source.beacon.round', 1),
    randomness: hex(b.randomness, 'source.beacon.randomness', 32),
    signature: hex(b.signature, 'source.beacon.signature', 48),
  };
}

function source(value: unknown): ProofSource {
  const s = object(value, 'source');
  if (s.kind === 'drand') {
    return { kind: 'drand', chainHash: hex(s.chainHash, 'source.chainHash', 32), round: integer(s.round, 'source.round', 1), beacon: nullable(s.beacon ?? null, beacon) };
  }
  if (s.kind === 'sealed') {
    return {
      kind: 'sealed',
      sealHash: hex(s.sealHash, 'source.sealHash', 32),
      serverSeed: nullable(s.serverSeed ?? null, (seed) => hex(seed, 'source.serverSeed', 32)),
    };
  }
  throw new ShapeError('source.kind must be "drand" or "sealed"');
}

export function readBundle(value: unknown): ShapeResult {
  try {
    const b = object(value, 'bundle');
    if (b.version !== PROOF_VERSION) throw new ShapeError(`version must be ${PROOF_VERSION}, got ${JSON.stringify(b.version)}`);
    if (typeof b.forced !== 'boolean') throw new ShapeError('forced must be true or false');
    if (!Array.isArray(b.items)) throw new ShapeError('items must be an array');
    if (!Array.isArray(b.entrants)) throw new ShapeError('entrants must be an array');
    if (!OUTCOMES.includes(b.outcome as ProofOutcome)) throw new ShapeError(`outcome must be one of ${OUTCOMES.join(', ')}`);
    const committedAt = string(b.committedAt, 'committedAt');
    if (Number.isNaN(Date.parse(committedAt))) throw new ShapeError('committedAt must be an ISO 8601 time');
    return {
      ok: true,
      bundle: {
        version: PROOF_VERSION,
        raffleId: string(b.raffleId, 'raffleId'),
        roundId: string(b.roundId, 'roundId'),
        roundNumber: integer(b.roundNumber, 'roundNumber', 1),
        forced: b.forced,
        chancePpm: integer(b.chancePpm, 'chancePpm', 0),
        items: b.items.map((entry, i) => {
          const item = object(entry, `items[${i}]`);
          return { id: string(item.id, `items[${i}].id`), weight: integer(item.weight, `items[${i}].weight`, 1) };
        }),
        entrants: b.entrants.map((entry, i) => {
          const entrant = object(entry, `entrants[${i}]`);
          return {
            userId: string(entrant.userId, `entrants[${i}].userId`),
            login: string(entrant.login, `entrants[${i}].login`),
            tickets: integer(entrant.tickets, `entrants[${i}].tickets`, 1),
          };
        }),
        itemsHash: hex(b.itemsHash, 'itemsHash', 32),
        entrantsHash: hex(b.entrantsHash, 'entrantsHash', 32),
        source: source(b.source),
        commitHash: hex(b.commitHash, 'commitHash', 32),
        committedAt,
        outcome: b.outcome as ProofOutcome,
        itemId: nullable(b.itemId ?? null, (id) => string(id, 'itemId')),
        winnerUserId: nullable(b.winnerUserId ?? null, (id) => string(id, 'winnerUserId')),
      },
    };
  } catch (error) {
    if (error instanceof ShapeError) return { ok: false, problem: error.message };
    throw error;
  }
}
