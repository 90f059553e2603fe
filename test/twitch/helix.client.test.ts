import { describe, expect, it } from 'vitest';
import {
  ChatMessageTooLongError,
  createHelixClient,
  createRefreshingTokenSource,
  createTwitchAuthClient,
  HelixError,
  HelixUnauthorizedError,
  type HelixClient,
  type HelixClientOptions,
} from '../../src/twitch/api';
import { BROADCASTER, FAST_RETRY, RAFFLE_SCOPES, linkBroadcaster, useFakeTwitch } from './support.js';

const fake = useFakeTwitch();

function helix(overrides: Partial<HelixClientOptions> = {}): HelixClient {
  return createHelixClient({ apiUrl: fake.twitch.apiUrl, clientId: fake.twitch.clientId, retry: FAST_RETRY, ...overrides });
}

async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

const chattersOf = { broadcasterId: BROADCASTER.id, moderatorId: BROADCASTER.id };

describe('getUsers', () => {
  it("returns the token's user without parameters, and looks up ids and logins", async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.addUser({ id: '2002', login: 'alice', displayName: 'Alice' });
    fake.twitch.addUser({ id: '3003', login: 'bob', displayName: 'Bob' });
    const client = helix();
    expect(await client.getUsers(accessToken)).toEqual([
      expect.objectContaining({ id: BROADCASTER.id, login: BROADCASTER.login, displayName: BROADCASTER.displayName }),
    ]);
    const found = await client.getUsers(accessToken, { ids: ['2002'], logins: ['bob'] });
    expect(found.map((u) => u.login).sort()).toEqual(['alice', 'bob']);
    expect(fake.twitch.requests.at(-1)?.query).toBe('id=2002&login=bob');
    expect(fake.twitch.requests.at(-1)?.authorizationScheme).toBe('Bearer');
    expect(fake.twitch.requests.at(-1)?.clientIdHeader).toBe(fake.twitch.clientId);
  });
});

describe('getAllChatters', () => {
  it('pages through 100 000 chatters with first=1000 and returns each exactly once', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 100_000, { overlapPages: true });
    const result = await helix().getAllChatters({ ...chattersOf, token: accessToken });

    // With overlapping pages every page after the first repeats the previous page's last chatter.
    const expectedPages = 1 + Math.ceil((100_000 - 1_000) / 999);
    expect(result.pages).toBe(expectedPages);
    expect(result.chatters).toHaveLength(100_000);
    expect(new Set(result.chatters.map((c) => c.userId)).size).toBe(100_000);
    expect(result.duplicatesRemoved).toBe(expectedPages - 1);
    expect(result.total).toBe(100_000);
    expect(result.chatters[0]).toEqual({ userId: '500000000', login: 'viewer_0', displayName: 'Viewer_0' });
    expect(result.chatters.at(-1)?.userId).toBe('500099999');

    const pageRequests = fake.twitch.requests.filter((r) => r.path === '/helix/chat/chatters');
    expect(pageRequests).toHaveLength(expectedPages);
    for (const request of pageRequests) expect(new URLSearchParams(request.query).get('first')).toBe('1000');
    expect(pageRequests.filter((r) => new URLSearchParams(r.query).has('after'))).toHaveLength(expectedPages - 1);
  });

  it('stops at the page without a cursor (no extra request)', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 2_500);
    const result = await helix().getAllChatters({ ...chattersOf, token: accessToken });
    expect(result.pages).toBe(3);
    expect(result.chatters).toHaveLength(2_500);
    expect(result.duplicatesRemoved).toBe(0);
    expect(fake.twitch.requestCount('/helix/chat/chatters')).toBe(3);
  });

  it('works for a registered moderator and is refused (403) for anyone else', async () => {
    linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 10);
    fake.twitch.addUser({ id: '4004', login: 'mod', displayName: 'Mod' });
    fake.twitch.addUser({ id: '5005', login: 'rando', displayName: 'Rando' });
    fake.twitch.addModerator(BROADCASTER.id, '4004');
    const modToken = fake.twitch.issueToken({ userId: '4004', scopes: RAFFLE_SCOPES }).accessToken;
    const randoToken = fake.twitch.issueToken({ userId: '5005', scopes: RAFFLE_SCOPES }).accessToken;
    const client = helix();
    const viaMod = await client.getAllChatters({ broadcasterId: BROADCASTER.id, moderatorId: '4004', token: modToken });
    expect(viaMod.chatters).toHaveLength(10);
    const error = await rejection(
      client.getAllChatters({ broadcasterId: BROADCASTER.id, moderatorId: '5005', token: randoToken }),
      HelixError,
    );
    expect(error.status).toBe(403);
    expect(error).not.toBeInstanceOf(HelixUnauthorizedError);
  });

  it('reports a missing moderator:read:chatters scope with Twitch\'s message', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch, ['user:write:chat']);
    const error = await rejection(helix().getAllChatters({ ...chattersOf, token: accessToken }), HelixUnauthorizedError);
    expect(error.twitchMessage).toBe('Missing scope: moderator:read:chatters');
  });
});

