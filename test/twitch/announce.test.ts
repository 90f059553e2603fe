/** Wins announced in the streamer's Twitch chat through the outbox: sent, dropped, retried, exactly once across instances. */
import { describe, expect, it } from 'vitest';
import { publicUrlOf } from '../../src/config/config';
import { winAnnouncement } from '../../src/twitch/chat/win-announcer';
import { addItems, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { itWith } from '../support/describe-with';
import type { TestApp } from '../support/test-app';
import { BROADCASTER, linkedStreamer, useFakeTwitch } from './support';

// Some cases need two instances on one real PostgreSQL (itWith): without one they say they were skipped.

const fake = useFakeTwitch();
const { app, sharedDatabase } = fake;

const ROUND_ANNOUNCEMENT = /* GraphQL */ `
  query Rounds($raffleId: ID!) {
    raffle(id: $raffleId) {
      rounds(first: 50) {
        edges { node { id number winner { login } item { name } twitchAnnouncement { status attempts dropReason lastError sentAt messageId } } }
      }
    }
  }
`;

async function announcements(api: TestApp, raffleId: string) {
  const { raffle } = await execute(api.url, ROUND_ANNOUNCEMENT, { raffleId });
  return raffle.rounds.edges.map((edge: any) => edge.node);
}

async function raffleWithWinners(api: TestApp, stock = 5) {
  const streamer = await linkedStreamer(api, fake.twitch);
  fake.twitch.generateChatters(BROADCASTER.id, 30);
  await addItems(api.url, streamer.id, [{ name: 'Golden Skin', weight: 1, stock }]);
  const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
  return { streamer, raffle };
}

async function draw(api: TestApp, raffleId: string) {
  const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId });
  expect(drawRound.__typename).toBe('Round');
  return drawRound as { id: string; winner: { login: string } };
}

describe('the win announcement in Twitch chat', () => {
  it('is posted by the broadcaster right after the round, in pt-BR by default, and recorded on the round', async () => {
    const api = await app({ env: { OUTBOX_POLL_MS: '60000' } }); // only the kick after commit can send it in time
    const { streamer, raffle } = await raffleWithWinners(api);
    const round = await draw(api, raffle.id);
    await expect.poll(() => fake.twitch.sentMessages.length, { timeout: 3_000, interval: 20 }).toBe(1);
    const sent = fake.twitch.sentMessages[0]!;
    expect(sent).toMatchObject({ broadcasterId: BROADCASTER.id, senderId: BROADCASTER.id });
    const link = api.services.verifyLinks.roundUrl(round.id);
    expect(link).toBe(`${publicUrlOf(api.config, api.port)}/verify/${round.id}`);
    expect(sent.message).toBe(`🎉 Parabéns, @${round.winner.login}! Você ganhou Golden Skin no sorteio! Confira o sorteio: ${link}`);

    await expect.poll(async () => (await announcements(api, raffle.id))[0].twitchAnnouncement.status).toBe('SENT');
    const [recorded] = await announcements(api, raffle.id);
    expect(recorded.twitchAnnouncement).toMatchObject({ status: 'SENT', attempts: 1, dropReason: null, messageId: sent.messageId });
    expect(recorded.twitchAnnouncement.sentAt).toBeTruthy();

    await api.services.db.streamer.update({ where: { id: streamer.id }, data: { locale: 'en' } });
    const english = await draw(api, raffle.id);
    await expect.poll(() => fake.twitch.sentMessages.length).toBe(2);
    expect(fake.twitch.sentMessages[1]!.message).toBe(
      `🎉 Congratulations, @${english.winner.login}! You won Golden Skin in the raffle! Check the draw: ${api.services.verifyLinks.roundUrl(english.id)}`,
    );
  });

  it('records a message Twitch accepted but dropped (is_sent: false) as DROPPED with the reason', async () => {
    const api = await app();
    const { raffle } = await raffleWithWinners(api);
    fake.twitch.dropNextMessage({ code: 'msg_duplicate', message: 'The message is identical to one sent in the last 30 seconds.' });
    await draw(api, raffle.id);
    await expect.poll(async () => (await announcements(api, raffle.id))[0].twitchAnnouncement?.status).toBe('DROPPED');
    const [round] = await announcements(api, raffle.id);
    expect(round.twitchAnnouncement).toMatchObject({
      attempts: 1,
      dropReason: 'msg_duplicate: The message is identical to one sent in the last 30 seconds.',
      sentAt: null,
    });
    expect(fake.twitch.droppedMessages).toHaveLength(1);
    expect(fake.twitch.sentMessages).toHaveLength(0);
  });

  it('retries after a 5xx with backoff, and gives up (FAILED) after the configured attempts', async () => {
    const api = await app({ env: { OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_BASE_MS: '50', OUTBOX_POLL_MS: '20' } });
    const { raffle } = await raffleWithWinners(api);
    fake.twitch.failNext('/helix/chat/messages', 1, 503);
    await draw(api, raffle.id);
    await expect.poll(async () => (await announcements(api, raffle.id))[0].twitchAnnouncement.status, { timeout: 5_000 }).toBe('SENT');
    const [retried] = await announcements(api, raffle.id);
    expect(retried.twitchAnnouncement).toMatchObject({ attempts: 2, lastError: null });
    expect(fake.twitch.sentMessages).toHaveLength(1);

    fake.twitch.failNext('/helix/chat/messages', 10, 500);
    await draw(api, raffle.id);
    await expect
      .poll(async () => (await announcements(api, raffle.id))[1].twitchAnnouncement.status, { timeout: 5_000 })
      .toBe('FAILED');
    const failed = (await announcements(api, raffle.id))[1].twitchAnnouncement;
    expect(failed.attempts).toBe(3);
    expect(failed.lastError).toMatch(/500/);
    expect(fake.twitch.requestCount('/helix/chat/messages', { status: 500 })).toBe(3);
    expect(fake.twitch.sentMessages).toHaveLength(1);
  });

  itWith({ postgres: true }, 'sends exactly one message per win with two instances on one database', async () => {
    const databaseUrl = await sharedDatabase();
    const env = { OUTBOX_POLL_MS: '20' };
    const one = await app({ databaseUrl, env });
    const two = await app({ databaseUrl, env });
    const { raffle } = await raffleWithWinners(one, 12);
    fake.twitch.setPageLatency(15); // sends overlap with the other instance's polls
    const wins = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        // Draw on both instances; each kicks its own worker, both poll.
        const api = index % 2 === 0 ? one : two;
        return api.services.raffles.drawNow(raffle.id, 30_000);
      }),
    );
    expect(new Set(wins.map((round) => round.id)).size).toBe(12);
    await expect
      .poll(async () => (await announcements(one, raffle.id)).filter((round: any) => round.twitchAnnouncement?.status === 'SENT').length, {
        timeout: 10_000,
      })
      .toBe(12);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything sent twice would show up by now
    expect(fake.twitch.sentMessages).toHaveLength(12);
    const rounds = await announcements(one, raffle.id);
    expect(new Set(rounds.map((round: any) => round.twitchAnnouncement.messageId)).size).toBe(12);
    expect(rounds.every((round: any) => round.twitchAnnouncement.attempts === 1)).toBe(true);
  });
});

