import { beforeEach, describe, expect, it } from 'vitest';
import { TwitchAuthError, createTwitchAuthClient, type TwitchAuthClient } from '../../src/twitch/api';
import { BROADCASTER, RAFFLE_SCOPES, REDIRECT_URI, authorizeCode, followAuthorize, useFakeTwitch } from './support.js';

const fake = useFakeTwitch();
let auth: TwitchAuthClient;

beforeEach(() => {
  const { twitch } = fake;
  twitch.addUser({ ...BROADCASTER });
  auth = createTwitchAuthClient({ authUrl: twitch.authUrl, clientId: twitch.clientId, clientSecret: twitch.clientSecret });
});

async function rejection(promise: Promise<unknown>): Promise<TwitchAuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TwitchAuthError);
  return error as TwitchAuthError;
}

describe('authorizeUrl', () => {
  it('carries response_type=code, client_id, redirect_uri, space-separated scope and state', () => {
    const url = new URL(auth.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: RAFFLE_SCOPES, state: 'st8' }));
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.twitch.authUrl}/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(fake.twitch.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('scope')).toBe('moderator:read:chatters user:write:chat');
    expect(url.searchParams.get('state')).toBe('st8');
    expect(url.searchParams.has('force_verify')).toBe(false);
    const forced = new URL(auth.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: [], state: 's', forceVerify: true }));
    expect(forced.searchParams.get('force_verify')).toBe('true');
  });

  it('sends the user back with code, granted scope and state, or with access_denied', async () => {
    const { callback } = await authorizeCode(auth, RAFFLE_SCOPES, 'abc');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe('abc');
    expect(callback.searchParams.get('scope')).toBe(RAFFLE_SCOPES.join(' '));

    fake.twitch.setConsent({ userId: BROADCASTER.id, deny: true });
    const denied = await followAuthorize(auth.authorizeUrl({ redirectUri: REDIRECT_URI, scopes: RAFFLE_SCOPES, state: 'xyz' }));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('error_description')).toBe('The user denied you access');
    expect(denied.searchParams.get('state')).toBe('xyz');
    expect(denied.searchParams.has('code')).toBe(false);
  });
});

describe('exchangeCode', () => {
  it('returns the token set for a fresh code', async () => {
    const { code } = await authorizeCode(auth);
    const tokens = await auth.exchangeCode(code, REDIRECT_URI);
    expect(tokens.accessToken).toMatch(/^[a-z0-9]{30}$/);
    expect(tokens.refreshToken.length).toBeGreaterThan(20);
    expect(tokens.scopes).toEqual(RAFFLE_SCOPES);
    expect(tokens.expiresIn).toBeGreaterThan(0);
    expect(tokens.tokenType).toBe('bearer');
    const validation = await auth.validate(tokens.accessToken);
    expect(validation).toMatchObject({ valid: true, userId: BROADCASTER.id, login: BROADCASTER.login });
  });

  it('returns the scopes the user actually granted', async () => {
    fake.twitch.setConsent({ userId: BROADCASTER.id, scopes: ['user:write:chat'] });
    const { code } = await authorizeCode(auth);
    expect((await auth.exchangeCode(code, REDIRECT_URI)).scopes).toEqual(['user:write:chat']);
  });

  it('rejects a code used twice, without putting the code in the error', async () => {
    const { code } = await authorizeCode(auth);
    await auth.exchangeCode(code, REDIRECT_URI);
    const error = await rejection(auth.exchangeCode(code, REDIRECT_URI));
    expect(error.status).toBe(400);
    expect(error.twitchMessage).toBe('Invalid authorization code');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(code);
  });

  it('rejects a redirect_uri other than the one the code was issued for', async () => {
    const { code } = await authorizeCode(auth);
    const error = await rejection(auth.exchangeCode(code, 'http://127.0.0.1:9999/elsewhere'));
    expect(error.status).toBe(400);
    expect(error.twitchMessage).toBe('Parameter redirect_uri does not match registered URI');
  });

  it('reports a wrong client secret as Twitch does', async () => {
    const { code } = await authorizeCode(auth);
    const wrong = createTwitchAuthClient({ authUrl: fake.twitch.authUrl, clientId: fake.twitch.clientId, clientSecret: 'nope-nope' });
    const error = await rejection(wrong.exchangeCode(code, REDIRECT_URI));
    expect(error.status).toBe(403);
    expect(error.twitchMessage).toBe('invalid client secret');
    expect(error.message).not.toContain('nope-nope');
  });

  it('surfaces a 5xx as a retryable error; the code still works afterwards', async () => {
    const { code } = await authorizeCode(auth);
    fake.twitch.failNext('/oauth2/token', 1, 503);
    const error = await rejection(auth.exchangeCode(code, REDIRECT_URI));
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    await expect(auth.exchangeCode(code, REDIRECT_URI)).resolves.toMatchObject({ scopes: RAFFLE_SCOPES });
  });

  it('reports an unreachable Twitch as status null', async () => {
    const url = fake.twitch.authUrl;
    await fake.twitch.close();
    const offline = createTwitchAuthClient({ authUrl: url, clientId: 'c', clientSecret: 's', timeoutMs: 2_000 });
    const error = await rejection(offline.exchangeCode('code', REDIRECT_URI));
    expect(error.status).toBeNull();
    expect(error.retryable).toBe(true);
  });
});

