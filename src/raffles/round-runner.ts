import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChatterSource } from '../chatters/chatter';
import type { Db } from '../db/database';
import { TwitchNotLinkedError } from '../errors/domain-errors';
import { canonicalItems, chancePpm, commitHash, entrantsHash as hashEntrants, itemsHash, sourceString, type SourceRef } from '../fairness/canonical';
import type { Beacon } from '../fairness/drand-chain';
import { deriveRound, roundSeed, type DerivedRound } from '../fairness/derivation';
import { prepareCommit, type RoundCommit } from '../fairness/proof-bundle';
import { sealedRoundRandomness } from '../fairness/sealed';
import type { Item, Raffle, Round, RoundCommit as RoundCommitRow, RoundOutcome, Streamer } from '../generated/prisma/client';
import type { EntrantSnapshots, StoredEntrant } from '../proofs/entrant-snapshots';
import type { DrandBeacons } from './drand-beacons';
import type { RaffleEvents } from './raffle-events';
import { commitFromRow, itemsListOf, parseItemsList } from './round-commit';
import { RoundEntrants } from './round-entrants';
import { claimRoundStart, loadRoundStart, type RoundStart } from './round-load';
import { completeRound, writeCommit, type RoundWrite } from './round-writes';
import type { PresenceLuck } from '../entry/presence-luck';
import type { ServerSeedVault } from './server-seed-vault';

export interface RoundRunnerDeps {
  db: Db;
  chatters: ChatterSource;
  events: RaffleEvents;
  logger: Logger;
  instanceId: string;
  leaseSeconds: number;
  excludedLogins: string[];
  /** Sealed raffles' serverSeeds. */
  seeds: ServerSeedVault;
  /** drand raffles' beacons. */
  drand: DrandBeacons;
  snapshots: EntrantSnapshots;
  /** Presence-mode luck (Helix roles); undefined when Twitch is not configured. */
  luck?: () => Pick<PresenceLuck, 'entrants'> | undefined;
  /** Side-effect channels (outbox rows) written with a WINNER round for this streamer. */
  outboxChannels(streamer: Streamer): string[];
}

export type RoundResult =
  | { kind: 'round'; round: Round; raffle: Raffle }
  /** Someone else holds the raffle's lease, or it is not due / not running any more. */
  | { kind: 'not-claimed' }
  | { kind: 'failed'; error: unknown };

type RaffleWithStreamer = Raffle & { streamer: Streamer };

/** A commit as this attempt holds it: what was published, plus what the draw needs. */
interface HeldCommit {
  commit: RoundCommit;
  /** The entrants in canonical order, with display names for the round row. */
  entrants: StoredEntrant[];
  committedAt: Date;
  /** drand: the round named and its time. */
  beacon: { round: number; atMs: number } | null;
}

const EMPTY_ENTRANTS_HASH = hashEntrants([]);

/** A failed round (database away, chat source error) is tried again this soon at the latest. */
const RETRY_AFTER_FAILURE_SECONDS = 5;

/** The claim was lost before the commit or the round was written (both statements wrote nothing). */
class ClaimLostError extends Error {}

/**
 * Runs one round of one raffle, exactly once whoever calls (FAIRNESS.md v1), in three statements
 * and no interactive transaction: claim the raffle (a lease with expiry) and read what the round
 * needs in one (round-load.ts); gather the entrants outside any transaction; write the commit
 * (keyed by raffle and number) with its entrant snapshot in one statement guarded by the lease,
 * and publish COMMITTED; get the randomness (the sealed seed's R, or the drand beacon, verified);
 * derive; then write the round, the stock decrement, outbox rows and the raffle's progress with
 * complete_round (one PL/pgSQL call, one transaction), and publish after it. A commit left by an
 * attempt that died is completed, with its own inputs, by the next.
 */
export class RoundRunner {
  private readonly roundEntrants: RoundEntrants;

  constructor(private readonly deps: RoundRunnerDeps) {
    this.roundEntrants = new RoundEntrants({
      db: deps.db,
      chatters: deps.chatters,
      excludedLogins: deps.excludedLogins,
      ...(deps.luck ? { luck: deps.luck } : {}),
    });
  }

