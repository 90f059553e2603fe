/**
 * EventSub WebSocket messages as dev.twitch.tv/docs/eventsub/websocket-reference defines them:
 * `{ metadata: { message_id, message_type, message_timestamp[, subscription_type,
 * subscription_version] }, payload }`. Timestamps are RFC 3339 with nanoseconds.
 */
import { randomUUID } from 'node:crypto';

export interface SubscriptionRecord {
  id: string;
  status: string;
  type: string;
  version: string;
  cost: number;
  condition: Record<string, string>;
  transport: { method: 'websocket'; session_id: string; connected_at?: string };
  created_at: string;
}

/** Twitch's timestamps carry nanoseconds: "2023-07-19T14:56:51.634234626Z". */
export function nanoTimestamp(date = new Date()): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 23)}${String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0')}Z`;
}

function metadata(type: string, extra: Record<string, string> = {}, messageId: string = randomUUID()) {
  return { message_id: messageId, message_type: type, message_timestamp: nanoTimestamp(), ...extra };
}

export interface SessionPayload {
  id: string;
  status: 'connected' | 'reconnecting';
  keepalive_timeout_seconds: number | null;
  reconnect_url: string | null;
  connected_at: string;
}

export function welcomeMessage(session: SessionPayload) {
  return { metadata: metadata('session_welcome'), payload: { session } };
}

export function keepaliveMessage() {
  return { metadata: metadata('session_keepalive'), payload: {} };
}

export function reconnectMessage(session: SessionPayload) {
  return { metadata: metadata('session_reconnect'), payload: { session } };
}

export function notificationMessage(subscription: SubscriptionRecord, event: unknown, messageId?: string) {
  return {
    metadata: metadata(
      'notification',
      { subscription_type: subscription.type, subscription_version: subscription.version },
      messageId,
    ),
    payload: { subscription, event },
  };
}

export function revocationMessage(subscription: SubscriptionRecord) {
  return {
    metadata: metadata('revocation', { subscription_type: subscription.type, subscription_version: subscription.version }),
    payload: { subscription },
  };
}

export interface ChatBadge {
  set_id: string;
  id: string;
  info: string;
}

export interface ChatMessageInput {
  broadcaster: { id: string; login: string; name: string };
  chatter: { id: string; login: string; name: string };
  text: string;
  badges?: ChatBadge[];
  /** Shared Chat: the channel the message was sent in (null / absent: this channel). */
  source?: { id: string; login: string; name: string; badges?: ChatBadge[] } | null;
  messageId?: string;
}

/** The `event` of channel.chat.message v1. */
export function chatMessageEvent(input: ChatMessageInput) {
  const chatMessageId = randomUUID();
  return {
    broadcaster_user_id: input.broadcaster.id,
    broadcaster_user_login: input.broadcaster.login,
    broadcaster_user_name: input.broadcaster.name,
    chatter_user_id: input.chatter.id,
    chatter_user_login: input.chatter.login,
    chatter_user_name: input.chatter.name,
    message_id: chatMessageId,
    message: { text: input.text, fragments: [{ type: 'text', text: input.text, cheermote: null, emote: null, mention: null }] },
    message_type: 'text',
    badges: input.badges ?? [],
    cheer: null,
    color: '#00FF7F',
    reply: null,
    channel_points_custom_reward_id: null,
    source_broadcaster_user_id: input.source?.id ?? null,
    source_broadcaster_user_login: input.source?.login ?? null,
    source_broadcaster_user_name: input.source?.name ?? null,
    source_message_id: input.source ? randomUUID() : null,
    source_badges: input.source ? (input.source.badges ?? []) : null,
  };
}

export interface SharedChatParticipant {
  broadcaster_user_id: string;
  broadcaster_user_login: string;
  broadcaster_user_name: string;
}

/** The `event` of channel.shared_chat.begin / update (participants) and end (none). */
export function sharedChatEvent(input: {
  sessionId: string;
  broadcaster: { id: string; login: string; name: string };
  host: { id: string; login: string; name: string };
  participants?: SharedChatParticipant[];
}) {
  return {
    session_id: input.sessionId,
    broadcaster_user_id: input.broadcaster.id,
    broadcaster_user_login: input.broadcaster.login,
    broadcaster_user_name: input.broadcaster.name,
    host_broadcaster_user_id: input.host.id,
    host_broadcaster_user_login: input.host.login,
    host_broadcaster_user_name: input.host.name,
    ...(input.participants ? { participants: input.participants } : {}),
  };
}
