import type { Logger } from 'pino';
import { eligibleChatters } from '../chatters/eligibility';
import type { Chatter, ChatterSource } from '../chatters/chatter';
import type { Db } from '../db/database';
import { TwitchNotLinkedError } from '../errors/domain-errors';
import type { Prisma, Raffle, RaffleEndReason, Round, RoundOutcome, Streamer } from '../generated/prisma/client';
import { drawPrize } from './prize-draw';
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
    const claimed = await this.claim(raffleId, options.force);
    if (!claimed) return { kind: 'not-claimed' };
    try {
      const decision = await this.decide(claimed, options.force);
      const result = await this.commit(claimed, decision);
      this.publish(result.raffle, result.round);
      return { kind: 'round', ...result };
    } catch (error) {
      await this.release(claimed, error);
      if (error instanceof ClaimLostError) return { kind: 'not-claimed' };
      return { kind: 'failed', error };
    }
  }

  private async claim(raffleId: string, force: boolean) {
    const now = new Date();
    const claimed = await this.deps.db.raffle.updateMany({
      where: {
        id: raffleId,
        status: 'RUNNING',
        ...(force ? {} : { nextRoundAt: { lte: now } }),
        OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }],
      },
      data: { leaseOwner: this.deps.instanceId, leaseUntil: new Date(now.getTime() + this.deps.leaseSeconds * 1000) },
    });
    if (claimed.count === 0) return null;
    return this.deps.db.raffle.findUniqueOrThrow({ where: { id: raffleId }, include: { streamer: true } });
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
    const chatters = await this.deps.chatters.listChatters(raffle.streamer);
    const earlierWinners = raffle.allowRepeatWinners
      ? []
      : await db.round.findMany({
          where: { raffleId: raffle.id, outcome: 'WINNER' },
          select: { winnerUserId: true },
        });
    const eligible = eligibleChatters(chatters, {
      excludeUserIds: [
        ...(raffle.streamer.twitchUserId ? [raffle.streamer.twitchUserId] : []),
        ...earlierWinners.map((round) => round.winnerUserId!),
      ],
      excludeLogins: [...this.deps.excludedLogins, ...(raffle.streamer.login ? [raffle.streamer.login] : [])],
    });
    return { outcome: eligible.length === 0 ? 'NO_ELIGIBLE_CHATTERS' : 'WINNER', chanceValue, eligible };
  }

  private async commit(raffle: Raffle & { streamer: Streamer }, decision: Decision) {
    const { db, random, instanceId } = this.deps;
    return db.$transaction(async (tx) => {
      const [locked] = await tx.$queryRaw<{ status: string; lease_owner: string | null; round_count: number }[]>`
        SELECT status::text AS status, lease_owner, round_count FROM raffles WHERE id = ${raffle.id} FOR UPDATE`;
      if (!locked || locked.status !== 'RUNNING' || locked.lease_owner !== instanceId) throw new ClaimLostError();
      const number = locked.round_count + 1;
      const now = new Date();
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
          nextRoundAt: new Date(now.getTime() + raffle.intervalSeconds * 1000),
          leaseOwner: null,
          leaseUntil: null,
          ...(ends ? { status: 'FINISHED', endReason: ends, endedAt: now } : {}),
        },
      });
      return { round, raffle: updated };
    });
  }

  /** Gives the raffle back after a failed attempt; an unlinked Twitch account ends the raffle. */
  private async release(raffle: Raffle, error: unknown): Promise<void> {
    const { db, logger, instanceId } = this.deps;
    if (error instanceof ClaimLostError) return;
    const now = new Date();
    if (error instanceof TwitchNotLinkedError) {
      const ended = await db.raffle.updateMany({
        where: { id: raffle.id, status: 'RUNNING' },
        data: { status: 'STOPPED', endReason: 'TWITCH_UNLINKED', endedAt: now, leaseOwner: null, leaseUntil: null },
      });
      if (ended.count === 1) {
        logger.warn({ raffleId: raffle.id }, 'raffle stopped: the Twitch account is no longer linked');
        this.deps.events.raffleEnded(await db.raffle.findUniqueOrThrow({ where: { id: raffle.id } }));
      }
      return;
    }
    logger.error({ err: error, raffleId: raffle.id }, 'round failed; retrying at the next interval');
    await db.raffle
      .updateMany({
        where: { id: raffle.id, leaseOwner: instanceId },
        data: { leaseOwner: null, leaseUntil: null, nextRoundAt: new Date(now.getTime() + raffle.intervalSeconds * 1000) },
      })
      .catch((releaseError: unknown) =>
        logger.error({ err: releaseError, raffleId: raffle.id }, 'could not release the raffle lease; it expires by itself'),
      );
  }

  private publish(raffle: Raffle, round: Round): void {
    this.deps.events.roundDrawn(raffle, round);
    if (raffle.status !== 'RUNNING') this.deps.events.raffleEnded(raffle);
  }
}