  /** Claims the raffle (when free and, unless forced, due) and runs its round. */
  async run(raffleId: string, options: { force: boolean }): Promise<RoundResult> {
    // Each claim has its own token, so an attempt that outlived its lease can never commit under a
    // later claim, even one by the same instance. The lease runs on the database clock, so
    // instances with skewed clocks agree on when it expires.
    const token = `${this.deps.instanceId}/${randomUUID()}`;
    const start = await claimRoundStart(this.deps.db, raffleId, { token, leaseSeconds: this.deps.leaseSeconds, force: options.force });
    if (!start) return { kind: 'not-claimed' };
    return this.runStarted(start, token, options);
  }

  /**
   * Runs the round of a raffle already claimed under `token` (the scheduler claims due raffles in
   * batches, see round-claims.ts); the commit still checks that this token holds the lease.
   */
  async runClaimed(raffleId: string, token: string, options: { force: boolean } = { force: false }): Promise<RoundResult> {
    let start: RoundStart | null;
    try {
      start = await loadRoundStart(this.deps.db, raffleId);
      if (!start) throw new Error(`raffle ${raffleId} not found`);
    } catch (error) {
      await this.release(raffleId, token, error);
      return { kind: 'failed', error };
    }
    return this.runStarted(start, token, options);
  }

  private async runStarted(start: RoundStart, token: string, options: { force: boolean }): Promise<RoundResult> {
    const raffleId = start.raffle.id;
    try {
      const raffle = await this.ensureSeal(start.raffle);
      const number = raffle.roundCount + 1;
      const held = start.heldCommit
        ? await this.heldCommit(raffle, start.heldCommit)
        : await this.newCommit(raffle, token, number, options.force, start);
      const randomness = await this.randomness(raffle, held);
      const { round, raffle: updated, item } = await this.write(raffle, token, held, randomness);
      this.publish(updated, round, item);
      return { kind: 'round', round, raffle: updated };
    } catch (error) {
      await this.release(raffleId, token, error);
      if (error instanceof ClaimLostError) return { kind: 'not-claimed' };
      return { kind: 'failed', error };
    }
  }

  /** A sealed raffle started before provable rounds existed gets its seal now (published from its next round on). */
  private async ensureSeal(raffle: RaffleWithStreamer): Promise<RaffleWithStreamer> {
    if (raffle.fairness !== 'SEALED' || raffle.sealHash) return raffle;
    const sealed = this.deps.seeds.create(raffle.id);
    await this.deps.db.raffle.updateMany({ where: { id: raffle.id, sealHash: null }, data: sealed });
    return { ...raffle, ...(await this.deps.db.raffle.findUniqueOrThrow({ where: { id: raffle.id } })) };
  }

  /** The commit of this number that an earlier attempt wrote but did not draw, read back as it was. */
  private async heldCommit(raffle: Raffle, row: RoundCommitRow): Promise<HeldCommit> {
    const { number } = row;
    const entrants = await this.deps.snapshots.load(row.entrantsHash);
    if (!entrants || row.itemsList === null) throw new Error(`the inputs of commit ${raffle.id}#${number} are missing`);
    const items = parseItemsList(row.itemsList);
    const commit = commitFromRow(row, items, entrants);
    // The stored inputs must still give the stored hashes: a completed commit is never redrawn with other inputs.
    const check = prepareCommit({ ...commit, source: commit.source });
    if (check.commitHash !== row.commitHash) throw new Error(`commit ${raffle.id}#${number} does not match its stored inputs`);
    this.deps.logger.info({ raffleId: raffle.id, number }, 'completing a commit left by an earlier attempt');
    const beacon = commit.source.kind === 'drand' ? { round: commit.source.round, atMs: await this.deps.drand.timeOf(commit.source.round) } : null;
    return { commit, entrants, committedAt: row.committedAt, beacon };
  }

