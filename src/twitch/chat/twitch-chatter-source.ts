/**
 * The raffle engine's ChatterSource on Twitch: Get Chatters with the broadcaster's own token
 * (moderator_id = broadcaster_id, scope moderator:read:chatters), every page to the end, deduped.
 * One snapshot per streamer serves every round and query for a short TTL, and concurrent callers
 * share one fetch (single flight), so a busy channel is read once however many ask.
 */
import { ChatUnavailableError, type ChatOwner, type ChatSnapshot, type ChatterSource } from '../../chatters/chatter';
import { TwitchNotLinkedError } from '../../errors/domain-errors';
import { HelixError, TwitchAuthError, type AllChatters, type HelixClient } from '../api';
import type { TwitchCredentialStore } from '../credentials/credential-store';

export interface TwitchChatSnapshot extends ChatSnapshot {
  /** Twitch's own count on the last page. */
  total: number;
  pages: number;
}

export interface TwitchChatterSourceDeps {
  helix: HelixClient;
  credentials: Pick<TwitchCredentialStore, 'tokenSource'>;
  /** How long a snapshot is reused; 0 shares only fetches in flight. */
  ttlMs: number;
  now?: () => number;
}

interface CacheEntry {
  broadcasterId: string;
  promise: Promise<TwitchChatSnapshot>;
  /** Set when the fetch finished; undefined while in flight. */
  doneAt: number | undefined;
}

export class TwitchChatterSource implements ChatterSource {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly now: () => number;

  constructor(private readonly deps: TwitchChatterSourceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * The current chat of a linked streamer (cached for the TTL). Throws TwitchNotLinkedError, and
   * ChatUnavailableError when Twitch fails or does not answer.
   */
  snapshot(owner: ChatOwner): Promise<TwitchChatSnapshot> {
    const broadcasterId = owner.twitchUserId;
    if (!broadcasterId) return Promise.reject(new TwitchNotLinkedError());
    const cached = this.cache.get(owner.id);
    if (cached && cached.broadcasterId === broadcasterId && (cached.doneAt === undefined || this.fresh(cached.doneAt))) {
      return cached.promise;
    }
    const entry: CacheEntry = { broadcasterId, promise: this.fetch(owner.id, broadcasterId), doneAt: undefined };
    this.cache.set(owner.id, entry);
    entry.promise.then(
      () => {
        entry.doneAt = this.now();
        // Expired snapshots leave memory by themselves: a busy channel is 100k+ entries.
        setTimeout(() => this.drop(owner.id, entry), this.deps.ttlMs).unref();
      },
      () => this.drop(owner.id, entry),
    );
    return entry.promise;
  }

  /** Forgets a streamer's snapshot (the link changed or ended). */
  forget(streamerId: string): void {
    this.cache.delete(streamerId);
  }

  private async fetch(streamerId: string, broadcasterId: string): Promise<TwitchChatSnapshot> {
    let all: AllChatters;
    try {
      all = await this.deps.helix.getAllChatters({
        broadcasterId,
        moderatorId: broadcasterId,
        token: this.deps.credentials.tokenSource(streamerId),
      });
    } catch (error) {
      if (error instanceof HelixError || error instanceof TwitchAuthError) {
        throw new ChatUnavailableError(`could not read the Twitch chat right now: ${error.message}`, { cause: error });
      }
      throw error;
    }
    return { chatters: all.chatters, total: all.total, pages: all.pages, fetchedAt: new Date(this.now()) };
  }

  private fresh(doneAt: number): boolean {
    return this.now() - doneAt < this.deps.ttlMs;
  }

  private drop(streamerId: string, entry: CacheEntry): void {
    if (this.cache.get(streamerId) === entry) this.cache.delete(streamerId);
  }
}
