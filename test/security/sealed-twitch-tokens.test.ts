/**
 * Twitch tokens are sealed for their place (twitch_credentials, column, streamer id): a ciphertext
 * moved to another row or column is refused (the streamer counts as not linked), and tokens
 * written in the older unbound v1 format still work once and are re-sealed bound.
 */
import { describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher';
import { twitchTokenBinding } from '../../src/twitch/credentials/credential-store';
import { TEST_ENCRYPTION_KEY, type TestApp } from '../support/test-app';
import { BROADCASTER, linkedStreamer, useFakeTwitch } from '../twitch/support';
import { legacySeal } from './legacy-seal';

const fake = useFakeTwitch();
const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');
const cipher = createTokenCipher([key]);
const OTHER = { id: '2002', login: 'other_streamer', displayName: 'Other' };

function usersAs(api: TestApp, streamerId: string) {
  const runtime = api.services.twitch.runtime!;
  runtime.credentials.forget(streamerId); // read the row again
  return runtime.helix.getUsers(runtime.credentials.tokenSource(streamerId));
}

async function rowOf(api: TestApp, streamerId: string) {
  return api.services.db.twitchCredential.findUniqueOrThrow({ where: { streamerId } });
}

describe('sealed twitch tokens', () => {
  it("refuses an access token copied into another streamer's row", async () => {
    const api = await fake.app();
    const victim = await linkedStreamer(api, fake.twitch, BROADCASTER);
    const attacker = await linkedStreamer(api, fake.twitch, OTHER);
    expect((await usersAs(api, attacker.id))[0]?.id).toBe(OTHER.id);

    await api.services.db.$executeRaw`
      UPDATE twitch_credentials
         SET access_token_enc = (SELECT access_token_enc FROM twitch_credentials WHERE streamer_id = ${victim.id}),
             refresh_token_enc = (SELECT refresh_token_enc FROM twitch_credentials WHERE streamer_id = ${victim.id})
       WHERE streamer_id = ${attacker.id}`;
    // Refused as "not linked", never used as the victim's token.
    await expect(usersAs(api, attacker.id)).rejects.toMatchObject({ name: 'TwitchNotLinkedError' });
    // The victim's own row still works.
    expect((await usersAs(api, victim.id))[0]?.id).toBe(BROADCASTER.id);
  });

  it('refuses a refresh token moved into the access-token column of the same row', async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    await api.services.db.$executeRaw`
      UPDATE twitch_credentials SET access_token_enc = refresh_token_enc WHERE streamer_id = ${streamer.id}`;
    await expect(usersAs(api, streamer.id)).rejects.toMatchObject({ name: 'TwitchNotLinkedError' });
  });

  it('reads tokens in the legacy v1 format once and re-seals them bound to their row', async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    const access = twitchTokenBinding(streamer.id, 'access_token_enc');
    const refresh = twitchTokenBinding(streamer.id, 'refresh_token_enc');
    const current = await rowOf(api, streamer.id);
    const tokens = { access: cipher.decrypt(current.accessTokenEnc, access), refresh: cipher.decrypt(current.refreshTokenEnc, refresh) };
    const legacyAccess = legacySeal(key, tokens.access);
    await api.services.db.twitchCredential.update({
      where: { streamerId: streamer.id },
      data: { accessTokenEnc: legacyAccess, refreshTokenEnc: legacySeal(key, tokens.refresh) },
    });

    expect((await usersAs(api, streamer.id))[0]?.id).toBe(BROADCASTER.id);
    const resealed = await rowOf(api, streamer.id);
    expect(resealed.accessTokenEnc).toMatch(/^v2\./);
    expect(resealed.refreshTokenEnc).toMatch(/^v2\./);
    expect(cipher.decrypt(resealed.accessTokenEnc, access)).toBe(tokens.access);
    expect(cipher.decrypt(resealed.refreshTokenEnc, refresh)).toBe(tokens.refresh);
    expect(() => cipher.decrypt(resealed.accessTokenEnc, refresh)).toThrow();
    // Still working after the re-seal.
    expect((await usersAs(api, streamer.id))[0]?.id).toBe(BROADCASTER.id);
  });
});
