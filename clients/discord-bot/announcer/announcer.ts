import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ApiClient } from '../graphql/api-client';
import { MarkRoundsAnnounced, WinnerDrawn, WinsSince } from '../graphql/announcements';
import { StreamerByGuild } from '../graphql/streamers';
import type { Logger } from '../logger';
import type { AnnouncedRound } from './winner-embed';

export type { AnnouncedRound };

/** Where a win goes: `posted`, or `dropped` when it can never be posted (channel gone, no access). Throws on a passing failure. */
export type Publish = (round: AnnouncedRound, channelId: string, guildId: string) => Promise<'posted' | 'dropped'>;

export interface AnnouncerOptions {
  api: ApiClient;
  /** ws(s)://…/graphql and the service token sent as connectionParams.authorization. */
  wsUrl: string;
  token: string;
  logger: Logger;
  publish: Publish;
  /** How often every followed streamer is caught up anyway (missed events, failed posts). Default 30 s. */
  sweepIntervalMs?: number;
  /** Reconnect backoff bounds. Default 500 ms doubling to 30 s, ±20 % jitter. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** Rounds per roundsSince page. Default 200. */
  pageSize?: number;
}

const KEEP_ALIVE_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

export interface StreamerRef {
  id: string;
  guildId: string;
}

interface Feed extends StreamerRef {
  /** Id of the last win the catch-up handled; wins after it are read with roundsSince. Undefined: from the first. */
  cursor: string | undefined;
  /** Wins posted (or dropped) by this process and not yet behind the cursor. */
  handled: Set<string>;
  /** Handled wins the server has not recorded as announced yet. */
  unmarked: Set<string>;
  unsubscribe: (() => void) | undefined;
  chain: Promise<void>;
  catchUpQueued: boolean;
}

/**
 * Posts every win of the followed streamers exactly once, across reconnects and restarts.
 *
 * One graphql-ws connection carries a `winnerDrawn` subscription per streamer. Live events are
 * posted at once; after every (re)connect, on a timer, and when a streamer is first followed, a
 * catch-up reads the wins after the cursor with `roundsSince(onlyWinners: true)`, skips those
 * with `discordAnnouncedAt` (posted before a restart) or already handled here, posts the rest in
 * order and records them with `markRoundsAnnouncedInDiscord`. Per streamer everything runs in
 * one queue, so a live event and the catch-up never post the same win twice. The cursor only
 * moves in the catch-up, past wins it has handled, so a win missed live is never skipped.
 */
export class Announcements {
  private readonly feeds = new Map<string, Feed>();
  private readonly pendingGuilds = new Set<string>();
  private client: Client | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private connectedOnce = false;
  private downSince: number | undefined;
  private stopped = false;
  /** Pending reconnect waits, cancelled by stop() so no timer or socket outlives the bot. */
  private readonly waits = new Set<() => void>();
  private readonly logger: Logger;

  constructor(private readonly options: AnnouncerOptions) {
    this.logger = options.logger.child({ subsystem: 'announcer' });
  }

