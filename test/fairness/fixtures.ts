/** Proof bundles for the fairness tests, built through the public builder (prepareCommit → derive → buildProofBundle). */
import { hexToBytes } from '../../src/fairness/bytes';
import type { SourceRef } from '../../src/fairness/canonical';
import { deriveRound, roundSeed } from '../../src/fairness/derivation';
import type { Beacon } from '../../src/fairness/drand-chain';
import { buildProofBundle, prepareCommit, type CommitRequest, type ProofBundle } from '../../src/fairness/proof-bundle';
import { sealHash, sealedRoundRandomness } from '../../src/fairness/sealed';

export const ITEMS = [
  { id: 'item-gold', weight: 5 },
  { id: 'item-bronze', weight: 70 },
  { id: 'item-silver', weight: 25 },
];

export const ENTRANTS = [
  { userId: '3003', login: 'carol', tickets: 1 },
  { userId: '1001', login: 'alice', tickets: 3 },
  { userId: '2002', login: 'bob', tickets: 1 },
  { userId: '4004', login: 'dave', tickets: 2 },
];

type Request = Omit<CommitRequest, 'source'>;

export const BASE_REQUEST: Request = {
  raffleId: 'raffle-1',
  roundNumber: 7,
  forced: true,
  chancePpm: 800_000,
  items: ITEMS,
  entrants: ENTRANTS,
};

export const SERVER_SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

export function sealedBundle(request: Partial<Request> = {}, serverSeed = SERVER_SEED): ProofBundle {
  const req = { ...BASE_REQUEST, ...request };
  const commit = prepareCommit({ ...req, source: { kind: 'sealed', sealHash: sealHash(serverSeed) } });
  const derived = deriveRound(roundSeed(sealedRoundRandomness(serverSeed, req.roundNumber), commit.commitHash), commit);
  return buildProofBundle({
    commit,
    roundId: 'round-7',
    committedAt: new Date('2026-12-01T20:00:00.000Z'),
    reveal: { serverSeed },
    outcome: derived.outcome,
    itemId: derived.itemId,
    winnerUserId: derived.winnerUserId,
  });
}

/** A drand bundle whose beacon comes from `sign` (a stand-in's key, or a recorded real beacon). */
export function drandBundle(options: { chainHash: string; round: number; beacon: Beacon; committedAt: string; request?: Partial<Request> }): ProofBundle {
  const req = { ...BASE_REQUEST, ...options.request };
  const source: SourceRef = { kind: 'drand', chainHash: options.chainHash, round: options.round };
  const commit = prepareCommit({ ...req, source });
  const derived = deriveRound(roundSeed(hexToBytes(options.beacon.randomness), commit.commitHash), commit);
  return buildProofBundle({
    commit,
    roundId: 'round-7',
    committedAt: options.committedAt,
    reveal: { beacon: options.beacon },
    outcome: derived.outcome,
    itemId: derived.itemId,
    winnerUserId: derived.winnerUserId,
  });
}

export const clone = <T>(value: T): T => structuredClone(value);
