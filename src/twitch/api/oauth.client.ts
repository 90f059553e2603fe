/**
 * Client for Twitch's OAuth endpoints (id.twitch.tv/oauth2): authorization code grant, refresh,
 * validate, revoke. Pure HTTP; storing tokens is the caller's job. Errors are TwitchAuthError and
 * never carry token, code or secret text.
 */
import { z } from 'zod';
import {
  describeFetchFailure,
  readJsonBody,
  timeoutSignal,
  trimTrailingSlash,
  twitchErrorMessage,
  type FetchLike,
} from './http.js';

export interface TwitchAuthClientOptions {
  /** e.g. https://id.twitch.tv/oauth2 */
  authUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: FetchLike;
  /** Per request; default 10 000 ms. */
  timeoutMs?: number;
}

export interface AuthorizeUrlParams {
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  /** Ask Twitch to show the consent page even if the user already approved. */
  forceVerify?: boolean;
}

export interface TwitchTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires; null when Twitch did not say. */
  expiresIn: number | null;
  scopes: string[];
  tokenType: string;
}

export type TokenValidation =
  | {
      valid: true;
      clientId: string;
      /** null for app access tokens. */
      login: string | null;
      userId: string | null;
      scopes: string[];
      expiresIn: number;
    }
  | { valid: false };

export type TwitchAuthOperation = 'exchangeCode' | 'refresh' | 'validate' | 'revoke';

export class TwitchAuthError extends Error {
  override name = 'TwitchAuthError';
  constructor(
    readonly operation: TwitchAuthOperation,
    /** HTTP status, or null when no response arrived (network error, timeout). */
    readonly status: number | null,
    /** Twitch's own message, e.g. "Invalid refresh token". */
    readonly twitchMessage: string,
  ) {
    super(`Twitch ${operation} failed${status === null ? '' : ` with ${status}`}: ${twitchMessage}`);
  }

  /** Worth retrying later (no answer, 429 or 5xx); a 4xx means the grant or request is bad. */
  get retryable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }
}

export interface TwitchAuthClient {
  authorizeUrl(params: AuthorizeUrlParams): string;
  exchangeCode(code: string, redirectUri: string): Promise<TwitchTokenSet>;
  /** Twitch may rotate the refresh token: always store the returned one. */
  refresh(refreshToken: string): Promise<TwitchTokenSet>;
  /** `{ valid: false }` on 401; throws TwitchAuthError on anything else unexpected. */
  validate(accessToken: string): Promise<TokenValidation>;
  /** `revoked: false` when Twitch says the token was already invalid (400). */
  revoke(accessToken: string): Promise<{ revoked: boolean }>;
}

const scopeField = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((scope) => (scope === undefined ? [] : typeof scope === 'string' ? scope.split(' ').filter(Boolean) : scope));

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().optional(),
  scope: scopeField,
  token_type: z.string().optional(),
});

const validateResponseSchema = z.object({
  client_id: z.string(),
  login: z.string().optional(),
  user_id: z.string().optional(),
  scopes: z.array(z.string()).nullable().optional(),
  expires_in: z.number(),
});

export function createTwitchAuthClient(options: TwitchAuthClientOptions): TwitchAuthClient {
  const authUrl = trimTrailingSlash(options.authUrl);
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function send(
    operation: TwitchAuthOperation,
    path: string,
    init: RequestInit,
    secrets: readonly string[],
    /** Non-2xx statuses the operation handles itself instead of throwing. */
    handledStatuses: readonly number[] = [],
  ): Promise<{ response: Response; body: unknown }> {
    let response: Response;
    try {
      response = await doFetch(`${authUrl}${path}`, { ...init, signal: timeoutSignal(timeoutMs) });
    } catch (error) {
      throw new TwitchAuthError(operation, null, describeFetchFailure(error));
    }
    const body = await readJsonBody(response);
    if (!response.ok && !handledStatuses.includes(response.status)) {
      throw new TwitchAuthError(operation, response.status, twitchErrorMessage(body, response, secrets));
    }
    return { response, body };
  }

  function postForm(
    operation: TwitchAuthOperation,
    path: string,
    fields: Record<string, string>,
    secrets: readonly string[],
    handledStatuses: readonly number[] = [],
  ) {
    return send(
      operation,
      path,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams(fields).toString(),
      },
      secrets,
      handledStatuses,
    );
  }

  function toTokenSet(operation: TwitchAuthOperation, body: unknown, previousRefreshToken?: string): TwitchTokenSet {
    const parsed = tokenResponseSchema.safeParse(body);
    if (!parsed.success) throw new TwitchAuthError(operation, 200, 'unexpected token response shape');
    const refreshToken = parsed.data.refresh_token ?? previousRefreshToken;
    if (refreshToken === undefined) throw new TwitchAuthError(operation, 200, 'token response has no refresh_token');
    return {
      accessToken: parsed.data.access_token,
      refreshToken,
      expiresIn: parsed.data.expires_in ?? null,
      scopes: parsed.data.scope,
      tokenType: parsed.data.token_type ?? 'bearer',
    };
  }

  return {
    authorizeUrl({ redirectUri, scopes, state, forceVerify }) {
      const params = new URLSearchParams({
        response_type: 'code',
        client_id: options.clientId,
        redirect_uri: redirectUri,
        scope: scopes.join(' '),
        state,
      });
      if (forceVerify) params.set('force_verify', 'true');
      return `${authUrl}/authorize?${params.toString()}`;
    },

    async exchangeCode(code, redirectUri) {
      const { body } = await postForm(
        'exchangeCode',
        '/token',
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          code,
          grant_type: 'authorization_code',
          redirect_uri: redirectUri,
        },
        [code, options.clientSecret],
      );
      return toTokenSet('exchangeCode', body);
    },

    async refresh(refreshToken) {
      const { body } = await postForm(
        'refresh',
        '/token',
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
        },
        [refreshToken, options.clientSecret],
      );
      return toTokenSet('refresh', body, refreshToken);
    },

    async validate(accessToken) {
      const { response, body } = await send(
        'validate',
        '/validate',
        { method: 'GET', headers: { Authorization: `OAuth ${accessToken}`, Accept: 'application/json' } },
        [accessToken],
        [401],
      );
      if (response.status === 401) return { valid: false };
      const parsed = validateResponseSchema.safeParse(body);
      if (!parsed.success) throw new TwitchAuthError('validate', response.status, 'unexpected validate response shape');
      return {
        valid: true,
        clientId: parsed.data.client_id,
        login: parsed.data.login ?? null,
        userId: parsed.data.user_id ?? null,
        scopes: parsed.data.scopes ?? [],
        expiresIn: parsed.data.expires_in,
      };
    },

    async revoke(accessToken) {
      const { response } = await postForm(
        'revoke',
        '/revoke',
        { client_id: options.clientId, token: accessToken },
        [accessToken],
        [400],
      );
      return { revoked: response.status !== 400 };
    },
  };
}
