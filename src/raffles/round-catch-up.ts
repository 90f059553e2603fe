import type { Logger } from 'pino';
import type { Db } from '../db/database';
import type { CatchUpSource } from '../pubsub/catch-up';
import type { RaffleEventMessage, WinnerDrawnEvent } from '../pubsub/topics';

const LATEST_ROUND_ID_SHARED_MS = 1_000;

/**
 * What a subscription looks up to replay from `afterRoundId` and after a pub/sub interruption
 * (see withCatchUp), built once per app. Round ids of one streamer grow in commit order (one
 * running raffle per streamer, rounds serialised by the raffle row lock), so "id above the last
 * delivered" finds exactly the rounds committed since. STARTED / ENDED notices are not replayed:
 * the replayed ROUND events carry the raffle's state.
 */
export class RoundCatchUp {
  /** Newest-round look-ups in flight or recent, per streamer (see latestRoundId). */
  private readonly latestLookups = new Map<string, Promise<number>>();
  readonly logger: Logger;

  constructor(
    private readonly db: Db,
    logger: Logger,
  ) {
    this.logger = logger.child({ subsystem: 'subscriptions' });
  }

  missedWins(streamerId: string): CatchUpSource<WinnerDrawnEvent> {
    return {
      latestId: () => this.latestRoundId(streamerId),
      after: async (afterId, limit) =>
        (await this.roundsAfter(streamerId, afterId, limit, true)).map((round) => ({
          raffleId: round.raffleId,
          roundId: round.id,
          number: round.number,
        })),
      idOf: (event) => event.roundId,
    };
  }

  missedRounds(streamerId: string): CatchUpSource<RaffleEventMessage> {
    return {
      latestId: () => this.latestRoundId(streamerId),
      after: async (afterId, limit) =>
        (await this.roundsAfter(streamerId, afterId, limit, false)).map((round) => ({
          kind: 'ROUND' as const,
          raffleId: round.raffleId,
          roundId: round.id,
          number: round.number,
        })),
      // CLAIM events name an older round again: only ROUND events are replayed and deduplicated.
      idOf: (event) => (event.kind === 'ROUND' ? event.roundId : null),
    };
  }

  private roundsAfter(streamerId: string, afterId: number, limit: number, onlyWinners: boolean) {
    return this.db.round.findMany({
      where: { raffle: { streamerId }, id: { gt: afterId }, ...(onlyWinners ? { outcome: 'WINNER' as const } : {}) },
      orderBy: { id: 'asc' },
      take: limit,
      select: { id: true, number: true, raffleId: true },
    });
  }

  /**
   * The newest round id of a streamer, where a subscription's catch-up starts. Subscriptions of
   * one streamer that start within a second share one look-up (a mass reconnect costs one query
   * per streamer, not per client): an older, lower start can only re-deliver a round, which is
   * deduped.
   */
  private latestRoundId(streamerId: string): Promise<number> {
    const shared = this.latestLookups.get(streamerId);
    if (shared) return shared;
    const lookup = this.db.round
      .findFirst({ where: { raffle: { streamerId } }, orderBy: { id: 'desc' }, select: { id: true } })
      .then((round) => round?.id ?? 0);
    this.latestLookups.set(streamerId, lookup);
    const forget = () => {
      if (this.latestLookups.get(streamerId) === lookup) this.latestLookups.delete(streamerId);
    };
    setTimeout(forget, LATEST_ROUND_ID_SHARED_MS).unref();
    lookup.catch(forget);
    return lookup;
  }
}
