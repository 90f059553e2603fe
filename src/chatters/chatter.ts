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

/**
 * Where the raffle engine learns who is in the chat right now (Twitch, or an in-memory demo).
 * It returns each chatter once (by user id), in a stable order.
 */
export interface ChatterSource {
  listChatters(owner: ChatOwner): Promise<Chatter[]>;
}