  start(): void {
    this.stopped = false;
    this.connect();
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 30_000);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearTimeout(this.restartTimer);
    for (const cancel of this.waits) cancel();
    this.waits.clear();
    for (const feed of this.feeds.values()) feed.unsubscribe?.();
    await Promise.race([Promise.allSettled([...this.feeds.values()].map((feed) => feed.chain)), delay(5_000)]);
    this.feeds.clear();
    if (this.client) await disposeQuietly(this.client, this.downSince === undefined && this.connectedOnce);
    this.client = undefined;
  }

  /** Follows the streamer of a guild the bot is in, if the guild has one. Retried later when the API is down. */
  async syncGuild(guildId: string): Promise<void> {
    try {
      const { streamerByGuild } = await this.options.api.request(StreamerByGuild, { guildId });
      this.pendingGuilds.delete(guildId);
      if (streamerByGuild) this.track({ id: streamerByGuild.id, guildId: streamerByGuild.guildId });
    } catch (error) {
      this.pendingGuilds.add(guildId);
      this.logger.warn({ guildId, err: message(error) }, 'could not look up the guild streamer; will retry');
    }
  }

  /** Stops following the guild's streamer (the bot left the guild). */
  forgetGuild(guildId: string): void {
    this.pendingGuilds.delete(guildId);
    for (const feed of this.feeds.values()) {
      if (feed.guildId !== guildId) continue;
      feed.unsubscribe?.();
      this.feeds.delete(feed.id);
    }
  }

  /** Follows a streamer: subscribes and catches up. Idempotent. */
  track(streamer: StreamerRef): void {
    if (this.stopped || this.feeds.has(streamer.id)) return;
    const feed: Feed = {
      ...streamer,
      cursor: undefined,
      handled: new Set(),
      unmarked: new Set(),
      unsubscribe: undefined,
      chain: Promise.resolve(),
      catchUpQueued: false,
    };
    this.feeds.set(streamer.id, feed);
    this.logger.info({ streamerId: feed.id, guildId: feed.guildId }, 'following winners');
    this.subscribe(feed);
    this.catchUp(feed);
  }

  /** Streamers followed now (for tests and logs). */
  followed(): StreamerRef[] {
    return [...this.feeds.values()].map(({ id, guildId }) => ({ id, guildId }));
  }

  private connect(): void {
    const { minDelayMs = 500, maxDelayMs = 30_000 } = this.options.reconnect ?? {};
    let pongTimer: NodeJS.Timeout | undefined;
    const client = createClient({
      url: this.options.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.options.token}` },
      lazy: false,
      keepAlive: KEEP_ALIVE_MS,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => this.retryWait(Math.min(maxDelayMs, minDelayMs * 2 ** retries) * (0.8 + Math.random() * 0.4)),
      onNonLazyError: (error) => {
        // A close the library will not retry (e.g. 4500): start over with a new client.
        this.logger.error({ err: closeDescription(error) }, 'announcement connection failed for good; starting a new one');
        this.scheduleRestart(maxDelayMs);
      },
      on: {
        connected: () => this.onConnected(),
        closed: (event) => {
          clearTimeout(pongTimer);
          this.onClosed(event);
        },
        // A half-open socket (the API host vanished) answers no ping: end it so the retry begins.
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
    this.client = client;
    for (const feed of this.feeds.values()) this.subscribe(feed);
  }

  private scheduleRestart(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      const old = this.client;
      for (const feed of this.feeds.values()) {
        feed.unsubscribe?.();
        feed.unsubscribe = undefined;
      }
      if (old) void disposeQuietly(old, false);
      if (!this.stopped) this.connect();
    }, delayMs);
  }

  /** Resolves after `ms`; after stop() it never resolves, so graphql-ws makes no further attempt. */
  private retryWait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return;
      const cancel = () => clearTimeout(timer);
      const timer = setTimeout(() => {
        this.waits.delete(cancel);
        resolve();
      }, ms);
      this.waits.add(cancel);
    });
  }

  private onConnected(): void {
    const downFor = this.downSince === undefined ? undefined : Date.now() - this.downSince;
    this.downSince = undefined;
    if (this.connectedOnce) this.logger.info({ downForMs: downFor }, 'announcement connection back; catching up');
    else this.logger.info('announcement connection open');
    this.connectedOnce = true;
    // The subscriptions are (re)sent right after the ack; catch up once they are in place. The
    // timer sweep covers a win committed in the gap between the two.
    setTimeout(() => this.sweep(), 250).unref();
  }

  private onClosed(event: unknown): void {
    if (this.stopped) return;
    const code = event && typeof event === 'object' && 'code' in event ? (event as { code: unknown }).code : undefined;
    if (code === 4403 || code === 4401) {
      this.logger.error({ close: closeDescription(event) }, 'the API refused the bot token: is API_TOKEN the server one?');
    }
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      const msg = this.connectedOnce ? 'announcement connection lost; reconnecting with backoff' : 'cannot reach the API for announcements yet; retrying with backoff';
      this.logger.warn({ close: closeDescription(event) }, msg);
    } else {
      this.logger.debug({ close: closeDescription(event) }, 'announcement connection still down');
    }
  }

  private sweep(): void {
    if (this.stopped) return;
    for (const guildId of this.pendingGuilds) void this.syncGuild(guildId);
    for (const feed of this.feeds.values()) {
      if (!feed.unsubscribe) this.subscribe(feed);
      this.catchUp(feed);
    }
  }

  private subscribe(feed: Feed): void {
    if (!this.client || feed.unsubscribe) return;
    const unsubscribe = this.client.subscribe<{ winnerDrawn: AnnouncedRound }>(
      { query: print(WinnerDrawn), variables: { streamerId: feed.id } },
      {
        next: (result) => {
          if (result.errors?.length) {
            this.logger.warn({ streamerId: feed.id, errors: result.errors.map((e) => e.message) }, 'winnerDrawn error');
            return;
          }
          const round = result.data?.winnerDrawn;
          if (round) this.enqueue(feed, () => this.handleLive(feed, round));
        },
        error: (error) => {
          // The subscription is over (e.g. refused); the sweep subscribes again.
          if (feed.unsubscribe === unsubscribe) feed.unsubscribe = undefined;
          this.logger.warn({ streamerId: feed.id, err: closeDescription(error) }, 'winnerDrawn subscription ended with an error');
        },
        complete: () => {
          if (feed.unsubscribe === unsubscribe) feed.unsubscribe = undefined;
        },
      },
    );
    feed.unsubscribe = unsubscribe;
  }

  private catchUp(feed: Feed): void {
    if (feed.catchUpQueued) return;
    feed.catchUpQueued = true;
    this.enqueue(feed, async () => {
      feed.catchUpQueued = false;
      await this.flushMarks(feed);
      const first = this.options.pageSize ?? 200;
      for (;;) {
        const { roundsSince } = await this.options.api.request(WinsSince, { streamerId: feed.id, afterRoundId: feed.cursor ?? null, first });
        for (const round of roundsSince) {
          if (round.discordAnnouncedAt === null && !feed.handled.has(round.id)) await this.announce(feed, round);
          feed.cursor = round.id;
        }
        if (roundsSince.length < first) break;
      }
      forgetBehind(feed);
    });
  }

  private async handleLive(feed: Feed, round: AnnouncedRound): Promise<void> {
    if (round.discordAnnouncedAt !== null || feed.handled.has(round.id)) return;
    if (feed.cursor !== undefined && compareIds(round.id, feed.cursor) <= 0) return;
    await this.announce(feed, round);
  }

  /** Posts one win (a passing failure throws and leaves it for the next catch-up), then records it. */
  private async announce(feed: Feed, round: AnnouncedRound): Promise<void> {
    const channelId = round.raffle.streamer.announceChannelId;
    if (channelId) {
      const outcome = await this.options.publish(round, channelId, feed.guildId);
      this.logger.info({ streamerId: feed.id, roundId: round.id, channelId, outcome }, outcome === 'posted' ? 'win announced' : 'win not postable; dropped');
    } else {
      this.logger.debug({ streamerId: feed.id, roundId: round.id }, 'no announcement channel; win not posted');
    }
    feed.handled.add(round.id);
    feed.unmarked.add(round.id);
    await this.flushMarks(feed);
  }

  private async flushMarks(feed: Feed): Promise<void> {
    if (feed.unmarked.size === 0) return;
    const roundIds = [...feed.unmarked];
    try {
      await this.options.api.request(MarkRoundsAnnounced, { roundIds });
      for (const id of roundIds) feed.unmarked.delete(id);
    } catch (error) {
      this.logger.warn({ streamerId: feed.id, roundIds, err: message(error) }, 'could not record announced wins; will retry');
    }
  }

  private enqueue(feed: Feed, task: () => Promise<void>): void {
    feed.chain = feed.chain.then(task).catch((error: unknown) => {
      this.logger.warn({ streamerId: feed.id, err: message(error) }, 'announcing paused; the next catch-up retries');
    });
  }
}

/** Handled ids at or before the cursor can never come back from roundsSince: drop them. */
function forgetBehind(feed: Feed): void {
  if (feed.cursor === undefined) return;
  for (const id of feed.handled) if (compareIds(id, feed.cursor) <= 0 && !feed.unmarked.has(id)) feed.handled.delete(id);
}

/** Round ids are increasing integers sent as strings; anything else compares as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function closeDescription(event: unknown): string {
  if (event && typeof event === 'object' && 'code' in event) {
    const { code, reason } = event as { code: unknown; reason?: unknown };
    return `close ${String(code)}${reason ? ` ${String(reason)}` : ''}`;
  }
  return message(event);
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map(message).join('; ');
  if (error && typeof error === 'object' && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * graphql-ws's dispose waits for a connection attempt in flight and rejects when it fails (API
 * down); neither may hold up or break the bot's shutdown.
 */
async function disposeQuietly(client: Client, connected: boolean): Promise<void> {
  const disposed = Promise.resolve()
    .then(() => client.dispose())
    .catch(() => undefined);
  // Open: wait for the close frame. Down: nothing is open, and an attempt in flight closes itself.
  if (connected) await Promise.race([disposed, delay(1_000)]);
}
