import type { Db } from '../db/database';
import { buildProofBundle, type ProofBundle } from '../fairness/proof-bundle';
import { commitFromRow, parseItemsList } from '../raffles/round-commit';
import type { ServerSeedVault } from '../raffles/server-seed-vault';
import type { EntrantSnapshots } from './entrant-snapshots';

/**
 * A round's public proof bundle (FAIRNESS.md v1), built with the fairness core's builder from the
 * stored commit, the entrant snapshot and the round, so the CLI and verify.ts accept exactly
 * what the server emits. A round whose inputs were pruned (PROOF_RETENTION_DAYS) keeps every
 * hash and its outcome; its bundle has empty `items` / `entrants` and `inputsPruned: true`.
 */
export type PublishedProof = ProofBundle & { inputsPruned?: true };

export interface ProofAnswer {
  bundle: PublishedProof;
  /** No later change is possible (beacon in, seed revealed, or inputs pruned): cacheable for long. */
  final: boolean;
}

export class ProofService {
  constructor(
    private readonly db: Db,
    private readonly snapshots: EntrantSnapshots,
    private readonly seeds: ServerSeedVault,
  ) {}

  /** The bundle of round `roundId`, or null when there is no such round or it has no commit (drawn before provable rounds). */
  async proof(roundId: number): Promise<ProofAnswer | null> {
    const round = await this.db.round.findUnique({
      where: { id: roundId },
      select: {
        id: true,
        raffleId: true,
        number: true,
        outcome: true,
        itemId: true,
        winnerUserId: true,
        beaconRandomness: true,
        beaconSignature: true,
        raffle: { select: { id: true, status: true, serverSeedEnc: true } },
      },
    });
    if (!round) return null;
    const row = await this.db.roundCommit.findUnique({ where: { raffleId_number: { raffleId: round.raffleId, number: round.number } } });
    if (!row) return null;
    const entrants = row.inputsPrunedAt || row.itemsList === null ? null : await this.snapshots.load(row.entrantsHash);
    const pruned = entrants === null;
    const commit = commitFromRow(row, pruned ? [] : parseItemsList(row.itemsList!), entrants ?? []);
    let reveal: { beacon: { round: number; randomness: string; signature: string } | null } | { serverSeed: string | null };
    let final: boolean;
    if (commit.source.kind === 'drand') {
      const beacon =
        round.beaconRandomness && round.beaconSignature
          ? { round: commit.source.round, randomness: round.beaconRandomness, signature: round.beaconSignature }
          : null;
      reveal = { beacon };
      final = true;
    } else {
      const serverSeed = this.revealedSeed(round.raffle);
      reveal = { serverSeed };
      final = serverSeed !== null;
    }
    const bundle: PublishedProof = buildProofBundle({
      commit,
      roundId: String(round.id),
      committedAt: row.committedAt,
      reveal,
      outcome: round.outcome,
      itemId: round.outcome === 'WINNER' ? round.itemId : null,
      winnerUserId: round.outcome === 'WINNER' ? round.winnerUserId : null,
    });
    if (pruned) bundle.inputsPruned = true;
    return { bundle, final: final || pruned };
  }

  /** A sealed raffle's serverSeed once it has ended (stopped, finished, unlinked); null while it runs. */
  revealedSeed(raffle: { id: string; status: string; serverSeedEnc: string | null }): string | null {
    if (raffle.status === 'RUNNING' || !raffle.serverSeedEnc) return null;
    return this.seeds.open(raffle.id, raffle.serverSeedEnc);
  }
}
