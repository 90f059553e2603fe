/**
 * Reads the Twitch chat of every streamer whose running raffle needs it (KEYWORD entry, or a
 * claim window), on exactly one instance at a time: each poll takes or renews the streamer's
 * lease (chat-leases.ts), opens an EventSub session for the streamers it holds, and closes the
 * sessions it no longer holds or needs. A crashed instance's streamers move after the lease.
 *
 * Each chat message (deduplicated by the session) is matched against the streamer's running
 * raffle: sent after the raffle started; under OWN_CHAT only from the streamer's own channel
 * (source_broadcaster_user_id null or the streamer); the keyword as a whole word. Matches become
 * entry rows (EntryWriter batches them into raffle_entries); one per person per raffle.
 */
import type { Logger } from 'pino';
import type { Db } from '../../db/database';
import { keywordMatcher } from '../../entry/keyword-matcher';
import { rolesFromBadges } from '../../entry/tickets';
import { EntryWriter } from '../../entry/entry-writer';
import type { SharedChatMode } from '../../generated/prisma/enums';
import type { HelixClient, TokenSource } from '../api';
import { ChatLeases, type ChatStreamStatus } from './chat-leases';
import { CHAT_MESSAGE_TYPE, subscribeChat } from './chat-subscriptions';
import { isChatMessageEvent, parseTwitchTimestamp, type ChatMessageEvent, type EventSubMessage, type SharedChatEvent } from './eventsub-messages';
import { EventSubSession, type SubscribeOutcome } from './eventsub-session';

export interface ChatConsumerOptions {
  db: Db;
  helix: HelixClient;
  credentials: { tokenSource(streamerId: string): TokenSource };
  logger: Logger;
  instanceId: string;
  /** TWITCH_EVENTSUB_WS_URL. */
  url: string;
  leaseSeconds: number;
  pollMs: number;
  keepaliveTimeoutSeconds?: number;
  reconnectBackoff?: { baseMs: number; maxMs: number };
  writer?: { batchSize?: number; flushMs?: number };
}

/** A chat line of a streamer with a running raffle, after dedupe (claims listen here). */
export interface ChatLine {
  streamerId: string;
  raffleId: string;
  event: ChatMessageEvent;
  at: Date;
}

interface RaffleChat {
  raffleId: string;
  streamerId: string;
  broadcasterId: string;
  startedAt: Date;
  sharedChat: SharedChatMode;
  matches: ((text: string) => boolean) | null;
}

interface StreamerChat {
  session: EventSubSession;
  raffle: RaffleChat;
  /** People already entered (no second row sent). */
  entered: Set<string>;
  sharedSession: { id: string; hostId: string; participants: string[] } | null;
}

interface WantedRow {
  raffle_id: string;
  streamer_id: string;
  twitch_user_id: string;
  entry_keyword: string | null;
  shared_chat: SharedChatMode;
  started_at: Date;
  status: string | null;
  status_at: Date | null;
  credential_at: Date;
}

export class ChatConsumer {
  private readonly chats = new Map<string, StreamerChat>();
  private readonly leases: ChatLeases;
  readonly writer: EntryWriter;
  private readonly listeners = new Set<(line: ChatLine) => void>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  /**
   * Revocations seen here, numbered: a poll that read the raffles before a revocation (its row
   * still says CONNECTED) must not open that chat again. A poll first waits for the REVOKED
   * writes in flight, so the rows it reads include them.
   */
  private revocations = 0;
  private readonly revokedAt = new Map<string, number>();
  private readonly revocationWrites = new Set<Promise<void>>();
  /** Chat lines seen, ignored because of Shared Chat, too early, or entered. */
  readonly stats = { lines: 0, otherChannel: 0, beforeStart: 0, matched: 0 };

