import type { ApiClient } from '../graphql/api-client';
import { AnnouncedRound as AnnouncedRoundQuery, MarkRoundsAnnounced, WinsSince } from '../graphql/announcements';
import type { Logger } from '../logger';
import { describeError } from './errors';
import type { AnnouncedRound } from './winner-embed';

/**
 * Where a win goes: `posted`, or `dropped` when it can never be posted (channel gone, no
 * access). Throws on a passing failure. Must be idempotent per round for a few minutes (the
 * Discord publisher sends a nonce derived from the round id), so that a crash between the post
 * and its record does not post the win twice.
 */
export type Publish = (round: AnnouncedRound, channelId: string, guildId: string) => Promise<'posted' | 'dropped'>;

/**
 * Edits a posted win to its claim as it is now (CLAIMED or EXPIRED): `edited`, `unchanged` (it
 * showed that already) or `missing` (the message is gone or cannot be edited). Throws on a
 * passing failure (retried on the next sweep).
 */
export type UpdateClaim = (round: AnnouncedRound, channelId: string, guildId: string) => Promise<'edited' | 'unchanged' | 'missing'>;

/** A watched claim whose deadline passed this long ago without a CLAIM event is read again. */
export const CLAIM_RECHECK_AFTER_MS = 5_000;
/** Claims that ended at most this long ago are checked against their message after a restart. */
export const CLAIM_RECONCILE_WINDOW_MS = 15 * 60_000;

export interface StreamerRef {
  id: string;
  guildId: string;
}

export interface FeedOptions {
  api: ApiClient;
  logger: Logger;
  publish: Publish;
  /** Edits a win when its claim ends; without it claims are not followed. */
  updateClaim?: UpdateClaim;
  /** Rounds per roundsSince page. */
  pageSize: number;
}

/**
 * The wins of one streamer, posted once each and in order. Live events and catch-ups run in one
 * queue, so they never post the same win twice. Both read the wins after the cursor with
 * `roundsSince(onlyWinners: true)`, skip those with `discordAnnouncedAt` (recorded before a
 * restart) or handled by this process, post the rest in order and record them with
 * `markRoundsAnnouncedInDiscord`; a live event is the cue, so a win missed live (committed while
 * the subscription was being sent again) goes out before the one after it. The cursor only
 * moves past wins read back from the server and handled, so a win missed live is never skipped.
 *
 * Claims: a win posted with a PENDING claim is watched; a CLAIM event edits its message (then it
 * is no longer watched). A watched claim still unseen some seconds past its deadline (an event
 * lost in a reconnect) is read again with `round(id)` on the next catch-up. After a restart, the
 * first catch-up reads every win: pending claims are watched again, and claims ended within
 * CLAIM_RECONCILE_WINDOW_MS are edited if their message does not show it yet (updateClaim is
 * idempotent), so a claim that ended while the bot was down is shown too.
 */
export class StreamerFeed {
  /** Id of the last win read back and handled (catch-up or live cue); wins after it are read with roundsSince. Undefined: from the first. */
  private cursor: string | undefined;
  /** Wins posted (or dropped) by this process and not yet behind the cursor. */
  private readonly handled = new Set<string>();
  /** Handled wins the server has not recorded as announced yet. */
  private readonly unmarked = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private catchUpQueued = false;
  /** Pending claims of posted wins: round id → deadline (ms). */
  private readonly watchedClaims = new Map<string, number>();
  private readonly logger: Logger;

  constructor(
    readonly streamer: StreamerRef,
    private readonly options: FeedOptions,
  ) {
    this.logger = options.logger.child({ streamerId: streamer.id });
  }

  /** A `winnerDrawn` event: posted at once unless the catch-up has it already. */
  live(round: AnnouncedRound): void {
    this.enqueue(() => this.handleLive(round));
  }

  /** A CLAIM event: the win's message is edited to the claim's end. */
  claimChanged(round: AnnouncedRound): void {
    if (!this.options.updateClaim || !round.claim) return;
    this.enqueue(() => this.showClaim(round));
  }

  /** Queues a catch-up unless one is waiting already. */
  catchUp(): void {
    if (this.catchUpQueued) return;
    this.catchUpQueued = true;
    this.enqueue(async () => {
      this.catchUpQueued = false;
      await this.flushMarks();
      await this.announceAfterCursor();
      await this.recheckOverdueClaims();
    });
  }

  /** Resolves when the queued work is done (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  /**
   * A live win is a cue to read every win after the cursor, so wins go out in the server's order
   * even when an earlier one was missed live (committed while the subscription was being sent
   * again after a reconnect). When that read fails, the live win is posted as it came.
   */
  private async handleLive(round: AnnouncedRound): Promise<void> {
    if (!this.isNew(round)) return;
    try {
      await this.announceAfterCursor();
    } catch (error) {
      this.logger.warn({ roundId: round.id, err: describeError(error) }, 'could not read the wins before a live one; posting it as it came');
    }
    if (this.isNew(round)) await this.announce(round);
  }

