import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { eligibleChatters, exclusionRules } from '../chatters/eligibility';
import type { Chatter, ChatterSource } from '../chatters/chatter';
import type { Db } from '../db/database';
import { TwitchNotLinkedError } from '../errors/domain-errors';
import type { Prisma, Raffle, RaffleEndReason, Round, RoundOutcome, Streamer } from '../generated/prisma/client';
import { drawPrize } from './prize-draw';
import { nextRoundAt } from './round-schedule';
import type { RaffleEvents } from './raffle-events';
import type { RandomSource } from './random-source';

export interface RoundRunnerDeps {
  db: Db;
  chatters: ChatterSource;
  random: RandomSource;
  events: RaffleEvents;
  logger: Logger;
  instanceId: string;
  leaseSeconds: number;
  excludedLogins: string[];
  /** Side-effect channels (outbox rows) written with a WINNER round for this streamer. */
  outboxChannels(streamer: Streamer): string[];
}

export type RoundResult =
  | { kind: 'round'; round: Round; raffle: Raffle }
  /** Someone else holds the raffle's lease, or it is not due / not running any more. */
  | { kind: 'not-claimed' }
  | { kind: 'failed'; error: unknown };

interface Decision {
  outcome: RoundOutcome;
  chanceValue: number | null;
  eligible: Chatter[];
}

/** A failed round (database away, chat source error) is tried again this soon at the latest. */
const RETRY_AFTER_FAILURE_SECONDS = 5;

/** Thrown inside the round transaction to roll it back when the claim was lost meanwhile. */
class ClaimLostError extends Error {}

/**
 * Runs one round of one raffle, exactly once whoever calls: claim the raffle (a lease with
 * expiry), gather the chatters outside any transaction, then write the round, the stock
 * decrement, the raffle's progress and outbox rows in ONE transaction, and publish after commit.
 */
export class RoundRunner {
  constructor(private readonly deps: RoundRunnerDeps) {}

  async run(raffleId: string, options: { force: boolean }): Promise<RoundResult> {
    const token = await this.claim(raffleId, options.force);
    if (!token) return { kind: 'not-claimed' };
    return this.runClaimed(raffleId, token, options);
  }

  /**
   * Runs the round of a raffle already claimed under `token` (the scheduler claims due raffles in
   * batches, see round-claims.ts); the commit still checks that this token holds the lease.
   */
  async runClaimed(raffleId: string, token: string, options: { force: boolean } = { force: false }): Promise<RoundResult> {
    try {
      const raffle = await this.deps.db.raffle.findUniqueOrThrow({ where: { id: raffleId }, include: { streamer: true } });
      const decision = await this.decide(raffle, options.force);
      const result = await this.commit(raffle, token, decision);
      this.publish(result.raffle, result.round);
      return { kind: 'round', ...result };
    } catch (error) {
      await this.release(raffleId, token, error);
      if (error instanceof ClaimLostError) return { kind: 'not-claimed' };
      return { kind: 'failed', error };
    }
  }

  /**
   * Takes the raffle's lease when it is free (or expired) and, unless forced, the round is due.
   * Each claim has its own token, so an attempt that outlived its lease can never commit under a
   * later claim, even one by the same instance. Times come from the database clock, so instances
   * with skewed clocks agree on when a lease expires.
   */
  private async claim(raffleId: string, force: boolean): Promise<string | null> {
    const token = `${this.deps.instanceId}/${randomUUID()}`;
    const claimed = await this.deps.db.$queryRaw<{ id: string }[]>`
      UPDATE raffles
         SET lease_owner = ${token},
             lease_until = now() + make_interval(secs => ${this.deps.leaseSeconds}::double precision)
       WHERE id = ${raffleId}
         AND status = 'RUNNING'
         AND (${force}::boolean OR next_round_at <= now())
         AND (lease_until IS NULL OR lease_until < now())
      RETURNING id`;
    return claimed.length === 0 ? null : token;
  }

