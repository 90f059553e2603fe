/**
 * The messages of the EventSub WebSocket server (dev.twitch.tv/docs/eventsub/websocket-reference)
 * and the events the raffles read (channel.chat.message v1, channel.shared_chat.*). Parsed by hand
 * on the hot path (thousands of chat lines per second): only the fields used are checked.
 */
export interface EventSubMetadata {
  message_id: string;
  message_type: 'session_welcome' | 'session_keepalive' | 'notification' | 'session_reconnect' | 'revocation' | string;
  message_timestamp: string;
  subscription_type?: string;
  subscription_version?: string;
}

export interface EventSubSessionInfo {
  id: string;
  status: string;
  keepalive_timeout_seconds: number | null;
  reconnect_url: string | null;
  connected_at: string;
}

export interface EventSubSubscriptionInfo {
  id: string;
  status: string;
  type: string;
  version: string;
  condition: Record<string, string>;
}

export interface EventSubMessage {
  metadata: EventSubMetadata;
  payload: {
    session?: EventSubSessionInfo;
    subscription?: EventSubSubscriptionInfo;
    event?: unknown;
  };
}

export interface ChatBadge {
  set_id: string;
  id: string;
  info: string;
}

/** channel.chat.message v1 `event` (the fields the raffles use). */
export interface ChatMessageEvent {
  broadcaster_user_id: string;
  chatter_user_id: string;
  chatter_user_login: string;
  chatter_user_name: string;
  message_id: string;
  message: { text: string };
  badges: ChatBadge[];
  /** Shared Chat: the channel the message was sent from; null outside a session. */
  source_broadcaster_user_id?: string | null;
  source_badges?: ChatBadge[] | null;
}

/** channel.shared_chat.begin / update / end `event`. */
export interface SharedChatEvent {
  session_id: string;
  broadcaster_user_id: string;
  host_broadcaster_user_id: string;
  participants?: Array<{ broadcaster_user_id: string; broadcaster_user_login: string; broadcaster_user_name: string }>;
}

/** Null when the text is not an EventSub message. */
export function parseEventSubMessage(text: string): EventSubMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Partial<EventSubMessage>;
  const metadata = message.metadata;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.message_id !== 'string' || typeof metadata.message_type !== 'string') {
    return null;
  }
  if (typeof message.payload !== 'object' || message.payload === null) return null;
  return message as EventSubMessage;
}

export function isChatMessageEvent(event: unknown): event is ChatMessageEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Partial<ChatMessageEvent>;
  return (
    typeof e.broadcaster_user_id === 'string' &&
    typeof e.chatter_user_id === 'string' &&
    typeof e.chatter_user_login === 'string' &&
    typeof e.chatter_user_name === 'string' &&
    typeof e.message === 'object' &&
    e.message !== null &&
    typeof e.message.text === 'string'
  );
}

/** RFC 3339 with nanoseconds ("…:51.634234626Z") to a Date (milliseconds kept). */
export function parseTwitchTimestamp(value: string): Date {
  const trimmed = value.replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

/** The close codes of the EventSub WebSocket server. */
export const EVENTSUB_CLOSE_CODES: Record<number, string> = {
  4000: 'internal server error',
  4001: 'client sent inbound traffic',
  4002: 'client failed ping-pong',
  4003: 'connection unused (no subscription in time)',
  4004: 'reconnect grace time expired',
  4005: 'network timeout',
  4006: 'network error',
  4007: 'invalid reconnect',
};
