import type { Round } from '../generated/prisma/client';

/**
 * A round-committed listener that nudges this instance's outbox worker when the round had a
 * winner: its outbox rows are due now, so the chat announcement leaves right away instead of at
 * the next poll. Other instances find them by polling. The app subscribes it to RaffleEvents.
 */
export function kickOutboxOnWinningRound(kick: () => void) {
  return (_raffle: unknown, round: Pick<Round, 'outcome'>): void => {
    if (round.outcome === 'WINNER') kick();
  };
}
