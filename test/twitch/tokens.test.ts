/** Refresh after 401 (rotation, one refresh however many callers and instances), validation, unlinking. */
import { describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher';
import { twitchTokenBinding } from '../../src/twitch/credentials/credential-store';
import { addItems, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { itWith } from '../support/describe-with';
import { TEST_ENCRYPTION_KEY, type TestApp } from '../support/test-app';
import { BROADCASTER, linkedStreamer, LogCapture, raffleState, streamerStatus, useFakeTwitch } from './support';

// Some cases need two instances on one real PostgreSQL (itWith): without one they say they were skipped.

const fake = useFakeTwitch();
const { app, sharedDatabase } = fake;

const cipher = createTokenCipher([Buffer.from(TEST_ENCRYPTION_KEY, 'base64')]);

async function storedTokens(api: TestApp, streamerId: string) {
  const row = await api.services.db.twitchCredential.findUniqueOrThrow({ where: { streamerId } });
  return {
    accessToken: cipher.decrypt(row.accessTokenEnc, twitchTokenBinding(streamerId, 'access_token_enc')),
    refreshToken: cipher.decrypt(row.refreshTokenEnc, twitchTokenBinding(streamerId, 'refresh_token_enc')),
  };
}

function helixUsersCall(api: TestApp, streamerId: string) {
  const runtime = api.services.twitch.runtime!;
  return runtime.helix.getUsers(runtime.credentials.tokenSource(streamerId));
}

describe('refresh after a 401', () => {
  it('refreshes once for 10 parallel callers and stores the rotated pair', async () => {
    const api = await app();
    const streamer = await linkedStreamer(api, fake.twitch);
    const before = await storedTokens(api, streamer.id);
    await helixUsersCall(api, streamer.id); // the pair is now cached in memory

    fake.twitch.expireAccessToken(BROADCASTER.id);
    const results = await Promise.all(Array.from({ length: 10 }, () => helixUsersCall(api, streamer.id)));
    expect(results.every((users) => users[0]?.id === BROADCASTER.id)).toBe(true);
    expect(fake.twitch.refreshCount).toBe(1);

    const after = await storedTokens(api, streamer.id);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // The old refresh token is dead at Twitch: only the stored new one can go on.
    const old = await fetch(`${fake.twitch.authUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: fake.twitch.clientId,
        client_secret: fake.twitch.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: before.refreshToken,
      }),
    });
    expect(old.status).toBe(400);
  });

  itWith({ postgres: true }, 'refreshes once across two instances sharing the database (row lock, re-read)', async () => {
    const databaseUrl = await sharedDatabase();
    const one = await app({ databaseUrl });
    const two = await app({ databaseUrl });
    const streamer = await linkedStreamer(one, fake.twitch);
    await Promise.all([helixUsersCall(one, streamer.id), helixUsersCall(two, streamer.id)]);

    fake.twitch.expireAccessToken(BROADCASTER.id);
    const calls = Array.from({ length: 20 }, (_, index) => helixUsersCall(index % 2 === 0 ? one : two, streamer.id));
    const results = await Promise.all(calls);
    expect(results.every((users) => users[0]?.id === BROADCASTER.id)).toBe(true);
    expect(fake.twitch.refreshCount).toBe(1);
    expect((await streamerStatus(two, streamer.id)).linked).toBe(true);
  });

  it('when Twitch refuses the refresh, the link ends and the running raffle stops with TWITCH_UNLINKED', async () => {
    const logs = new LogCapture();
    const api = await app({ logger: logs.logger });
    const streamer = await linkedStreamer(api, fake.twitch);
    const tokens = await storedTokens(api, streamer.id);
    fake.twitch.generateChatters(BROADCASTER.id, 50);
    await addItems(api.url, streamer.id, [{ name: 'mug', weight: 1, stock: 5 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });

    fake.twitch.revokeUser(BROADCASTER.id);
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(drawRound.__typename).toBe('TwitchNotLinkedError');
    expect(drawRound.message).toMatch(/link again/);

    expect(await raffleState(api, raffle.id)).toMatchObject({ status: 'STOPPED', endReason: 'TWITCH_UNLINKED' });
    const status = await streamerStatus(api, streamer.id);
    expect(status).toMatchObject({ linked: false, twitchUserId: null, activeRaffle: null });
    expect(status.twitchStatus).toMatchObject({ linked: false, unlinkedReason: 'TOKEN_REVOKED' });
    expect(status.twitchStatus.unlinkedAt).toBeTruthy();
    expect(await api.services.db.twitchCredential.count({ where: { streamerId: streamer.id } })).toBe(0);
    expect(await api.services.db.round.count({ where: { raffleId: raffle.id } })).toBe(0);
    for (const secret of [tokens.accessToken, tokens.refreshToken]) expect(logs.text()).not.toContain(secret);

    // A new raffle needs a new link.
    const { startRaffle: refused } = await execute(api.url, contractOperation('StartRaffle'), {
      input: { streamerId: streamer.id, intervalSeconds: 60 },
    });
    expect(refused.__typename).toBe('TwitchNotLinkedError');
  });
});

describe('validation at startup and on the interval', () => {
  itWith({ postgres: true }, 'validates at startup, refreshes an expired token, and ends a revoked link (raffle stopped)', async () => {
    const databaseUrl = await sharedDatabase();
    const first = await app({ databaseUrl });
    const streamer = await linkedStreamer(first, fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 10);
    await addItems(first.url, streamer.id, [{ name: 'sticker', weight: 1, stock: 3 }]);
    const raffle = await startRaffle(first.url, { streamerId: streamer.id, intervalSeconds: 3600 });

    // An instance that starts validates every stored token at once; an expired (not revoked)
    // one is refreshed and the link stays.
    fake.twitch.expireAccessToken(BROADCASTER.id);
    const validatesBefore = fake.twitch.requestCount('/oauth2/validate');
    const api = await app({ databaseUrl, env: { TWITCH_VALIDATE_INTERVAL_MS: '200' } });
    await expect.poll(() => fake.twitch.refreshCount, { timeout: 5_000 }).toBe(1);
    expect(fake.twitch.requestCount('/oauth2/validate')).toBeGreaterThan(validatesBefore);
    expect((await streamerStatus(api, streamer.id)).linked).toBe(true);
    expect((await raffleState(api, raffle.id)).status).toBe('RUNNING');

    // The streamer disconnects the app at Twitch: the next sweep ends the link and the raffle.
    fake.twitch.revokeUser(BROADCASTER.id);
    await expect
      .poll(async () => (await raffleState(api, raffle.id)).endReason, { timeout: 8_000, interval: 100 })
      .toBe('TWITCH_UNLINKED');
    expect((await raffleState(api, raffle.id)).status).toBe('STOPPED');
    const status = await streamerStatus(api, streamer.id);
    expect(status.twitchStatus).toMatchObject({ linked: false, unlinkedReason: 'TOKEN_REVOKED' });
    expect(await api.services.db.round.count({ where: { raffleId: raffle.id } })).toBe(0);
  });
});

describe('unlinkTwitch', () => {
  it('revokes the token at Twitch, deletes the credential and stops the running raffle', async () => {
    const api = await app();
    const streamer = await linkedStreamer(api, fake.twitch);
    const { accessToken } = await storedTokens(api, streamer.id);
    await addItems(api.url, streamer.id, [{ name: 'poster', weight: 1 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });

    const { unlinkTwitch } = await execute(api.url, contractOperation('UnlinkTwitch'), { streamerId: streamer.id });
    expect(unlinkTwitch).toEqual({ __typename: 'Streamer', id: streamer.id, linked: false });
    expect(fake.twitch.requestCount('/oauth2/revoke', { method: 'POST', status: 200 })).toBe(1);
    const validate = await fetch(`${fake.twitch.authUrl}/validate`, { headers: { Authorization: `OAuth ${accessToken}` } });
    expect(validate.status).toBe(401);
    expect(await api.services.db.twitchCredential.count({ where: { streamerId: streamer.id } })).toBe(0);
    expect(await raffleState(api, raffle.id)).toMatchObject({ status: 'STOPPED', endReason: 'TWITCH_UNLINKED' });
    expect((await streamerStatus(api, streamer.id)).twitchStatus).toMatchObject({ linked: false, unlinkedReason: 'UNLINKED' });

    // Unlinking again is harmless; an unknown streamer is NotFoundError.
    const again = await execute(api.url, contractOperation('UnlinkTwitch'), { streamerId: streamer.id });
    expect(again.unlinkTwitch).toMatchObject({ __typename: 'Streamer', linked: false });
    const unknown = await execute(api.url, contractOperation('UnlinkTwitch'), { streamerId: '00000000-0000-0000-0000-000000000000' });
    expect(unknown.unlinkTwitch.__typename).toBe('NotFoundError');
  });
});

describe('encryption key rotation', () => {
  itWith({ postgres: true }, 'reads tokens sealed with an older key and re-seals them with the primary key when touched', async () => {
    const databaseUrl = await sharedDatabase();
    const oldKeyApp = await app({ databaseUrl });
    const streamer = await linkedStreamer(oldKeyApp, fake.twitch);
    const sealedBefore = await oldKeyApp.services.db.twitchCredential.findUniqueOrThrow({ where: { streamerId: streamer.id } });
    await oldKeyApp.stop();

    const newKey = Buffer.alloc(32, 7).toString('base64');
    const rotated = await app({ databaseUrl, env: { TOKEN_ENCRYPTION_KEY: `${newKey},${TEST_ENCRYPTION_KEY}` } });
    const newCipher = createTokenCipher([Buffer.from(newKey, 'base64')]);
    expect((await helixUsersCall(rotated, streamer.id))[0]?.id).toBe(BROADCASTER.id);
    const sealedAfter = await rotated.services.db.twitchCredential.findUniqueOrThrow({ where: { streamerId: streamer.id } });
    expect(cipher.keyIdOf(sealedBefore.accessTokenEnc)).toBe(cipher.primaryKeyId);
    expect(newCipher.keyIdOf(sealedAfter.accessTokenEnc)).toBe(newCipher.primaryKeyId);
    expect(newCipher.keyIdOf(sealedAfter.refreshTokenEnc)).toBe(newCipher.primaryKeyId);
    const access = twitchTokenBinding(streamer.id, 'access_token_enc');
    expect(newCipher.decrypt(sealedAfter.accessTokenEnc, access)).toBe(cipher.decrypt(sealedBefore.accessTokenEnc, access));
  });
});
