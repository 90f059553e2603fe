/**
 * The Twitch scopes entry modes and luck depend on. Reading chat over EventSub
 * (channel.chat.message with the streamer's own token, user_id = broadcaster_user_id) needs
 * user:read:chat; presence-mode luck reads roles with Get Broadcaster Subscriptions
 * (channel:read:subscriptions), Get VIPs (channel:read:vips) and Get Moderators (moderation:read).
 */
export const CHAT_READ_SCOPE = 'user:read:chat';

export type LuckRole = 'subscriber' | 'vip' | 'moderator';

export const LUCK_SCOPES: Record<LuckRole, string> = {
  subscriber: 'channel:read:subscriptions',
  vip: 'channel:read:vips',
  moderator: 'moderation:read',
};
