/** The raffle start announcement in Twitch chat (issue 13), through the outbox and the stand-in. */
import { describe, expect, it } from 'vitest';
import { CHAT_MESSAGE_MAX_LENGTH, chatMessageLength } from '../../src/twitch/api';
import { startAnnouncement } from '../../src/twitch/chat/start-announcer';
import { addItems } from '../support/factories.js';
import { execute } from '../support/graphql.js';
import { START_RAFFLE, startKeywordRaffle } from './eventsub-support.js';
import { linkedStreamer, useFakeTwitch } from './support.js';

const fake = useFakeTwitch();
const DISCLAIMER = 'Twitch does not sponsor or endorse broadcaster promotions';

describe('the raffle start announcement', () => {
  it('says how to enter (the keyword), the claim rule and the disclaimer, once, on by default', async () => {
    const api = await fake.app({ env: { TWITCH_START_ANNOUNCEMENT: undefined } });
    const streamer = await linkedStreamer(api, fake.twitch);
    await startKeywordRaffle(api, streamer.id, { claimSeconds: 90 });
    await expect.poll(() => fake.twitch.sentMessages.length, { timeout: 5_000, interval: 25 }).toBe(1);
    const sent = fake.twitch.sentMessages[0]!;
    expect(sent).toMatchObject({ broadcasterId: streamer.twitchUserId, senderId: streamer.twitchUserId });
    expect(sent.message).toBe(
      `🎁 Sorteio começou! Para participar, digite sorteio no chat. Quem ganhar tem 90 s para digitar !resgatar, senão o prêmio é sorteado de novo. ${DISCLAIMER}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.twitch.sentMessages).toHaveLength(1);
  });

  it('takes its disclaimer from TWITCH_PROMOTION_DISCLAIMER; a presence raffle says being in chat is enough', async () => {
    const api = await fake.app({ env: { TWITCH_START_ANNOUNCEMENT: 'true', TWITCH_PROMOTION_DISCLAIMER: 'A Twitch não patrocina esta promoção.' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    await addItems(api.url, streamer.id, [{ name: 'skin', weight: 1 }]);
    const { startRaffle } = await execute(api.url, START_RAFFLE, { input: { streamerId: streamer.id, intervalSeconds: 3600 } });
    expect(startRaffle.__typename).toBe('Raffle');
    await expect.poll(() => fake.twitch.sentMessages.length, { timeout: 5_000, interval: 25 }).toBe(1);
    expect(fake.twitch.sentMessages[0]!.message).toBe('🎁 Sorteio começou! Para participar, basta estar no chat. A Twitch não patrocina esta promoção.');
  });

  it('TWITCH_START_ANNOUNCEMENT=false sends nothing at the start', async () => {
    const api = await fake.app({ env: { TWITCH_START_ANNOUNCEMENT: 'false' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    await startKeywordRaffle(api, streamer.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.twitch.sentMessages).toHaveLength(0);
  });

  it('stays within 500 characters with the longest keyword and disclaimer, and never cuts the disclaimer', () => {
    const long = 'D'.repeat(200);
    for (const locale of ['pt-BR', 'en']) {
      const text = startAnnouncement(locale, { entryMode: 'KEYWORD', entryKeyword: 'k'.repeat(25), claimSeconds: 600 }, long);
      expect(chatMessageLength(text)).toBeLessThanOrEqual(CHAT_MESSAGE_MAX_LENGTH);
      expect(text.endsWith(long)).toBe(true);
    }
    expect(startAnnouncement('en', { entryMode: 'KEYWORD', entryKeyword: 'go', claimSeconds: 0 }, '')).toBe('🎁 The raffle has started! To enter, type go in chat.');
  });
});
