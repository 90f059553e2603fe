import type { Raffle, Round } from '../generated/prisma/client';
import type { EventBus } from '../pubsub/event-bus';

/** Publishes what happened to a raffle. Call only after the write has committed. */
export class RaffleEvents {
  constructor(private readonly bus: EventBus) {}

  raffleStarted(raffle: Raffle): void {
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'STARTED', raffleId: raffle.id, roundId: null, number: null });
  }

  roundDrawn(raffle: Raffle, round: Round): void {
    const ids = { raffleId: raffle.id, roundId: round.id, number: round.number };
    if (round.outcome === 'WINNER') this.bus.publish('winnerDrawn', raffle.streamerId, ids);
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'ROUND', ...ids });
  }

  raffleEnded(raffle: Raffle): void {
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'ENDED', raffleId: raffle.id, roundId: null, number: null });
  }
}