  /** Gathers the inputs, writes the commit with its entrant snapshot (under the lease) and publishes it. */
  private async newCommit(raffle: RaffleWithStreamer, token: string, number: number, forced: boolean, start: RoundStart): Promise<HeldCommit> {
    const { snapshots } = this.deps;
    const items = start.items ?? [];
    let entrants: StoredEntrant[] = [];
    let entrantsHash = EMPTY_ENTRANTS_HASH;
    if (items.length > 0) {
      ({ entrants, entrantsHash } = await this.roundEntrants.of(raffle, start.earlierWinners));
    }
    // Compressed (off the event loop) before the clock starts: the drand round is chosen from
    // committedAt, and COMMITTED must be out before that round's time.
    const snapshot = await snapshots.toStore(entrants, entrantsHash);
    const committedAt = new Date();
    let source: SourceRef;
    let beacon: HeldCommit['beacon'] = null;
    if (raffle.fairness === 'DRAND') {
      beacon = await this.deps.drand.roundAfter(committedAt.getTime());
      source = { kind: 'drand', chainHash: this.deps.drand.chainHash, round: beacon.round };
    } else {
      source = { kind: 'sealed', sealHash: raffle.sealHash! };
    }
    // FAIRNESS.md "commit", from the core's canonical functions (prepareCommit's steps, with the
    // entrant list's hash computed once per distinct list).
    const canonical = canonicalItems(items);
    const commitInput = {
      raffleId: raffle.id,
      roundNumber: number,
      forced,
      chancePpm: chancePpm(raffle.drawChance),
      itemsHash: itemsHash(canonical),
      entrantsHash,
      source,
    };
    const commit: RoundCommit = { ...commitInput, items: canonical, entrants, commitHash: commitHash(commitInput) };
    // The lease covers the wait for the beacon as well.
    const waitMs = beacon ? Math.max(0, beacon.atMs - Date.now()) + this.deps.drand.timeoutMs : 0;
    const written = await writeCommit(
      this.deps.db,
      token,
      {
        raffleId: raffle.id,
        number,
        forced,
        chancePpm: commit.chancePpm,
        itemsHash: commit.itemsHash,
        itemsList: itemsListOf(commit.items),
        entrantsHash: commit.entrantsHash,
        entrantCount: entrants.length,
        source: sourceString(commit.source),
        beaconRound: beacon?.round ?? null,
        commitHash: commit.commitHash,
        committedAt,
      },
      snapshot,
      beacon ? waitMs / 1000 + this.deps.leaseSeconds : null,
    );
    if (!written) throw new ClaimLostError();
    snapshots.stored(entrantsHash);
    this.deps.events.roundCommitted(raffle, {
      roundNumber: number,
      commitHash: commit.commitHash,
      source: sourceString(commit.source),
      beaconRound: beacon?.round ?? null,
    });
    return { commit, entrants, committedAt, beacon };
  }

  /** The round's 32 random bytes with the beacon they came from; null when drand gave nothing in time. */
  private async randomness(raffle: Raffle, held: HeldCommit): Promise<{ bytes: Uint8Array; beacon: Beacon | null } | null> {
    const { source } = held.commit;
    if (source.kind === 'sealed') {
      const seed = this.deps.seeds.open(raffle.id, raffle.serverSeedEnc!);
      return { bytes: sealedRoundRandomness(seed, held.commit.roundNumber), beacon: null };
    }
    const atMs = held.beacon?.atMs ?? Date.now();
    const beacon = await this.deps.drand.await(source.round, atMs);
    if (!beacon) return null;
    return { bytes: Buffer.from(beacon.randomness, 'hex'), beacon };
  }