describe('refresh', () => {
  it('rotates the refresh token; the old one is invalid afterwards', async () => {
    const first = await auth.exchangeCode((await authorizeCode(auth)).code, REDIRECT_URI);
    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.scopes).toEqual(RAFFLE_SCOPES);
    expect(await auth.validate(second.accessToken)).toMatchObject({ valid: true });

    const error = await rejection(auth.refresh(first.refreshToken));
    expect(error.status).toBe(400);
    expect(error.twitchMessage).toBe('Invalid refresh token');
    expect(error.message).not.toContain(first.refreshToken);

    const third = await auth.refresh(second.refreshToken);
    expect(third.refreshToken).not.toBe(second.refreshToken);
    expect(fake.twitch.refreshCount).toBe(2);
  });

  it('fails once the user disconnected the app', async () => {
    const tokens = await auth.exchangeCode((await authorizeCode(auth)).code, REDIRECT_URI);
    fake.twitch.revokeUser(BROADCASTER.id);
    expect((await rejection(auth.refresh(tokens.refreshToken))).status).toBe(400);
  });

  it('accepts the documented shape where scope is a string and expires_in is absent', async () => {
    const fakeFetch = async () =>
      new Response(JSON.stringify({ access_token: 'a1', refresh_token: 'r2', scope: 'chat:read user:write:chat', token_type: 'bearer' }), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      });
    const client = createTwitchAuthClient({ authUrl: 'http://127.0.0.1:1/oauth2', clientId: 'c', clientSecret: 's', fetch: fakeFetch });
    expect(await client.refresh('r1')).toEqual({
      accessToken: 'a1',
      refreshToken: 'r2',
      expiresIn: null,
      scopes: ['chat:read', 'user:write:chat'],
      tokenType: 'bearer',
    });
  });
});

describe('validate', () => {
  it('describes a valid token and says valid:false for expired or unknown ones', async () => {
    const tokens = await auth.exchangeCode((await authorizeCode(auth)).code, REDIRECT_URI);
    const validation = await auth.validate(tokens.accessToken);
    expect(validation).toEqual({
      valid: true,
      clientId: fake.twitch.clientId,
      login: BROADCASTER.login,
      userId: BROADCASTER.id,
      scopes: RAFFLE_SCOPES,
      expiresIn: expect.any(Number),
    });
    expect(await auth.validate('not-a-token')).toEqual({ valid: false });
    fake.twitch.expireAccessToken(tokens.accessToken);
    expect(await auth.validate(tokens.accessToken)).toEqual({ valid: false });
    const lastValidate = fake.twitch.requests.filter((r) => r.path === '/oauth2/validate').at(-1);
    expect(lastValidate?.authorizationScheme).toBe('OAuth');
  });

  it('throws on a 5xx instead of calling the token invalid', async () => {
    fake.twitch.failNext('/oauth2/validate', 1, 500);
    expect((await rejection(auth.validate('whatever'))).status).toBe(500);
  });
});

describe('revoke', () => {
  it('revokes the token (and its grant); a second revoke reports it already invalid', async () => {
    const tokens = await auth.exchangeCode((await authorizeCode(auth)).code, REDIRECT_URI);
    expect(await auth.revoke(tokens.accessToken)).toEqual({ revoked: true });
    expect(await auth.validate(tokens.accessToken)).toEqual({ valid: false });
    expect((await rejection(auth.refresh(tokens.refreshToken))).status).toBe(400);
    expect(await auth.revoke(tokens.accessToken)).toEqual({ revoked: false });
  });

  it('throws when Twitch does not know the client', async () => {
    const stranger = createTwitchAuthClient({ authUrl: fake.twitch.authUrl, clientId: 'unknown', clientSecret: 'x' });
    const error = await rejection(stranger.revoke('token'));
    expect(error.status).toBe(404);
    expect(error.twitchMessage).toBe('client does not exist');
  });
});
