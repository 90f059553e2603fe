/**
 * The topic map: every event the server publishes, keyed by streamer. Payloads carry ids (JSON-safe:
 * they cross Redis); subscribers load what they select from the database, which is the truth. One
 * exception: a winnerDrawn event also carries the round row the publisher just committed, so a
 * receiver answers the contract's selection without reading the round back (drawn-round.ts). A payload that arrives from Redis is checked against its topic's guard before it
 * reaches a subscriber, so a foreign or malformed message is dropped, not resolved.
 */
/** What can happen to a raffle, defined here once (the GraphQL enum and the guard use it). */
/** CLAIM: a winning round's claim was CLAIMED or EXPIRED (the round is named again, as it is now). */
export const RAFFLE_EVENT_KINDS = ['STARTED', 'COMMITTED', 'ROUND', 'CLAIM', 'ENDED'] as const;
export type RaffleEventKind = (typeof RAFFLE_EVENT_KINDS)[number];

export interface WinnerDrawnEvent {
  raffleId: string;
  roundId: number;
  number: number;
  /** The round row as committed, as JSON (dates as ISO strings); absent in catch-up replays. */
  round?: RowJson;
  /** The won item's row as the round's write left it, as JSON; absent in catch-up replays. */
  item?: RowJson;
}

/** A database row as JSON: column → a string, number, boolean or null. */
export type RowJson = Record<string, string | number | boolean | null>;

/** What a round committed to, published (kind COMMITTED) before its randomness exists (FAIRNESS.md). */
export interface RoundCommitMessage {
  roundNumber: number;
  commitHash: string;
  /** `drand:<chainHash>:<R>` or `sealed:<sealHash>`. */
  source: string;
  /** drand: the round R whose beacon decides; sealed: null. */
  beaconRound: number | null;
}

export interface RaffleEventMessage {
  kind: RaffleEventKind;
  raffleId: string;
  roundId: number | null;
  number: number | null;
  /** Set for COMMITTED only. */
  commit?: RoundCommitMessage | null;
}

/** A streamer's overlay key was replaced (published after the write committed). */
export interface OverlayKeyRotatedEvent {
  streamerId: string;
}

/** What the overlay page of a streamer is told besides raffles (the overlay studio). */
export const OVERLAY_EVENT_KINDS = ['SETTINGS_CHANGED', 'TEST_WIN'] as const;
export type OverlayEventKind = (typeof OVERLAY_EVENT_KINDS)[number];

/**
 * SETTINGS_CHANGED carries nothing but the time (subscribers load the settings); TEST_WIN carries
 * its whole fake win, because it is stored nowhere. `at` is an ISO string (it crosses Redis).
 */
export type OverlayEventMessage =
  | { kind: 'SETTINGS_CHANGED'; at: string }
  | { kind: 'TEST_WIN'; at: string; itemName: string; winnerDisplayName: string; reel: string[] };

export type Topics = {
  winnerDrawn: [streamerId: string, payload: WinnerDrawnEvent];
  raffleEvents: [streamerId: string, payload: RaffleEventMessage];
  /**
   * One channel for every streamer (key `all`): each instance listens from start-up, so a
   * rotation reaches it even for a connection opened a moment before (no per-streamer SUBSCRIBE
   * still in flight). Rotations are rare.
   */
  overlayKeyRotated: [scope: 'all', payload: OverlayKeyRotatedEvent];
  overlayEvents: [streamerId: string, payload: OverlayEventMessage];
};

export type TopicName = keyof Topics;
export type TopicKey<T extends TopicName> = Topics[T][0];
export type TopicPayload<T extends TopicName> = Topics[T][1];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

const isRowJson = (value: unknown): value is RowJson =>
  isRecord(value) && Object.values(value).every((field) => field === null || ['string', 'number', 'boolean'].includes(typeof field));

const isCommit = (value: unknown): value is RoundCommitMessage =>
  isRecord(value) &&
  isId(value.roundNumber) &&
  typeof value.commitHash === 'string' &&
  typeof value.source === 'string' &&
  (value.beaconRound === null || isId(value.beaconRound));

export const topicGuards: { [T in TopicName]: (value: unknown) => value is TopicPayload<T> } = {
  winnerDrawn: (value): value is WinnerDrawnEvent =>
    isRecord(value) &&
    typeof value.raffleId === 'string' &&
    isId(value.roundId) &&
    isId(value.number) &&
    (value.round === undefined || (isRowJson(value.round) && value.round.id === value.roundId && value.round.raffleId === value.raffleId)) &&
    // The item comes only with its round, and is the round's item.
    (value.item === undefined || (isRowJson(value.item) && isRowJson(value.round) && value.item.id === value.round.itemId)),
  raffleEvents: (value): value is RaffleEventMessage =>
    isRecord(value) &&
    typeof value.kind === 'string' &&
    (RAFFLE_EVENT_KINDS as readonly string[]).includes(value.kind) &&
    typeof value.raffleId === 'string' &&
    (value.roundId === null || isId(value.roundId)) &&
    (value.number === null || isId(value.number)) &&
    (value.commit === undefined || value.commit === null || isCommit(value.commit)),
  overlayKeyRotated: (value): value is OverlayKeyRotatedEvent => isRecord(value) && typeof value.streamerId === 'string' && value.streamerId !== '',
  overlayEvents: (value): value is OverlayEventMessage => {
    if (!isRecord(value) || typeof value.at !== 'string' || Number.isNaN(Date.parse(value.at))) return false;
    if (value.kind === 'SETTINGS_CHANGED') return true;
    return (
      value.kind === 'TEST_WIN' &&
      typeof value.itemName === 'string' &&
      typeof value.winnerDisplayName === 'string' &&
      Array.isArray(value.reel) &&
      value.reel.length <= 64 &&
      value.reel.every((name) => typeof name === 'string')
    );
  },
};

/** The channel name on the event target (and on Redis): `winnerDrawn:<streamerId>`. */
export function channelOf(topic: TopicName, key: string): string {
  return `${topic}:${key}`;
}
