/** A person in a live chat, as Twitch reports them (Get Chatters). */
export interface Chatter {
  userId: string;
  login: string;
  displayName: string;
}

/** The streamer fields a chatter source needs to find the chat. */
export interface ChatOwner {
  id: string;
  twitchUserId: string | null;
  login: string | null;
}

/** Where the raffle engine learns who is in the chat right now (Twitch, or an in-memory demo). */
export interface ChatterSource {
  listChatters(owner: ChatOwner): Promise<Chatter[]>;
}