  constructor(private readonly options: ChatConsumerOptions) {
    this.leases = new ChatLeases(options.db, options.instanceId, options.leaseSeconds);
    this.writer = new EntryWriter({ db: options.db, logger: options.logger.child({ part: 'entries' }), ...options.writer });
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.polling = this.poll()
        .catch((error: unknown) => this.options.logger.error({ err: describe(error) }, 'chat consumer poll failed'))
        .finally(() => {
          this.polling = null;
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    tick();
  }

  /** Streamers whose chat this instance reads right now. */
  get consuming(): string[] {
    return [...this.chats.keys()];
  }

  /** The EventSub session of a streamer on this instance (tests, operators). */
  sessionOf(streamerId: string): EventSubSession | undefined {
    return this.chats.get(streamerId)?.session;
  }

  sharedChatOf(streamerId: string): StreamerChat['sharedSession'] {
    return this.chats.get(streamerId)?.sharedSession ?? null;
  }

  onChatLine(listener: (line: ChatLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Polls now (tests; also after startRaffle so a keyword raffle starts listening at once). */
  async pollNow(): Promise<void> {
    if (this.polling) await this.polling;
    await this.poll();
  }

  async stop(options: { release: boolean } = { release: true }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.polling) await this.polling;
    const ids = [...this.chats.keys()];
    await Promise.all(ids.map((id) => this.close(id)));
    await this.writer.flush().catch((error: unknown) => this.options.logger.error({ err: describe(error) }, 'entries not written at stop'));
    if (options.release) await this.leases.release(ids).catch(() => {});
  }

  private async poll(): Promise<void> {
    const { db } = this.options;
    await Promise.all(this.revocationWrites);
    const revocationsBefore = this.revocations;
    // Running raffles that read chat, of linked streamers; a revoked chat waits for a new link.
    const wanted = await db.$queryRaw<WantedRow[]>`
      SELECT r.id AS raffle_id, r.streamer_id, s.twitch_user_id, r.entry_keyword, r.shared_chat, r.started_at,
             cs.status, cs.status_at, c.updated_at AS credential_at
        FROM raffles r
        JOIN streamers s ON s.id = r.streamer_id
        JOIN twitch_credentials c ON c.streamer_id = s.id
        LEFT JOIN twitch_chat_streams cs ON cs.streamer_id = s.id
       WHERE r.status = 'RUNNING' AND s.twitch_user_id IS NOT NULL
         AND (r.entry_mode = 'KEYWORD' OR r.claim_seconds > 0)`;
    const usable = wanted.filter(
      (row) => !(row.status === 'REVOKED' || row.status === 'NEEDS_RECONNECT') || (row.status_at !== null && row.credential_at > row.status_at),
    );
    const held = this.stopped ? new Set<string>() : await this.leases.acquire(usable.map((row) => row.streamer_id));
    for (const row of usable) {
      if (!held.has(row.streamer_id) || (this.revokedAt.get(row.streamer_id) ?? 0) > revocationsBefore) continue;
      const raffle: RaffleChat = {
        raffleId: row.raffle_id,
        streamerId: row.streamer_id,
        broadcasterId: row.twitch_user_id,
        startedAt: row.started_at,
        sharedChat: row.shared_chat,
        matches: row.entry_keyword === null ? null : keywordMatcher(row.entry_keyword),
      };
      const chat = this.chats.get(row.streamer_id);
      if (chat && chat.raffle.broadcasterId === raffle.broadcasterId) {
        if (chat.raffle.raffleId !== raffle.raffleId) chat.entered.clear();
        chat.raffle = raffle;
      } else {
        if (chat) await this.close(row.streamer_id);
        this.open(raffle);
      }
    }
    const needed = new Set(usable.map((row) => row.streamer_id));
    for (const streamerId of [...this.chats.keys()]) {
      if (held.has(streamerId)) continue;
      const stillNeeded = needed.has(streamerId);
      this.options.logger.info({ streamerId, leaseLost: stillNeeded }, 'chat no longer read here; closing');
      await this.close(streamerId);
      if (!stillNeeded) {
        await this.leases.release([streamerId]).catch(() => {});
        await this.status(streamerId, 'IDLE', null);
      }
    }
    // Revocations recorded before this poll's read are in the rows from now on.
    for (const [streamerId, number] of this.revokedAt) if (number <= revocationsBefore) this.revokedAt.delete(streamerId);
  }

  private open(raffle: RaffleChat): void {
    const { logger } = this.options;
    const streamerId = raffle.streamerId;
    const log = logger.child({ streamerId });
    const session: EventSubSession = new EventSubSession({
      url: this.options.url,
      ...(this.options.keepaliveTimeoutSeconds !== undefined ? { keepaliveTimeoutSeconds: this.options.keepaliveTimeoutSeconds } : {}),
      ...(this.options.reconnectBackoff ? { backoff: this.options.reconnectBackoff } : {}),
      logger: log,
      subscribe: (sessionId) => this.subscribe(streamerId, sessionId),
      onNotification: (message) => this.onNotification(streamerId, message),
      onRevocation: (subscription) => {
        log.warn({ type: subscription.type, status: subscription.status }, 'eventsub subscription revoked');
        this.revokedAt.set(streamerId, ++this.revocations);
        const write = this.status(streamerId, 'REVOKED', `Twitch revoked the chat subscription (${subscription.status}): reconnect Twitch (/link) to read the chat again`).finally(
          () => this.revocationWrites.delete(write),
        );
        this.revocationWrites.add(write);
        void this.close(streamerId);
      },
      onStopped: () => void this.close(streamerId),
    });
    this.chats.set(streamerId, { session, raffle, entered: new Set(), sharedSession: null });
    session.start();
  }

  private async subscribe(streamerId: string, sessionId: string): Promise<SubscribeOutcome> {
    const chat = this.chats.get(streamerId);
    if (!chat) return 'stop';
    const result = await subscribeChat(this.options.helix, {
      sessionId,
      broadcasterId: chat.raffle.broadcasterId,
      token: this.options.credentials.tokenSource(streamerId),
    });
    // The raffle may have stopped (and IDLE been recorded) while Twitch answered: a late
    // CONNECTED would then claim a chat that nothing reads.
    if (this.chats.get(streamerId) !== chat) return 'stop';
    switch (result.kind) {
      case 'subscribed':
        await this.status(streamerId, 'CONNECTED', null);
        return 'subscribed';
      case 'unauthorized':
        await this.status(
          streamerId,
          'NEEDS_RECONNECT',
          `Twitch refused to let the app read this chat (${result.message}): reconnect Twitch once (/link) and approve reading chat (user:read:chat)`,
        );
        return 'stop';
      case 'limited':
        await this.status(streamerId, 'ERROR', `Twitch limit reached (${result.message}): retrying; close other apps' EventSub connections for this account if it persists`);
        return 'retry';
      case 'failed':
        await this.status(streamerId, 'ERROR', `could not subscribe to the chat: ${result.message}`);
        return 'retry';
    }
  }

  private onNotification(streamerId: string, message: EventSubMessage): void {
    const chat = this.chats.get(streamerId);
    if (!chat) return;
    const type = message.metadata.subscription_type ?? message.payload.subscription?.type;
    const event = message.payload.event;
    if (type === CHAT_MESSAGE_TYPE) {
      if (isChatMessageEvent(event)) this.onChatMessage(chat, event, message.metadata.message_timestamp);
      return;
    }
    if (type?.startsWith('channel.shared_chat.')) {
      const shared = event as SharedChatEvent;
      chat.sharedSession =
        type === 'channel.shared_chat.end'
          ? null
          : {
              id: shared.session_id,
              hostId: shared.host_broadcaster_user_id,
              participants: (shared.participants ?? []).map((p) => p.broadcaster_user_id),
            };
      this.options.logger.info({ streamerId, type, sessionId: shared.session_id }, 'shared chat session changed');
    }
  }

  private onChatMessage(chat: StreamerChat, event: ChatMessageEvent, timestamp: string): void {
    this.stats.lines += 1;
    const raffle = chat.raffle;
    const source = event.source_broadcaster_user_id ?? null;
    if (raffle.sharedChat === 'OWN_CHAT' && source !== null && source !== raffle.broadcasterId) {
      this.stats.otherChannel += 1;
      return;
    }
    const at = parseTwitchTimestamp(timestamp);
    if (at < raffle.startedAt) {
      this.stats.beforeStart += 1;
      return;
    }
    for (const listener of this.listeners) listener({ streamerId: raffle.streamerId, raffleId: raffle.raffleId, event, at });
    if (!raffle.matches || chat.entered.has(event.chatter_user_id) || !raffle.matches(event.message.text)) return;
    this.stats.matched += 1;
    chat.entered.add(event.chatter_user_id);
    // Roles in the streamer's own channel (`badges`; `source_badges` are the other channel's).
    const badges = event.badges;
    this.writer.add({
      raffleId: raffle.raffleId,
      userId: event.chatter_user_id,
      login: event.chatter_user_login.toLowerCase(),
      displayName: event.chatter_user_name,
      ...rolesFromBadges(badges),
      firstMessageAt: at,
      messageId: event.message_id,
      sourceBroadcasterId: source,
    });
  }

  private async close(streamerId: string): Promise<void> {
    const chat = this.chats.get(streamerId);
    if (!chat) return;
    this.chats.delete(streamerId);
    await chat.session.stop();
  }

  private async status(streamerId: string, status: ChatStreamStatus, message: string | null): Promise<void> {
    await this.leases.setStatus(streamerId, status, message).catch((error: unknown) =>
      this.options.logger.warn({ err: describe(error), streamerId }, 'could not record the chat status'),
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