  private async decide(raffle: Raffle & { streamer: Streamer }, force: boolean): Promise<Decision> {
    const { db, random } = this.deps;
    const stock = await db.item.count({ where: { streamerId: raffle.streamerId, removedAt: null, remaining: { gt: 0 } } });
    if (stock === 0) return { outcome: 'NO_ITEMS', chanceValue: null, eligible: [] };
    let chanceValue: number | null = null;
    if (!force) {
      chanceValue = random.uniform();
      if (chanceValue >= raffle.drawChance) return { outcome: 'SKIPPED', chanceValue, eligible: [] };
    }
    const { chatters } = await this.deps.chatters.snapshot(raffle.streamer);
    const rules = await exclusionRules(db, { streamer: raffle.streamer, raffle, excludedLogins: this.deps.excludedLogins });
    const eligible = eligibleChatters(chatters, rules);
    return { outcome: eligible.length === 0 ? 'NO_ELIGIBLE_CHATTERS' : 'WINNER', chanceValue, eligible };
  }

  private async commit(raffle: Raffle & { streamer: Streamer }, token: string, decision: Decision) {
    const { db, random } = this.deps;
    return db.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<{ status: string; lease_owner: string | null; round_count: number; db_now: Date }[]>`
        SELECT status::text AS status, lease_owner, round_count, clock_timestamp() AS db_now FROM raffles WHERE id = ${raffle.id} FOR UPDATE`;
      if (!locked || locked.status !== 'RUNNING' || locked.lease_owner !== token) throw new ClaimLostError();
      const number = locked.round_count + 1;
      const now = locked.db_now;
      let data: Prisma.RoundUncheckedCreateInput = {
        raffleId: raffle.id,
        number,
        at: now,
        outcome: decision.outcome,
        chanceValue: decision.chanceValue,
        eligibleCount: decision.eligible.length,
      };
      if (decision.outcome === 'WINNER') {
        const drawValue = random.uniform();
        const prize = await drawPrize(tx, raffle.streamerId, drawValue);
        if (!prize) {
          data = { ...data, outcome: 'NO_ITEMS', eligibleCount: 0 };
        } else {
          const winnerIndex = random.index(decision.eligible.length);
          const winner = decision.eligible[winnerIndex]!;
          const taken = await tx.item.updateMany({
            where: { id: prize.itemId, remaining: { gt: 0 } },
            data: { remaining: { decrement: 1 } },
          });
          if (taken.count !== 1) throw new Error(`item ${prize.itemId} had no copy left to take`);
          data = {
            ...data,
            drawValue,
            itemId: prize.itemId,
            itemWeight: prize.itemWeight,
            totalWeight: prize.totalWeight,
            winnerIndex,
            winnerUserId: winner.userId,
            winnerLogin: winner.login,
            winnerDisplayName: winner.displayName,
          };
        }
      }
      const round = await tx.round.create({ data });
      if (round.outcome === 'WINNER') {
        const channels = this.deps.outboxChannels(raffle.streamer);
        if (channels.length > 0) {
          await tx.outboxMessage.createMany({ data: channels.map((channel) => ({ roundId: round.id, channel })) });
        }
      }
      const left = await tx.item.count({ where: { streamerId: raffle.streamerId, removedAt: null, remaining: { gt: 0 } } });
      const ends: RaffleEndReason | null = left === 0 ? 'ITEMS_EXHAUSTED' : null;
      const updated = await tx.raffle.update({
        where: { id: raffle.id },
        data: {
          roundCount: number,
          nextRoundAt: nextRoundAt(raffle.nextRoundAt, raffle.intervalSeconds, now),
          leaseOwner: null,
          leaseUntil: null,
          ...(ends ? { status: 'FINISHED', endReason: ends, endedAt: now } : {}),
        },
      });
      return { round, raffle: updated };
    });
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

  private publish(raffle: Raffle, round: Round): void {
    this.deps.events.roundDrawn(raffle, round);
    if (raffle.status !== 'RUNNING') this.deps.events.raffleEnded(raffle);
  }
}
