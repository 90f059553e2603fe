import { hexToBytes } from './bytes';
import {
  canonicalEntrants,
  canonicalItems,
  commitHash,
  entrantsHash,
  itemsHash,
  type CanonicalItem,
  type SourceRef,
} from './canonical';
import type { Beacon } from './drand-chain';
import type { DerivedOutcome } from './derivation';
import { sealedRoundRandomness } from './sealed';

/* The proof bundle of FAIRNESS.md v1: the JSON that GET /rounds/<id>/proof.json and Round.proof return. */

export const PROOF_VERSION = 1;

export type ProofOutcome = DerivedOutcome | 'BEACON_UNAVAILABLE';

export interface ProofEntrant {
  userId: string;
  login: string;
  tickets: number;
}

export interface DrandProofSource {
  kind: 'drand';
  chainHash: string;
  round: number;
  /** null until the beacon is fetched (and for BEACON_UNAVAILABLE). */
  beacon: Beacon | null;
}

export interface SealedProofSource {
  kind: 'sealed';
  sealHash: string;
  /** null until the raffle ends, then the revealed hex seed. */
  serverSeed: string | null;
}

export type ProofSource = DrandProofSource | SealedProofSource;

export interface ProofBundle {
  version: typeof PROOF_VERSION;
  raffleId: string;
  roundId: string;
  roundNumber: number;
  forced: boolean;
  chancePpm: number;
  items: CanonicalItem[];
  entrants: ProofEntrant[];
  itemsHash: string;
  entrantsHash: string;
  source: ProofSource;
  commitHash: string;
  /** ISO 8601, milliseconds, UTC. */
  committedAt: string;
  outcome: ProofOutcome;
  itemId: string | null;
  winnerUserId: string | null;
}

/** What a round publishes before its randomness exists. */
export interface RoundCommit {
  raffleId: string;
  roundNumber: number;
  forced: boolean;
  chancePpm: number;
  items: CanonicalItem[];
  entrants: ProofEntrant[];
  itemsHash: string;
  entrantsHash: string;
  source: SourceRef;
  commitHash: string;
}

export interface CommitRequest {
  raffleId: string;
  roundNumber: number;
  forced: boolean;
  chancePpm: number;
  /** Items with copies left at commit time. */
  items: readonly CanonicalItem[];
  /** Eligible entrants after every exclusion. */
  entrants: readonly ProofEntrant[];
  source: SourceRef;
}

/** Canonical order, hashes and commitHash of a round about to be drawn. Throws CanonicalInputError. */
export function prepareCommit(request: CommitRequest): RoundCommit {
  const items = canonicalItems(request.items).map(({ id, weight }) => ({ id, weight }));
  const entrants = canonicalEntrants(request.entrants).map(({ userId, login, tickets }) => ({ userId, login, tickets }));
  const hashes = { itemsHash: itemsHash(items), entrantsHash: entrantsHash(entrants) };
  const source: SourceRef =
    request.source.kind === 'drand'
      ? { kind: 'drand', chainHash: request.source.chainHash, round: request.source.round }
      : { kind: 'sealed', sealHash: request.source.sealHash };
  return {
    raffleId: request.raffleId,
    roundNumber: request.roundNumber,
    forced: request.forced,
    chancePpm: request.chancePpm,
    items,
    entrants,
    ...hashes,
    source,
    commitHash: commitHash({ ...request, ...hashes, source }),
  };
}

/** The round's 32 random bytes: the beacon's randomness, or the sealed R; null while not known. */
export function randomnessOf(source: ProofSource, roundNumber: number): Uint8Array | null {
  if (source.kind === 'drand') return source.beacon ? hexToBytes(source.beacon.randomness) : null;
  return source.serverSeed === null ? null : sealedRoundRandomness(source.serverSeed, roundNumber);
}

export interface BundleRequest {
  commit: RoundCommit;
  roundId: string;
  committedAt: Date | string;
  /** drand: the beacon once known; sealed: the seed once revealed. */
  reveal: { beacon: Beacon | null } | { serverSeed: string | null };
  outcome: ProofOutcome;
  itemId: string | null;
  winnerUserId: string | null;
}

/** The proof bundle, keys in the order of FAIRNESS.md. */
export function buildProofBundle(request: BundleRequest): ProofBundle {
  const { commit } = request;
  const source: ProofSource =
    commit.source.kind === 'drand'
      ? { kind: 'drand', chainHash: commit.source.chainHash, round: commit.source.round, beacon: 'beacon' in request.reveal ? request.reveal.beacon : null }
      : { kind: 'sealed', sealHash: commit.source.sealHash, serverSeed: 'serverSeed' in request.reveal ? request.reveal.serverSeed : null };
  return {
    version: PROOF_VERSION,
    raffleId: commit.raffleId,
    roundId: request.roundId,
    roundNumber: commit.roundNumber,
    forced: commit.forced,
    chancePpm: commit.chancePpm,
    items: commit.items,
    entrants: commit.entrants,
    itemsHash: commit.itemsHash,
    entrantsHash: commit.entrantsHash,
    source,
    commitHash: commit.commitHash,
    committedAt: typeof request.committedAt === 'string' ? request.committedAt : request.committedAt.toISOString(),
    outcome: request.outcome,
    itemId: request.itemId,
    winnerUserId: request.winnerUserId,
  };
}
