import { print } from 'graphql';
import type { ApiClient } from '../graphql/api-client';
import type { ResultOf } from '../graphql/graphql';
import { ClaimEvents, WinnerDrawn } from '../graphql/announcements';
import { StreamerByGuild } from '../graphql/streamers';
import type { Logger } from '../logger';
import { AnnouncementConnection, type ConnectionOptions } from './connection';
import { describeError } from './errors';
import { StreamerFeed, type Publish, type StreamerRef, type UpdateClaim } from './feed';
import type { AnnouncedRound } from './winner-embed';

export type { AnnouncedRound, Publish, StreamerRef, UpdateClaim };

export interface AnnouncerOptions {
  api: ApiClient;
  /** ws(s)://…/graphql and the service token sent as connectionParams.authorization. */
  wsUrl: string;
  token: string;
  logger: Logger;
  publish: Publish;
  /** Edits a win when its claim ends (CLAIM raffle events); without it claims are not followed. */
  updateClaim?: UpdateClaim;
  /** How often every followed streamer is caught up anyway (missed events, failed posts). Default 30 s. */
  sweepIntervalMs?: number;
  reconnect?: ConnectionOptions['reconnect'];
  /** Rounds per roundsSince page. Default 200. */
  pageSize?: number;
}

interface Followed {
  feed: StreamerFeed;
  /** The live `winnerDrawn` subscription; undefined once it ended (the sweep subscribes again). */
  unsubscribe: (() => void) | undefined;
  /** The live `raffleEvents` subscription for CLAIM events (with updateClaim); undefined once it ended. */
  unsubscribeClaims: (() => void) | undefined;
}

/**
 * Posts every win of the followed streamers exactly once, across reconnects and restarts: one
 * graphql-ws connection (connection.ts) carries a `winnerDrawn` subscription per streamer, and
 * a feed per streamer (feed.ts) posts and records its wins. A catch-up runs after every
 * (re)connect, on a timer, and when a streamer is first followed. With `updateClaim`, a
 * `raffleEvents` subscription per streamer carries CLAIM events: the feed edits the win's message.
 */
export class Announcements {
  private readonly followedStreamers = new Map<string, Followed>();
  private readonly pendingGuilds = new Set<string>();
  private readonly connection: AnnouncementConnection;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly logger: Logger;

  constructor(private readonly options: AnnouncerOptions) {
    this.logger = options.logger.child({ subsystem: 'announcer' });
    this.connection = new AnnouncementConnection({
      url: options.wsUrl,
      token: options.token,
      logger: options.logger,
      reconnect: options.reconnect,
      // The subscriptions are (re)sent right after the ack; catch up once they are in place. The
      // timer sweep covers a win committed in the gap between the two.
      onConnected: () => setTimeout(() => this.sweep(), 250).unref(),
    });
  }

  start(): void {
    this.stopped = false;
    this.connection.start();
    this.sweepTimer = setInterval(() => this.sweep(), this.options.sweepIntervalMs ?? 30_000);
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    for (const followed of this.followedStreamers.values()) unsubscribeAll(followed);
    const idle = [...this.followedStreamers.values()].map(({ feed }) => feed.idle());
    await Promise.race([Promise.allSettled(idle), delay(5_000)]);
    this.followedStreamers.clear();
    await this.connection.stop();
  }

  /** Follows the streamer of a guild the bot is in, if the guild has one. Retried later when the API is down. */
  async syncGuild(guildId: string): Promise<void> {
    try {
      const { streamerByGuild } = await this.options.api.request(StreamerByGuild, { guildId });
      this.pendingGuilds.delete(guildId);
      if (streamerByGuild) this.track({ id: streamerByGuild.id, guildId });
    } catch (error) {
      this.pendingGuilds.add(guildId);
      this.logger.warn({ guildId, err: describeError(error) }, 'could not look up the guild streamer; will retry');
    }
  }

  /** Stops following the guild's streamer (the bot left the guild). */
  forgetGuild(guildId: string): void {
    this.pendingGuilds.delete(guildId);
    for (const [id, followed] of this.followedStreamers) {
      if (followed.feed.streamer.guildId !== guildId) continue;
      unsubscribeAll(followed);
      this.followedStreamers.delete(id);
    }
  }

