import type { Item, Raffle, Round } from '../generated/prisma/client';
import type { EventBus } from '../pubsub/event-bus';
import type { RoundCommitMessage } from '../pubsub/topics';
import { rowToJson } from './drawn-round-row';

/** Told of every round right after it committed (in this process), e.g. to nudge the outbox. */
export type RoundCommittedListener = (raffle: Raffle, round: Round) => void;

/** Told of every raffle whose schedule changed in this process: started, rounded or ended. */
export type ScheduleListener = (raffle: Raffle) => void;

/** Publishes what happened to a raffle. Call only after the write has committed. */
export class RaffleEvents {
  private readonly roundListeners = new Set<RoundCommittedListener>();
  private readonly scheduleListeners = new Set<ScheduleListener>();

  constructor(private readonly bus: EventBus) {}

  /** Calls `listener` after each committed round; returns the function that unsubscribes it. */
  onRoundCommitted(listener: RoundCommittedListener): () => void {
    this.roundListeners.add(listener);
    return () => this.roundListeners.delete(listener);
  }

  /** Calls `listener` when a raffle starts, draws a round or ends here; returns the unsubscribe. */
  onScheduleChanged(listener: ScheduleListener): () => void {
    this.scheduleListeners.add(listener);
    return () => this.scheduleListeners.delete(listener);
  }

  raffleStarted(raffle: Raffle): void {
    for (const listener of this.scheduleListeners) listener(raffle);
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'STARTED', raffleId: raffle.id, roundId: null, number: null });
  }

  /** The round's commit is written: published before its randomness exists. */
  roundCommitted(raffle: Raffle, commit: RoundCommitMessage): void {
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'COMMITTED', raffleId: raffle.id, roundId: null, number: commit.roundNumber, commit });
  }

  /** `item`: the won item as the round's write left it (a WINNER), sent along with the round. */
  roundDrawn(raffle: Raffle, round: Round, item: Item | null = null): void {
    const ids = { raffleId: raffle.id, roundId: round.id, number: round.number };
    // With the committed rows: receivers answer the contract's selection without reading them back.
    if (round.outcome === 'WINNER') {
      this.bus.publish('winnerDrawn', raffle.streamerId, { ...ids, round: rowToJson(round), ...(item ? { item: rowToJson(item) } : {}) });
    }
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'ROUND', ...ids });
    for (const listener of this.roundListeners) listener(raffle, round);
    for (const listener of this.scheduleListeners) listener(raffle);
  }

  /** A winning round's claim changed (CLAIMED or EXPIRED): overlays and the bot update that round. */
  claimChanged(raffle: Pick<Raffle, 'id' | 'streamerId'>, round: Pick<Round, 'id' | 'number'>): void {
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'CLAIM', raffleId: raffle.id, roundId: round.id, number: round.number });
  }

  raffleEnded(raffle: Raffle): void {
    for (const listener of this.scheduleListeners) listener(raffle);
    this.bus.publish('raffleEvents', raffle.streamerId, { kind: 'ENDED', raffleId: raffle.id, roundId: null, number: null });
  }
}