  /** Derives the round and writes it with complete_round (one statement); ClaimLostError when the lease was lost. */
  private async write(raffle: RaffleWithStreamer, token: string, held: HeldCommit, randomness: { bytes: Uint8Array; beacon: Beacon | null } | null) {
    const { commit, entrants } = held;
    const derived: DerivedRound | null = randomness
      ? deriveRound(roundSeed(randomness.bytes, commit.commitHash), { forced: commit.forced, chancePpm: commit.chancePpm, items: commit.items, entrants, alreadyCanonical: true })
      : null;
    const outcome: RoundOutcome = derived ? derived.outcome : 'BEACON_UNAVAILABLE';
    let winner: RoundWrite['winner'] = null;
    if (derived?.outcome === 'WINNER') {
      const winnerIndex = entrants.findIndex((entrant) => entrant.userId === derived.winnerUserId);
      const entrant = entrants[winnerIndex]!;
      const itemId = derived.itemId!;
      winner = {
        itemId,
        itemWeight: commit.items.find((item) => item.id === itemId)!.weight,
        totalWeight: derived.totalWeight,
        prizeTarget: derived.prizeTarget!,
        drawValue: derived.prizeTarget! / derived.totalWeight,
        winnerTarget: derived.winnerTarget!,
        winnerIndex,
        userId: entrant.userId,
        login: entrant.login,
        displayName: entrant.displayName,
        tickets: entrant.tickets,
      };
    }
    const completed = await completeRound(this.deps.db, {
      raffleId: raffle.id,
      token,
      number: commit.roundNumber,
      forced: commit.forced,
      outcome,
      commitHash: commit.commitHash,
      chanceValue: derived?.chanceValue == null ? null : derived.chanceValue / 1_000_000,
      eligibleCount: entrants.length,
      beaconRandomness: randomness?.beacon?.randomness ?? null,
      beaconSignature: randomness?.beacon?.signature ?? null,
      winner,
      channels: winner ? this.deps.outboxChannels(raffle.streamer) : [],
    });
    if (!completed) throw new ClaimLostError();
    const { made } = completed;
    if (winner && (made?.itemId !== winner.itemId || made.totalWeight !== winner.totalWeight)) {
      // The guard: make_raffle over today's items disagreed with the derivation over the
      // committed ones, so the items changed after the commit. The committed inputs decided.
      this.deps.logger.warn(
        { raffleId: raffle.id, number: commit.roundNumber, derived: winner.itemId, makeRaffle: made },
        'items changed after the commit: the derivation decides the prize',
      );
    }
    return { round: completed.round, raffle: completed.raffle, item: completed.item };
  }

  /**
   * Gives the raffle back after a failed attempt (only if this claim still holds it). A due round
   * is retried after the interval but at most RETRY_AFTER_FAILURE_SECONDS later; a failed forced
   * draw leaves the schedule as it was. An unlinked Twitch account ends the raffle.
   */
  private async release(raffleId: string, token: string, error: unknown): Promise<void> {
    const { db, logger } = this.deps;
    if (error instanceof ClaimLostError) return;
    if (error instanceof TwitchNotLinkedError) {
      const ended = await db.raffle.updateMany({
        where: { id: raffleId, status: 'RUNNING' },
        data: { status: 'STOPPED', endReason: 'TWITCH_UNLINKED', endedAt: new Date(), leaseOwner: null, leaseUntil: null },
      });
      if (ended.count === 1) {
        logger.warn({ raffleId }, 'raffle stopped: the Twitch account is no longer linked');
        this.deps.events.raffleEnded(await db.raffle.findUniqueOrThrow({ where: { id: raffleId } }));
      }
      return;
    }
    logger.error({ err: error, raffleId }, 'round failed; retrying');
    await db.$executeRaw`
      UPDATE raffles
         SET lease_owner = NULL, lease_until = NULL,
             next_round_at = GREATEST(
               next_round_at,
               now() + make_interval(secs => LEAST(interval_seconds, ${RETRY_AFTER_FAILURE_SECONDS}::int)))
       WHERE id = ${raffleId} AND lease_owner = ${token}`.catch((releaseError: unknown) =>
      logger.error({ err: releaseError, raffleId }, 'could not release the raffle lease; it expires by itself'),
    );
  }

  private publish(raffle: Raffle, round: Round, item: Item | null): void {
    this.deps.events.roundDrawn(raffle, round, item);
    if (raffle.status !== 'RUNNING') this.deps.events.raffleEnded(raffle);
  }
}
