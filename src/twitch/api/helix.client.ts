/**
 * The Helix endpoints the raffles use: Get Users, Get Chatters (all pages) and Send Chat Message.
 * Each call takes an AccessTokenSource so the caller decides how tokens are stored and refreshed.
 */
import { z } from 'zod';
import { UniqueChatters, type HelixChatter } from './unique-chatters.js';
import { ChatMessageTooLongError, HelixError } from './helix-errors.js';
import { createHelixTransport, type HelixTransportOptions } from './helix-transport.js';
import type { AccessTokenSource } from './token-source.js';
import { isRecord } from './http.js';

export const CHAT_MESSAGE_MAX_LENGTH = 500;
export const CHATTERS_MAX_PAGE_SIZE = 1000;
const MAX_USERS_PER_REQUEST = 100;

export interface HelixClientOptions extends HelixTransportOptions {
  /** `first` for Get Chatters; default and maximum 1000. */
  chattersPageSize?: number;
  /** Safety stop for getAllChatters; default 5000 pages. */
  maxChatterPages?: number;
}

export interface HelixUser {
  id: string;
  login: string;
  displayName: string;
  type: string;
  broadcasterType: string;
  description: string;
  profileImageUrl: string;
  offlineImageUrl: string;
  createdAt: string;
}

export interface GetChattersParams {
  broadcasterId: string;
  /** The broadcaster or one of their moderators; must be the token's user. */
  moderatorId: string;
  token: AccessTokenSource;
  signal?: AbortSignal;
}

export interface ChattersPage {
  chatters: HelixChatter[];
  /** Twitch's `total` at the time of this page. */
  total: number;
  /** null on the last page. */
  cursor: string | null;
}

export interface AllChatters {
  /** Every chatter once (first occurrence kept), in Twitch's order. */
  chatters: HelixChatter[];
  /** Twitch's `total` as reported on the last page. */
  total: number;
  pages: number;
  /** Users Twitch returned on more than one page. */
  duplicatesRemoved: number;
}

export interface SendChatMessageParams {
  broadcasterId: string;
  /** Must be the token's user. */
  senderId: string;
  message: string;
  replyParentMessageId?: string;
  token: AccessTokenSource;
  signal?: AbortSignal;
}

export interface ChatDropReason {
  code: string;
  message: string;
}

export interface SentChatMessage {
  /** Empty when the message was dropped. */
  messageId: string;
  isSent: boolean;
  dropReason?: ChatDropReason;
}

export interface CreateEventSubSubscriptionParams {
  type: string;
  version: string;
  condition: Record<string, string>;
  /** The WebSocket session id from session_welcome. */
  sessionId: string;
  /** A user access token (WebSocket transports take only those). */
  token: AccessTokenSource;
  /** The token's user, for the rate-limit bucket. */
  userId: string;
  signal?: AbortSignal;
}

export interface CreatedEventSubSubscription {
  id: string;
  status: string;
  type: string;
  cost: number;
  total: number;
  totalCost: number;
  maxTotalCost: number;
}

/** The channel roles Helix can list for given users (100 ids per call). */
export type ChannelRole = 'moderator' | 'vip' | 'subscriber';

export interface HelixClient {
  /** No ids/logins: the token's own user. At most 100 ids and logins together. */
  getUsers(
    token: AccessTokenSource,
    filter?: { ids?: readonly string[]; logins?: readonly string[] },
    signal?: AbortSignal,
  ): Promise<HelixUser[]>;
  getChattersPage(params: GetChattersParams & { first?: number; after?: string }): Promise<ChattersPage>;
  /** Follows pagination.cursor to the end with first=1000 and removes duplicates. */
  getAllChatters(params: GetChattersParams): Promise<AllChatters>;
  /** Throws ChatMessageTooLongError (no request made) over 500 characters. */
  sendChatMessage(params: SendChatMessageParams): Promise<SentChatMessage>;
  /**
   * Create EventSub Subscription with the WebSocket transport. 400 / 403 / 409 / 429 are thrown
   * as HelixError at once (not retried): they are answers about the subscription, not throttling.
   */
  createEventSubSubscription(params: CreateEventSubSubscriptionParams): Promise<CreatedEventSubSubscription>;
  /**
   * Which of these users (at most 100) hold the role in the broadcaster's channel: Get Moderators
   * (moderation:read), Get VIPs (channel:read:vips), Get Broadcaster Subscriptions
   * (channel:read:subscriptions), each filtered by user_id.
   */
  usersWithRole(
    role: ChannelRole,
    params: { broadcasterId: string; userIds: readonly string[]; token: AccessTokenSource; signal?: AbortSignal },
  ): Promise<Set<string>>;
}