describe('on the embedded database (PGlite)', () => {
  it('links, refreshes under the row lock, draws and announces like on PostgreSQL', async () => {
    const api = await app({ embedded: true });
    expect(api.databaseUrl).toBeUndefined();
    const { raffle } = await raffleWithWinners(api);
    fake.twitch.expireAccessToken(BROADCASTER.id);
    await draw(api, raffle.id);
    expect(fake.twitch.refreshCount).toBe(1);
    await expect.poll(async () => (await announcements(api, raffle.id))[0].twitchAnnouncement?.status).toBe('SENT');
    expect(fake.twitch.sentMessages).toHaveLength(1);
  }, 90_000); // PGlite's first start (initdb and migrations) alone takes ~15 s
});

describe('winAnnouncement', () => {
  const link = 'https://raffles.example.com/verify/123456';
  const length = (text: string) => [...text].length;

  it('carries the verify link, in pt-BR by default', () => {
    expect(winAnnouncement('en-US', 'a', 'b', link)).toBe(`🎉 Congratulations, @a! You won b in the raffle! Check the draw: ${link}`);
    expect(winAnnouncement('pt-BR', 'a', 'b', link)).toBe(`🎉 Parabéns, @a! Você ganhou b no sorteio! Confira o sorteio: ${link}`);
    expect(winAnnouncement('fr', 'a', 'b', link)).toContain('Parabéns');
  });

  it('cuts a long prize name, not the winner or the link, to stay within 500 characters', () => {
    const text = winAnnouncement('pt-BR', 'someone', 'x'.repeat(600), link);
    expect(length(text)).toBe(500);
    expect(text.startsWith('🎉 Parabéns, @someone! Você ganhou xxx')).toBe(true);
    expect(text).toContain('x… no sorteio!');
    expect(text.endsWith(` ${link}`)).toBe(true);
  });

  it('cuts both names when both are long, and counts characters (emoji, accents) as Twitch does', () => {
    const winner = 'w'.repeat(400);
    const prize = '🏆é'.repeat(300);
    for (const locale of ['pt-BR', 'en']) {
      const text = winAnnouncement(locale, winner, prize, link);
      expect(length(text)).toBe(500);
      expect(text.endsWith(link)).toBe(true);
      expect(text).toMatch(/@w+…! /);
      expect(text).toMatch(/(🏆é)+🏆?…/u);
    }
  });

  it('cuts a long winner name when the prize is short', () => {
    const text = winAnnouncement('en', 'v'.repeat(480), 'Golden Skin', link);
    expect(length(text)).toBe(500);
    expect(text).toMatch(/^🎉 Congratulations, @v+…! You won Golden Skin in the raffle! Check the draw: /);
    expect(text.endsWith(link)).toBe(true);
  });

  it('leaves a message that fits untouched', () => {
    const prize = 'p'.repeat(300);
    const text = winAnnouncement('en', 'viewer', prize, link);
    expect(text).toContain(`You won ${prize} in`);
    expect(length(text)).toBeLessThan(500);
  });
});
