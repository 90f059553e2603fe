/**
 * Where the Helix client gets an access token for each HTTP request, and how it asks for a fresh
 * one after a 401. A plain string or function works for callers that refresh on their own.
 */
import type { TwitchTokenSet } from './oauth.client.js';

export interface TokenSource {
  getAccessToken(): string | Promise<string>;
  /**
   * Called once per request after a 401 with the token Twitch rejected; returns a usable token.
   * Implementations should refresh only if `rejectedToken` is still the current token.
   */
  refreshAccessToken?(rejectedToken: string): Promise<string>;
}

export type AccessTokenSource = string | (() => string | Promise<string>) | TokenSource;

export function toTokenSource(source: AccessTokenSource): TokenSource {
  if (typeof source === 'string') return { getAccessToken: () => source };
  if (typeof source === 'function') return { getAccessToken: source };
  return source;
}

export interface RefreshingTokenSourceOptions {
  accessToken: string;
  refreshToken: string;
  /** Usually `authClient.refresh`. */
  refresh(refreshToken: string): Promise<TwitchTokenSet>;
  /** Persist the rotated pair; awaited before the new access token is used. */
  onRefreshed?(tokens: TwitchTokenSet): void | Promise<void>;
}

export interface RefreshingTokenSource extends TokenSource {
  refreshAccessToken(rejectedToken: string): Promise<string>;
  current(): { accessToken: string; refreshToken: string };
}

/**
 * Holds one user's token pair and refreshes it at most once at a time: concurrent 401s for the
 * same token share a single refresh (Twitch rotates refresh tokens, so a second refresh with the
 * old one would fail).
 */
export function createRefreshingTokenSource(options: RefreshingTokenSourceOptions): RefreshingTokenSource {
  let accessToken = options.accessToken;
  let refreshToken = options.refreshToken;
  let inFlight: Promise<string> | null = null;

  return {
    getAccessToken: () => inFlight ?? accessToken,
    current: () => ({ accessToken, refreshToken }),
    refreshAccessToken(rejectedToken) {
      if (inFlight) return inFlight;
      if (rejectedToken !== accessToken) return Promise.resolve(accessToken);
      inFlight = (async () => {
        try {
          const tokens = await options.refresh(refreshToken);
          await options.onRefreshed?.(tokens);
          accessToken = tokens.accessToken;
          refreshToken = tokens.refreshToken;
          return accessToken;
        } finally {
          inFlight = null;
        }
      })();
      return inFlight;
    },
  };
}
