/**
 * The subscriptions a streamer's chat session needs, created within the welcome window with the
 * streamer's own user token: channel.chat.message v1 (condition broadcaster_user_id + user_id,
 * both the streamer; scope user:read:chat; cost 0) and channel.shared_chat.begin / update / end
 * v1 (condition broadcaster_user_id; no authorization). Twitch's answers decide what happens next.
 */
import { HelixError, type HelixClient, type TokenSource } from '../api';

export const CHAT_MESSAGE_TYPE = 'channel.chat.message';
export const SHARED_CHAT_TYPES = ['channel.shared_chat.begin', 'channel.shared_chat.update', 'channel.shared_chat.end'] as const;

export type SubscribeResult =
  | { kind: 'subscribed' }
  /** 403: the token lacks the authorization (user:read:chat): the streamer must reconnect. */
  | { kind: 'unauthorized'; message: string }
  /** 429: a documented limit (3 WebSocket transports per user, 300 per session, total cost 10). */
  | { kind: 'limited'; message: string }
  | { kind: 'failed'; message: string };

export async function subscribeChat(
  helix: HelixClient,
  params: { sessionId: string; broadcasterId: string; token: TokenSource },
): Promise<SubscribeResult> {
  const { sessionId, broadcasterId, token } = params;
  const wanted = [
    { type: CHAT_MESSAGE_TYPE, condition: { broadcaster_user_id: broadcasterId, user_id: broadcasterId } },
    ...SHARED_CHAT_TYPES.map((type) => ({ type, condition: { broadcaster_user_id: broadcasterId } })),
  ];
  try {
    // In parallel: all four must exist before the welcome window closes.
    const results = await Promise.allSettled(
      wanted.map((subscription) =>
        helix.createEventSubSubscription({ ...subscription, version: '1', sessionId, token, userId: broadcasterId }),
      ),
    );
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      const error = result.reason;
      // 409: this session has it already (a retried request that had succeeded).
      if (error instanceof HelixError && error.status === 409) continue;
      throw error;
    }
    return { kind: 'subscribed' };
  } catch (error) {
    if (error instanceof HelixError && error.status === 403) return { kind: 'unauthorized', message: error.twitchMessage };
    if (error instanceof HelixError && error.status === 429) return { kind: 'limited', message: error.twitchMessage };
    return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}