  private isNew(round: AnnouncedRound): boolean {
    if (round.discordAnnouncedAt !== null || this.handled.has(round.id)) return false;
    return this.cursor === undefined || compareIds(round.id, this.cursor) > 0;
  }

  /** Reads the wins after the cursor, page by page, and posts those not posted yet, in order. */
  private async announceAfterCursor(): Promise<void> {
    const first = this.options.pageSize;
    for (;;) {
      const { roundsSince } = await this.options.api.request(WinsSince, { streamerId: this.streamer.id, afterRoundId: this.cursor ?? null, first });
      for (const round of roundsSince) {
        if (round.discordAnnouncedAt === null && !this.handled.has(round.id)) await this.announce(round);
        else if (!this.handled.has(round.id)) await this.reconcileClaim(round);
        this.cursor = round.id;
      }
      if (roundsSince.length < first) break;
    }
    this.forgetBehindCursor();
  }

  /** Posts one win (a passing failure throws and leaves it for the next catch-up), then records it. */
  private async announce(round: AnnouncedRound): Promise<void> {
    const channelId = round.raffle.streamer.announceChannelId;
    if (channelId) {
      const outcome = await this.options.publish(round, channelId, this.streamer.guildId);
      this.logger.info({ roundId: round.id, channelId, outcome }, outcome === 'posted' ? 'win announced' : 'win not postable; dropped');
    } else {
      this.logger.debug({ roundId: round.id }, 'no announcement channel; win not posted');
    }
    this.handled.add(round.id);
    this.unmarked.add(round.id);
    if (channelId && round.claim?.status === 'PENDING' && this.options.updateClaim) this.watchedClaims.set(round.id, Date.parse(round.claim.deadline));
    await this.flushMarks();
  }

  /** Edits the win's message to its ended claim (a PENDING one is watched instead). */
  private async showClaim(round: AnnouncedRound): Promise<void> {
    const channelId = round.raffle.streamer.announceChannelId;
    if (!round.claim || !channelId || !this.options.updateClaim) return;
    if (round.claim.status === 'PENDING') {
      this.watchedClaims.set(round.id, Date.parse(round.claim.deadline));
      return;
    }
    const outcome = await this.options.updateClaim(round, channelId, this.streamer.guildId);
    this.watchedClaims.delete(round.id);
    this.logger.info({ roundId: round.id, channelId, claim: round.claim.status, outcome }, 'win claim shown');
  }

  /** A win posted before (by an earlier process): watch its pending claim, or show a recently ended one. */
  private async reconcileClaim(round: AnnouncedRound): Promise<void> {
    if (!round.claim || round.discordAnnouncedAt === null || this.watchedClaims.has(round.id)) return;
    if (round.claim.status === 'PENDING' || Date.now() - Date.parse(round.claim.deadline) <= CLAIM_RECONCILE_WINDOW_MS) await this.showClaim(round);
  }

  /** Watched claims well past their deadline: read again (a CLAIM event may have been missed). */
  private async recheckOverdueClaims(): Promise<void> {
    const now = Date.now();
    for (const [id, deadline] of this.watchedClaims) {
      if (now - deadline < CLAIM_RECHECK_AFTER_MS) continue;
      this.logger.info({ roundId: id }, 'claim past its deadline without a CLAIM event; reading it again');
      const { round } = await this.options.api.request(AnnouncedRoundQuery, { id });
      if (!round?.claim) this.watchedClaims.delete(id);
      else if (round.claim.status !== 'PENDING') await this.showClaim(round);
    }
  }

  private async flushMarks(): Promise<void> {
    if (this.unmarked.size === 0) return;
    const roundIds = [...this.unmarked];
    try {
      await this.options.api.request(MarkRoundsAnnounced, { roundIds });
      for (const id of roundIds) this.unmarked.delete(id);
    } catch (error) {
      this.logger.warn({ roundIds, err: describeError(error) }, 'could not record announced wins; will retry');
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      this.logger.warn({ err: describeError(error) }, 'announcing paused; the next catch-up retries');
    });
  }

  /** Handled ids at or before the cursor can never come back from roundsSince: drop them. */
  private forgetBehindCursor(): void {
    if (this.cursor === undefined) return;
    for (const id of this.handled) if (compareIds(id, this.cursor) <= 0 && !this.unmarked.has(id)) this.handled.delete(id);
  }
}

/** Round ids are increasing integers sent as strings; anything else compares as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}