const ROLE_ENDPOINTS: Record<ChannelRole, string> = {
  moderator: '/moderation/moderators',
  vip: '/channels/vips',
  subscriber: '/subscriptions',
};

const eventSubResponseSchema = z.object({
  data: z.array(z.object({ id: z.string(), status: z.string(), type: z.string(), cost: z.number() })).min(1),
  total: z.number(),
  total_cost: z.number(),
  max_total_cost: z.number(),
});

const roleMembersSchema = z.object({ data: z.array(z.object({ user_id: z.string() })) });

const usersResponseSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      login: z.string(),
      display_name: z.string(),
      type: z.string().default(''),
      broadcaster_type: z.string().default(''),
      description: z.string().default(''),
      profile_image_url: z.string().default(''),
      offline_image_url: z.string().default(''),
      created_at: z.string().default(''),
    }),
  ),
});

const sendMessageResponseSchema = z.object({
  data: z
    .array(
      z.object({
        message_id: z.string(),
        is_sent: z.boolean(),
        drop_reason: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
      }),
    )
    .min(1),
});

export function createHelixClient(options: HelixClientOptions): HelixClient {
  const transport = createHelixTransport(options);
  const pageSize = Math.min(CHATTERS_MAX_PAGE_SIZE, Math.max(1, options.chattersPageSize ?? CHATTERS_MAX_PAGE_SIZE));
  const maxPages = options.maxChatterPages ?? 5_000;

  const client: HelixClient = {
    async getUsers(token, filter = {}, signal) {
      const ids = filter.ids ?? [];
      const logins = filter.logins ?? [];
      if (ids.length + logins.length > MAX_USERS_PER_REQUEST) {
        throw new RangeError(`Get Users takes at most ${MAX_USERS_PER_REQUEST} ids and logins together`);
      }
      const query = new URLSearchParams();
      for (const id of ids) query.append('id', id);
      for (const login of logins) query.append('login', login);
      const body = await transport.request({
        method: 'GET',
        path: '/users',
        query,
        token,
        idempotent: true,
        ...(signal ? { signal } : {}),
      });
      const parsed = usersResponseSchema.safeParse(body);
      if (!parsed.success) throw new HelixError('GET /users', 200, 'unexpected response shape');
      return parsed.data.data.map((user) => ({
        id: user.id,
        login: user.login,
        displayName: user.display_name,
        type: user.type,
        broadcasterType: user.broadcaster_type,
        description: user.description,
        profileImageUrl: user.profile_image_url,
        offlineImageUrl: user.offline_image_url,
        createdAt: user.created_at,
      }));
    },

    async getChattersPage({ broadcasterId, moderatorId, token, signal, first, after }) {
      const query = new URLSearchParams({
        broadcaster_id: broadcasterId,
        moderator_id: moderatorId,
        first: String(first ?? pageSize),
      });
      if (after !== undefined) query.set('after', after);
      const body = await transport.request({
        method: 'GET',
        path: '/chat/chatters',
        query,
        token,
        rateLimitKey: `user:${moderatorId}`,
        idempotent: true,
        ...(signal ? { signal } : {}),
      });
      return parseChattersPage(body);
    },

    async getAllChatters(params) {
      // Deduped as pages arrive (a chat that changes while we page can repeat someone), so the
      // work overlaps the wait for the next page and a round gets a list that is already unique.
      const unique = new UniqueChatters();
      const seenCursors = new Set<string>();
      let after: string | undefined;
      let pages = 0;
      let total = 0;
      for (;;) {
        const page = await client.getChattersPage({ ...params, first: pageSize, ...(after ? { after } : {}) });
        pages += 1;
        total = page.total;
        unique.addAll(page.chatters);
        if (page.cursor === null || page.chatters.length === 0) break;
        if (seenCursors.has(page.cursor)) {
          throw new HelixError('GET /chat/chatters', 200, 'Twitch repeated a pagination cursor; stopping');
        }
        if (pages >= maxPages) {
          throw new HelixError('GET /chat/chatters', 200, `more than ${maxPages} pages of chatters; stopping`);
        }
        seenCursors.add(page.cursor);
        after = page.cursor;
      }
      return { chatters: unique.list, total, pages, duplicatesRemoved: unique.duplicates };
    },

    async sendChatMessage({ broadcasterId, senderId, message, replyParentMessageId, token, signal }) {
      const length = chatMessageLength(message);
      if (length > CHAT_MESSAGE_MAX_LENGTH) throw new ChatMessageTooLongError(length, CHAT_MESSAGE_MAX_LENGTH);
      const body = await transport.request({
        method: 'POST',
        path: '/chat/messages',
        json: {
          broadcaster_id: broadcasterId,
          sender_id: senderId,
          message,
          ...(replyParentMessageId === undefined ? {} : { reply_parent_message_id: replyParentMessageId }),
        },
        token,
        rateLimitKey: `user:${senderId}`,
        idempotent: false,
        ...(signal ? { signal } : {}),
      });
      const parsed = sendMessageResponseSchema.safeParse(body);
      if (!parsed.success) throw new HelixError('POST /chat/messages', 200, 'unexpected response shape');
      const result = parsed.data.data[0];
      if (result === undefined) throw new HelixError('POST /chat/messages', 200, 'empty data in response');
      return {
        messageId: result.message_id,
        isSent: result.is_sent,
        ...(result.drop_reason ? { dropReason: { code: result.drop_reason.code, message: result.drop_reason.message } } : {}),
      };
    },

    async createEventSubSubscription({ type, version, condition, sessionId, token, userId, signal }) {
      const body = await transport.request({
        method: 'POST',
        path: '/eventsub/subscriptions',
        json: { type, version, condition, transport: { method: 'websocket', session_id: sessionId } },
        token,
        rateLimitKey: `user:${userId}`,
        idempotent: false,
        notRetried: [400, 403, 409, 429],
        ...(signal ? { signal } : {}),
      });
      const parsed = eventSubResponseSchema.safeParse(body);
      if (!parsed.success) throw new HelixError('POST /eventsub/subscriptions', 202, 'unexpected response shape');
      const created = parsed.data.data[0]!;
      return {
        id: created.id,
        status: created.status,
        type: created.type,
        cost: created.cost,
        total: parsed.data.total,
        totalCost: parsed.data.total_cost,
        maxTotalCost: parsed.data.max_total_cost,
      };
    },

    async usersWithRole(role, { broadcasterId, userIds, token, signal }) {
      if (userIds.length > MAX_USERS_PER_REQUEST) throw new RangeError(`at most ${MAX_USERS_PER_REQUEST} user ids per role lookup`);
      const found = new Set<string>();
      if (userIds.length === 0) return found;
      const query = new URLSearchParams({ broadcaster_id: broadcasterId });
      for (const id of userIds) query.append('user_id', id);
      if (role !== 'subscriber') query.set('first', '100');
      const path = ROLE_ENDPOINTS[role];
      const body = await transport.request({
        method: 'GET',
        path,
        query,
        token,
        rateLimitKey: `user:${broadcasterId}`,
        idempotent: true,
        ...(signal ? { signal } : {}),
      });
      const parsed = roleMembersSchema.safeParse(body);
      if (!parsed.success) throw new HelixError(`GET ${path}`, 200, 'unexpected response shape');
      for (const member of parsed.data.data) found.add(member.user_id);
      return found;
    },
  };
  return client;
}

/** Length as Twitch counts it: characters (code points), not UTF-16 units. */
export function chatMessageLength(message: string): number {
  return [...message].length;
}

/** Hand-rolled rather than zod: a big channel means 100+ pages of 1000 entries. */
function parseChattersPage(body: unknown): ChattersPage {
  const bad = () => new HelixError('GET /chat/chatters', 200, 'unexpected response shape');
  if (!isRecord(body) || !Array.isArray(body.data)) throw bad();
  const chatters: HelixChatter[] = new Array<HelixChatter>(body.data.length);
  for (let i = 0; i < body.data.length; i += 1) {
    const item: unknown = body.data[i];
    if (
      !isRecord(item) ||
      typeof item.user_id !== 'string' ||
      typeof item.user_login !== 'string' ||
      typeof item.user_name !== 'string'
    ) {
      throw bad();
    }
    chatters[i] = { userId: item.user_id, login: item.user_login.toLowerCase(), displayName: item.user_name };
  }
  const pagination = body.pagination;
  const cursor =
    isRecord(pagination) && typeof pagination.cursor === 'string' && pagination.cursor !== ''
      ? pagination.cursor
      : null;
  const total = typeof body.total === 'number' ? body.total : chatters.length;
  return { chatters, total, cursor };
}
