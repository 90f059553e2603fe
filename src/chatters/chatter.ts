/** A person in a live chat, as Twitch reports them (Get Chatters). */
export interface Chatter {
  userId: string;
  /** The login name, lowercase as Twitch gives it (`user_login`). */
  login: string;
  displayName: string;
}

/** The streamer fields a chatter source needs to find the chat. */
export interface ChatOwner {
  id: string;
  twitchUserId: string | null;
  login: string | null;
}

/** The chat as it was read at one moment. */
export interface ChatSnapshot {
  /** Each chatter once (by user id), in a stable order. */
  chatters: Chatter[];
  /** When the chat was read (a source may serve one reading for a few seconds). */
  fetchedAt: Date;
}

/**
 * Where the raffle engine learns who is in the chat right now (Twitch, or an in-memory demo).
 * Rounds and liveChatters read the same snapshot. A source throws ChatUnavailableError when the
 * chat cannot be read right now, and TwitchNotLinkedError when the streamer has no Twitch link.
 */
export interface ChatterSource {
  snapshot(owner: ChatOwner): Promise<ChatSnapshot>;
}

/** The chat could not be read right now (the chat service failed or did not answer); try again later. */
export class ChatUnavailableError extends Error {
  override name = 'ChatUnavailableError';
}