describe('rate limits', () => {
  it('waits for Ratelimit-Reset when the bucket is empty instead of collecting 429s', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 8_000);
    fake.twitch.throttle(5, 1_000);

    // Control: a client that ignores the headers gets throttled by this stand-in.
    const hammered = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${fake.twitch.apiUrl}/users`, { headers: { Authorization: `Bearer ${accessToken}`, 'Client-Id': fake.twitch.clientId } }),
      ),
    );
    expect(hammered.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(5);
    fake.twitch.throttle(5, 500);

    const started = Date.now();
    const result = await helix().getAllChatters({ ...chattersOf, token: accessToken });
    expect(result.chatters).toHaveLength(8_000);
    expect(result.pages).toBe(8);
    expect(fake.twitch.requestCount('/helix/chat/chatters', { status: 429 })).toBe(0);
    expect(fake.twitch.requestCount('/helix/chat/chatters', { status: 200 })).toBe(8);
    // Five pages drained the bucket; the sixth waited for the reset (whole seconds, as Twitch sends).
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('retries a 429 after the reset time when another client drained the bucket', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.throttle(2, 500);
    const headers = { Authorization: `Bearer ${accessToken}`, 'Client-Id': fake.twitch.clientId };
    await fetch(`${fake.twitch.apiUrl}/users`, { headers });
    await fetch(`${fake.twitch.apiUrl}/users`, { headers });
    const users = await helix().getUsers(accessToken);
    expect(users).toHaveLength(1);
    expect(fake.twitch.requestCount('/helix/users', { status: 429 })).toBe(1);
  });
});

describe('retries', () => {
  it('retries 503s with backoff and then succeeds', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 1_500);
    fake.twitch.failNext('/helix/chat/chatters', 2, 503);
    const result = await helix().getAllChatters({ ...chattersOf, token: accessToken });
    expect(result.chatters).toHaveLength(1_500);
    expect(fake.twitch.requestCount('/helix/chat/chatters', { status: 503 })).toBe(2);
    expect(fake.twitch.requestCount('/helix/chat/chatters', { status: 200 })).toBe(2);
  });

  it('gives up after maxAttempts with the last status', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.failNext('/helix/users', 10, 503);
    const error = await rejection(helix({ retry: { ...FAST_RETRY, maxAttempts: 3 } }).getUsers(accessToken), HelixError);
    expect(error.status).toBe(503);
    expect(error.attempts).toBe(3);
    expect(fake.twitch.requestCount('/helix/users')).toBe(3);
  });

  it('times out slow answers and retries idempotent calls', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.setPageLatency(300);
    const error = await rejection(
      helix({ timeoutMs: 50, retry: { ...FAST_RETRY, maxAttempts: 2 } }).getUsers(accessToken),
      HelixError,
    );
    expect(error.status).toBeNull();
    expect(error.twitchMessage).toBe('request timed out');
    expect(error.attempts).toBe(2);
  });

  it('does not repeat a chat message after a 500, but does after a 503', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const client = helix();
    const send = () =>
      client.sendChatMessage({ broadcasterId: BROADCASTER.id, senderId: BROADCASTER.id, message: 'hi', token: accessToken });
    fake.twitch.failNext('/helix/chat/messages', 1, 500);
    expect((await rejection(send(), HelixError)).status).toBe(500);
    expect(fake.twitch.requestCount('/helix/chat/messages')).toBe(1);
    fake.twitch.failNext('/helix/chat/messages', 1, 503);
    expect((await send()).isSent).toBe(true);
    expect(fake.twitch.sentMessages).toHaveLength(1);
  });
});

describe('401 handling', () => {
  it('surfaces an expired token as HelixUnauthorizedError without the token in the message', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    fake.twitch.expireAccessToken(accessToken);
    const error = await rejection(helix().getUsers(accessToken), HelixUnauthorizedError);
    expect(error.status).toBe(401);
    expect(error.twitchMessage).toBe('Invalid OAuth token');
    expect(error.message).not.toContain(accessToken);
    expect(fake.twitch.requestCount('/helix/users')).toBe(1);
  });

  it('refreshes once through a refreshing token source and continues paging', async () => {
    const tokens = linkBroadcaster(fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 3_000);
    const auth = createTwitchAuthClient({ authUrl: fake.twitch.authUrl, clientId: fake.twitch.clientId, clientSecret: fake.twitch.clientSecret });
    const saved: string[] = [];
    const source = createRefreshingTokenSource({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      refresh: (refreshToken) => auth.refresh(refreshToken),
      onRefreshed: (next) => {
        saved.push(next.refreshToken);
      },
    });
    fake.twitch.expireAccessToken(BROADCASTER.id);
    const client = helix();
    const [chatters, ...users] = await Promise.all([
      client.getAllChatters({ ...chattersOf, token: source }),
      ...Array.from({ length: 5 }, () => client.getUsers(source)),
    ]);
    expect(chatters.chatters).toHaveLength(3_000);
    expect(users.every((u) => u.length === 1)).toBe(true);
    expect(fake.twitch.refreshCount).toBe(1);
    expect(saved).toEqual([source.current().refreshToken]);
    expect(source.current().accessToken).not.toBe(tokens.accessToken);
  });

  it('gives up with HelixUnauthorizedError when the refreshed token is rejected too', async () => {
    const tokens = linkBroadcaster(fake.twitch);
    let refreshes = 0;
    const source = {
      getAccessToken: () => tokens.accessToken,
      refreshAccessToken: async () => {
        refreshes += 1;
        return tokens.accessToken;
      },
    };
    fake.twitch.revokeUser(BROADCASTER.id);
    await rejection(helix().getUsers(source), HelixUnauthorizedError);
    expect(refreshes).toBe(1);
    expect(fake.twitch.requestCount('/helix/users')).toBe(2);
  });
});

describe('sendChatMessage', () => {
  it('sends, and reports a dropped message with its drop reason', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const client = helix();
    const params = { broadcasterId: BROADCASTER.id, senderId: BROADCASTER.id, token: accessToken };
    const sent = await client.sendChatMessage({ ...params, message: 'Winner: @alice' });
    expect(sent.isSent).toBe(true);
    expect(sent.messageId).not.toBe('');
    expect(sent.dropReason).toBeUndefined();
    expect(fake.twitch.sentMessages).toEqual([expect.objectContaining({ messageId: sent.messageId, message: 'Winner: @alice' })]);

    fake.twitch.dropNextMessage({ code: 'msg_duplicate', message: 'Your message is identical to the one you sent recently.' });
    const dropped = await client.sendChatMessage({ ...params, message: 'Winner: @alice' });
    expect(dropped).toEqual({
      messageId: '',
      isSent: false,
      dropReason: { code: 'msg_duplicate', message: 'Your message is identical to the one you sent recently.' },
    });
    expect(fake.twitch.sentMessages).toHaveLength(1);
    expect(fake.twitch.droppedMessages).toHaveLength(1);
  });

  it('sends 500 characters and refuses 501 before any request', async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const client = helix();
    const params = { broadcasterId: BROADCASTER.id, senderId: BROADCASTER.id, token: accessToken };
    expect((await client.sendChatMessage({ ...params, message: 'a'.repeat(500) })).isSent).toBe(true);
    expect((await client.sendChatMessage({ ...params, message: '🎉'.repeat(500) })).isSent).toBe(true);
    const error = await rejection(client.sendChatMessage({ ...params, message: 'a'.repeat(501) }), ChatMessageTooLongError);
    expect(error.length).toBe(501);
    expect(fake.twitch.requestCount('/helix/chat/messages')).toBe(2);
  });

  it("needs the sender to be the token's user", async () => {
    const { accessToken } = linkBroadcaster(fake.twitch);
    const error = await rejection(
      helix().sendChatMessage({ broadcasterId: BROADCASTER.id, senderId: '999', message: 'x', token: accessToken }),
      HelixUnauthorizedError,
    );
    expect(error.status).toBe(401);
    expect(fake.twitch.sentMessages).toHaveLength(0);
  });
});
