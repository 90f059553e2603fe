/**
 * A generic Twitch client: Helix (users, chatters, chat messages) with rate-limit pacing, retries
 * and one refresh after a 401, and the OAuth endpoints of id.twitch.tv. It knows nothing of the
 * app (no config, database or domain errors): callers pass URLs, credentials, a fetch and a
 * logger, and decide how tokens are stored. Import it through this file only.
 */
export {
  CHAT_MESSAGE_MAX_LENGTH,
  CHATTERS_MAX_PAGE_SIZE,
  chatMessageLength,
  createHelixClient,
  type AllChatters,
  type ChannelRole,
  type CreatedEventSubSubscription,
  type CreateEventSubSubscriptionParams,
  type ChatDropReason,
  type ChattersPage,
  type GetChattersParams,
  type HelixClient,
  type HelixClientOptions,
  type HelixUser,
  type SendChatMessageParams,
  type SentChatMessage,
} from './helix.client.js';
export { ChatMessageTooLongError, HelixError, HelixUnauthorizedError } from './helix-errors.js';
export type { HelixLogger, HelixTransportOptions } from './helix-transport.js';
export type { FetchLike } from './http.js';
export {
  createTwitchAuthClient,
  TwitchAuthError,
  type AuthorizeUrlParams,
  type TokenValidation,
  type TwitchAuthClient,
  type TwitchAuthClientOptions,
  type TwitchAuthOperation,
  type TwitchTokenSet,
} from './oauth.client.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
export {
  createRefreshingTokenSource,
  toTokenSource,
  type AccessTokenSource,
  type RefreshingTokenSource,
  type RefreshingTokenSourceOptions,
  type TokenSource,
} from './token-source.js';
export { UniqueChatters, type HelixChatter } from './unique-chatters.js';
