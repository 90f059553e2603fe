/**
 * Get Chatters pages can overlap when the chat changes while we page through it: the client
 * keeps each user once.
 */

/** A person in a chat as Get Chatters reports them (`login` lowercased). */
export interface HelixChatter {
  userId: string;
  login: string;
  displayName: string;
}

/** Collects chatters page by page, keeping the first occurrence of each user id, in order. */
export class UniqueChatters {
  private readonly seen = new Set<string>();
  readonly list: HelixChatter[] = [];
  duplicates = 0;

  addAll(chatters: readonly HelixChatter[]): void {
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
