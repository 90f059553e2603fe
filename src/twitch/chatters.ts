/**
 * What is Twitch-specific about chatter lists: Get Chatters pages can overlap when the chat
 * changes while we page through it. The `Chatter` type and who may win (eligibleChatters) belong
 * to the raffle engine: src/chatters/.
 */
import type { Chatter } from '../chatters/chatter';

export type { Chatter } from '../chatters/chatter';

/** Keeps the first occurrence of each user id, in order (a user Twitch returned on two pages). */
export function dedupeChatters(chatters: readonly Chatter[]): Chatter[] {
  const seen = new Set<string>();
  const unique: Chatter[] = [];
  for (const chatter of chatters) {
    if (seen.has(chatter.userId)) continue;
    seen.add(chatter.userId);
    unique.push(chatter);
  }
  return unique;
}
