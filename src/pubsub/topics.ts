/**
 * The topic map: every event the server publishes, keyed by streamer. Payloads carry ids only
 * (JSON-safe: they cross Redis); subscribers load what they select from the database, which is
 * the truth.
 */
export type RaffleEventKind = 'STARTED' | 'ROUND' | 'ENDED';

export interface WinnerDrawnEvent {
  raffleId: string;
  roundId: number;
  number: number;
}

export interface RaffleEventMessage {
  kind: RaffleEventKind;
  raffleId: string;
  roundId: number | null;
  number: number | null;
}

export type Topics = {
  winnerDrawn: [streamerId: string, payload: WinnerDrawnEvent];
  raffleEvents: [streamerId: string, payload: RaffleEventMessage];
};

export type TopicName = keyof Topics;