  /** Follows a streamer: subscribes and catches up. Idempotent. */
  track(streamer: StreamerRef): void {
    if (this.stopped || this.followedStreamers.has(streamer.id)) return;
    // A guild has one streamer: another one followed for it is stale (the guild joined a
    // Twitch-only streamer when /link met it, and its old streamer is gone).
    for (const [id, followed] of this.followedStreamers) {
      if (followed.feed.streamer.guildId !== streamer.guildId) continue;
      unsubscribeAll(followed);
      this.followedStreamers.delete(id);
    }
    const feed = new StreamerFeed(streamer, {
      api: this.options.api,
      logger: this.logger,
      publish: this.options.publish,
      updateClaim: this.options.updateClaim,
      pageSize: this.options.pageSize ?? 200,
    });
    const followed: Followed = { feed, unsubscribe: undefined, unsubscribeClaims: undefined };
    this.followedStreamers.set(streamer.id, followed);
    this.logger.info({ streamerId: streamer.id, guildId: streamer.guildId }, 'following winners');
    this.subscribe(followed);
    this.subscribeClaims(followed);
    feed.catchUp();
  }

  /** Streamers followed now (for tests and logs). */
  followed(): StreamerRef[] {
    return [...this.followedStreamers.values()].map(({ feed }) => ({ ...feed.streamer }));
  }

  private sweep(): void {
    if (this.stopped) return;
    for (const guildId of this.pendingGuilds) void this.syncGuild(guildId);
    for (const followed of this.followedStreamers.values()) {
      if (!followed.unsubscribe) this.subscribe(followed);
      if (!followed.unsubscribeClaims) this.subscribeClaims(followed);
      followed.feed.catchUp();
    }
  }

  private subscribe(followed: Followed): void {
    const { feed } = followed;
    const ended = () => {
      if (followed.unsubscribe === unsubscribe) followed.unsubscribe = undefined;
    };
    const unsubscribe = this.connection.subscribe<{ winnerDrawn: AnnouncedRound }>(
      { query: print(WinnerDrawn), variables: { streamerId: feed.streamer.id } },
      {
        next: (result) => {
          if (result.errors?.length) {
            this.logger.warn({ streamerId: feed.streamer.id, errors: result.errors.map((e) => e.message) }, 'winnerDrawn error');
            return;
          }
          const round = result.data?.winnerDrawn;
          if (round) feed.live(round);
        },
        error: (error) => {
          // The subscription is over (e.g. refused); the sweep subscribes again.
          ended();
          this.logger.warn({ streamerId: feed.streamer.id, err: describeError(error) }, 'winnerDrawn subscription ended with an error');
        },
        complete: ended,
      },
    );
    followed.unsubscribe = unsubscribe;
  }

  /** CLAIM events of the streamer's raffles (other kinds are ignored): the feed edits that win. */
  private subscribeClaims(followed: Followed): void {
    if (!this.options.updateClaim) return;
    const { feed } = followed;
    const ended = () => {
      if (followed.unsubscribeClaims === unsubscribe) followed.unsubscribeClaims = undefined;
    };
    const unsubscribe = this.connection.subscribe<ResultOf<typeof ClaimEvents>>(
      { query: print(ClaimEvents), variables: { streamerId: feed.streamer.id } },
      {
        next: (result) => {
          if (result.errors?.length) {
            this.logger.warn({ streamerId: feed.streamer.id, errors: result.errors.map((e) => e.message) }, 'raffleEvents error');
            return;
          }
          const event = result.data?.raffleEvents;
          if (event?.kind === 'CLAIM' && event.round) feed.claimChanged(event.round);
        },
        error: (error) => {
          ended();
          this.logger.warn({ streamerId: feed.streamer.id, err: describeError(error) }, 'raffleEvents subscription ended with an error');
        },
        complete: ended,
      },
    );
    followed.unsubscribeClaims = unsubscribe;
  }
}

function unsubscribeAll(followed: Followed): void {
  followed.unsubscribe?.();
  followed.unsubscribeClaims?.();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
