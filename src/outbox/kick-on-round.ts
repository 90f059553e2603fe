import type { Raffle, Round } from '../generated/prisma/client';
import type { EventBus } from '../pubsub/event-bus';
import { RaffleEvents } from '../raffles/raffle-events';

/**
 * The raffle events the RoundRunner publishes after a round commits, plus a nudge to this
 * instance's outbox worker when the round had a winner: its outbox rows are due now, so the chat
 * announcement leaves right away instead of at the next poll. Other instances find them by polling.
 */
export class RaffleEventsKickingOutbox extends RaffleEvents {
  constructor(
    bus: EventBus,
    private readonly kick: () => void,
  ) {
    super(bus);
  }

  override roundDrawn(raffle: Raffle, round: Round): void {
    super.roundDrawn(raffle, round);
    if (round.outcome === 'WINNER') this.kick();
  }
}
