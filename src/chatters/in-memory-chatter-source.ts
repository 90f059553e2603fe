import type { ChatOwner, ChatSnapshot, Chatter, ChatterSource } from './chatter';

/**
 * Chatters kept in memory: the demo source when Twitch is not configured, and the deterministic
 * source tests set up. A streamer with no list set gets `defaultCount` generated viewers.
 */
export class InMemoryChatterSource implements ChatterSource {
  private readonly lists = new Map<string, Chatter[]>();

  constructor(private readonly defaultCount = 25) {}

  /** The chat of a streamer, kept as a ChatterSource must give it: each user once, logins lowercase. */
  set(streamerId: string, chatters: Chatter[]): void {
    const seen = new Set<string>();
    this.lists.set(
      streamerId,
      chatters.flatMap((chatter) => {
        if (seen.has(chatter.userId)) return [];
        seen.add(chatter.userId);
        return [{ ...chatter, login: chatter.login.toLowerCase() }];
      }),
    );
  }

  async snapshot(owner: ChatOwner): Promise<ChatSnapshot> {
    return { chatters: this.lists.get(owner.id) ?? generateViewers(this.defaultCount), fetchedAt: new Date() };
  }
}

export function generateViewers(count: number, prefix = 'viewer'): Chatter[] {
  return Array.from({ length: count }, (_, index) => {
    const number = String(index + 1).padStart(3, '0');
    return { userId: `${900_000 + index}`, login: `${prefix}_${number}`, displayName: `${prefix.charAt(0).toUpperCase()}${prefix.slice(1)}_${number}` };
  });
}
