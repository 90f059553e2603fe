/**
 * What is Twitch-specific about chatter lists: Get Chatters pages can overlap when the chat
 * changes while we page through it. The `Chatter` type and who may win (eligibleChatters) belong
 * to the raffle engine: src/chatters/.
 */
import type { Chatter } from '../chatters/chatter';

export type { Chatter } from '../chatters/chatter';

/** Collects chatters page by page, keeping the first occurrence of each user id, in order. */
export class UniqueChatters {
  private readonly seen = new Set<string>();
  readonly list: Chatter[] = [];
  duplicates = 0;

  addAll(chatters: readonly Chatter[]): void {
    for (const chatter of chatters) {
      if (this.seen.has(chatter.userId)) {
        this.duplicates += 1;
        continue;
      }
      this.seen.add(chatter.userId);
      this.list.push(chatter);
    }
  }
}
