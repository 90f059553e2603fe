/** The stand-in is the yardstick for the clients: these pin the documented Twitch behaviour it mimics. */
import { describe, expect, it } from 'vitest';
import { BROADCASTER, RAFFLE_SCOPES, REDIRECT_URI, linkBroadcaster, useFakeTwitch } from './support.js';

const fake = useFakeTwitch();

function helixHeaders(token: string, clientId: string = fake.twitch.clientId): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Client-Id': clientId };
}

describe('Twitch stand-in: Helix', () => {
  it('requires a Bearer token and the Client-Id header, with Ratelimit headers on every answer', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const noClientId = await fetch(`${fake.twitch.apiUrl}/users`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(noClientId.status).toBe(401);
    expect(await noClientId.json()).toEqual({ error: 'Unauthorized', status: 401, message: 'Client-Id header required' });
    expect(noClientId.headers.get('ratelimit-limit')).toBe('800');

    const noToken = await fetch(`${fake.twitch.apiUrl}/users`, { headers: { 'Client-Id': fake.twitch.clientId } });
    expect(noToken.status).toBe(401);

    const wrongClient = await fetch(`${fake.twitch.apiUrl}/users`, { headers: helixHeaders(accessToken, 'someoneelse') });
    expect(wrongClient.status).toBe(401);

    const ok = await fetch(`${fake.twitch.apiUrl}/users`, { headers: helixHeaders(accessToken) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-remaining')).toBe('799');
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    const body = (await ok.json()) as { data: Array<Record<string, unknown>> };
    expect(Object.keys(body.data[0] ?? {}).sort()).toEqual(
      [
        'broadcaster_type',
        'created_at',
        'description',
        'display_name',
        'id',
        'login',
        'offline_image_url',
        'profile_image_url',
        'type',
        'view_count',
      ].sort(),
    );
  });

  it('answers 429 with Ratelimit-Remaining 0 when the bucket is empty', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.throttle(1, 60_000);
    expect((await fetch(`${fake.twitch.apiUrl}/users`, { headers: helixHeaders(accessToken) })).status).toBe(200);
    const throttled = await fetch(`${fake.twitch.apiUrl}/users`, { headers: helixHeaders(accessToken) });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(throttled.headers.get('ratelimit-reset')) * 1000).toBeGreaterThan(Date.now());
    expect(await throttled.json()).toMatchObject({ error: 'Too Many Requests', status: 429 });
  });

  it('pages chatters with a cursor and ends with an empty pagination object', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 3);
    const base = `${fake.twitch.apiUrl}/chat/chatters?broadcaster_id=${BROADCASTER.id}&moderator_id=${BROADCASTER.id}`;
    const first = (await (await fetch(`${base}&first=2`, { headers: helixHeaders(accessToken) })).json()) as {
      data: unknown[];
      pagination: { cursor?: string };
      total: number;
    };
    expect(first.data).toHaveLength(2);
    expect(first.total).toBe(3);
    expect(first.data[0]).toEqual({ user_id: '500000000', user_login: 'viewer_0', user_name: 'Viewer_0' });
    const cursor = first.pagination.cursor ?? '';
    const last = await fetch(`${base}&first=2&after=${encodeURIComponent(cursor)}`, { headers: helixHeaders(accessToken) });
    expect(await last.json()).toEqual({
      data: [{ user_id: '500000002', user_login: 'viewer_2', user_name: 'Viewer_2' }],
      pagination: {},
      total: 3,
    });
    const tooMany = await fetch(`${base}&first=1001`, { headers: helixHeaders(accessToken) });
    expect(tooMany.status).toBe(400);
    const notMine = await fetch(base.replace(`moderator_id=${BROADCASTER.id}`, 'moderator_id=42'), {
      headers: helixHeaders(accessToken),
    });
    expect(notMine.status).toBe(401);
  });

  it('answers 422 for a chat message over 500 characters (as documented)', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const response = await fetch(`${fake.twitch.apiUrl}/chat/messages`, {
      method: 'POST',
      headers: { ...helixHeaders(accessToken), 'Content-Type': 'application/json' },
      body: JSON.stringify({ broadcaster_id: BROADCASTER.id, sender_id: BROADCASTER.id, message: 'x'.repeat(501) }),
    });
    expect(response.status).toBe(422);
    expect(fake.twitch.sentMessages).toHaveLength(0);
  });
});

describe('Twitch stand-in: OAuth', () => {
  it('validates only with the "OAuth" scheme and refuses bad authorize requests', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const bearer = await fetch(`${fake.twitch.authUrl}/validate`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(bearer.status).toBe(401);
    const oauth = await fetch(`${fake.twitch.authUrl}/validate`, { headers: { Authorization: `OAuth ${accessToken}` } });
    expect(await oauth.json()).toMatchObject({ user_id: BROADCASTER.id, scopes: RAFFLE_SCOPES, client_id: fake.twitch.clientId });

    const params = new URLSearchParams({ response_type: 'code', client_id: fake.twitch.clientId, scope: '', state: 's' });
    const noRedirect = await fetch(`${fake.twitch.authUrl}/authorize?${params.toString()}`, { redirect: 'manual' });
    expect(noRedirect.status).toBe(400);
    params.set('redirect_uri', REDIRECT_URI);
    params.set('client_id', 'nope');
    expect((await fetch(`${fake.twitch.authUrl}/authorize?${params.toString()}`, { redirect: 'manual' })).status).toBe(400);
  });

  it('issues refresh tokens that need form encoding and counts refreshes', async () => {
    const { refreshToken } = linkBroadcaster(fake.twitch);
    expect(refreshToken).toMatch(/[%/=]/);
    const response = await fetch(`${fake.twitch.authUrl}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: fake.twitch.clientId,
        client_secret: fake.twitch.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }).toString(),
    });
    expect(response.status).toBe(200);
    expect(fake.twitch.refreshCount).toBe(1);
    const invalid = await fetch(`${fake.twitch.authUrl}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `client_id=${fake.twitch.clientId}&client_secret=${fake.twitch.clientSecret}&grant_type=refresh_token&refresh_token=${refreshToken}`,
    });
    expect(await invalid.json()).toEqual({ error: 'Bad Request', status: 400, message: 'Invalid refresh token' });
  });
});
