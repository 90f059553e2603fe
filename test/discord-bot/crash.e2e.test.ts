import type { ChildProcess } from 'node:child_process';
import type { APIMessage } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announcementNonce } from '../../clients/discord-bot/announcer/publish';
import { createApiClient } from '../../clients/discord-bot/graphql/api-client';
import { AddItemsFromText } from '../../clients/discord-bot/graphql/items';
import { StartRaffle } from '../../clients/discord-bot/graphql/raffles';
import { RegisterGuild, SetAnnounceChannel } from '../../clients/discord-bot/graphql/streamers';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { createFakeDiscord, type FakeDiscord, type FakeGuild } from '../stand-ins/discord/fake-discord';
import { execute } from '../support/graphql';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { spawnBotScript } from './support/bot-process';
import { eventually } from './support/harness';

/**
 * Exactly once across a crash. The bot runs as the operator runs it (`main.ts` in its own
 * process) and is killed with SIGKILL the moment the Discord stand-in creates a winner message,
 * before it can record the round with `markRoundsAnnouncedInDiscord`; then it is started again.
 * The restarted bot finds the round unrecorded and posts it again with the same nonce and
 * `enforce_nonce`, so Discord hands back the first message instead of a second one.
 */
describe('winner announcements across a bot killed with SIGKILL right after posting', () => {
  const STOCK = 3;
  let api: TestApp;
  let discord: FakeDiscord;
  let guild: FakeGuild;
  let streamerId: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    api = await startTestApp();
    discord = await createFakeDiscord({ heartbeatIntervalMs: 1000, log: () => {} });
    guild = discord.addGuild({ name: 'KinoYu', locale: 'pt-BR', channels: [{ name: 'sorteios' }] });
    const client = createApiClient({ url: `${api.url}/graphql`, token: TEST_API_TOKEN });
    const { registerGuild } = await client.request(RegisterGuild, { guildId: guild.id });
    if (registerGuild.__typename !== 'Streamer') throw new Error(`registerGuild: ${registerGuild.__typename}`);
    streamerId = registerGuild.id;
    await client.request(SetAnnounceChannel, { streamerId, channelId: guild.channelId('sorteios') });
    const { addItemsFromText } = await client.request(AddItemsFromText, { streamerId, text: `caneca:10:${STOCK}` });
    if (addItemsFromText.__typename !== 'AddItemsPayload') throw new Error(`addItemsFromText: ${addItemsFromText.__typename}`);
    api.chatters.set(streamerId, generateViewers(12));
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await discord?.close();
    await api?.stop();
  });

  const startBot = () =>
    spawnBotScript(children, 'clients/discord-bot/main.ts', {
      DISCORD_TOKEN: discord.botToken,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiBase,
      API_URL: `${api.url}/graphql`,
      API_TOKEN: TEST_API_TOKEN,
      LOG_LEVEL: 'info',
    });

  async function wins(): Promise<Array<{ id: string; discordAnnouncedAt: string | null }>> {
    const data = await execute<{ roundsSince: Array<{ id: string; discordAnnouncedAt: string | null }> }>(
      api.url,
      `query ($streamerId: ID!) { roundsSince(streamerId: $streamerId, onlyWinners: true, first: 100) { id discordAnnouncedAt } }`,
      { streamerId },
    );
    return data.roundsSince;
  }

  const roundIdOf = (message: APIMessage) => message.embeds[0]?.footer?.text.replace(/^\D+/, '');

  it('posts every win exactly once although the bot dies between each post and its record', async () => {
    const announce = guild.channelId('sorteios');
    let bot = startBot();
    /** Round id → the message that made us kill the bot (one kill per round: the first post of it). */
    const killedOn = new Map<string, string>();
    let lastKilled: string | undefined;
    discord.onMessageCreate((message) => {
      if (message.channel_id !== announce || message.author.id !== discord.botUser.id) return;
      const roundId = roundIdOf(message);
      if (!roundId || killedOn.has(roundId)) return;
      // Synchronously, before the stand-in answers the POST: the bot never sees the response.
      bot.child.kill('SIGKILL');
      killedOn.set(roundId, message.id);
      lastKilled = roundId;
    });

    const client = createApiClient({ url: `${api.url}/graphql`, token: TEST_API_TOKEN });
    const { startRaffle } = await client.request(StartRaffle, { input: { streamerId, intervalSeconds: 1, drawChance: 1 } });
    expect(startRaffle.__typename).toBe('Raffle');

    let starts = 1;
    const everythingRecorded = async () => {
      const list = await wins();
      return list.length === STOCK && list.every((win) => win.discordAnnouncedAt !== null) ? list : undefined;
    };
    // One poller for the whole run: "every win recorded" only ever becomes true once.
    const done = eventually(everythingRecorded, 150_000, 'every win recorded').then(() => ({ exited: undefined }));
    for (;;) {
      const outcome = await Promise.race([bot.exited.then((how) => ({ exited: how })), done]);
      if (outcome.exited === undefined) break;
      expect(outcome.exited, bot.output().slice(-2000)).toBe('SIGKILL');
      // The crash really fell between the post and its record.
      const killed = (await wins()).find((win) => win.id === lastKilled);
      expect(killed?.discordAnnouncedAt, `round ${lastKilled} after the kill`).toBeNull();
      expect(starts).toBeLessThan(STOCK * 2 + 2);
      bot = startBot();
      starts += 1;
    }

    const recorded = await wins();
    const posted = discord.channelMessages(announce).filter((message) => message.author.id === discord.botUser.id);
    const postedRounds = posted.map(roundIdOf);
    const duplicates = postedRounds.length - new Set(postedRounds).size;
    const sends = discord.requests().filter((entry) => entry.method === 'POST' && entry.path === `/channels/${announce}/messages`);
    console.info(`crash e2e: ${recorded.length} wins, ${killedOn.size} SIGKILLs, ${starts} bot starts, ${sends.length} Create Message calls, ${posted.length} messages, ${duplicates} duplicates`);

    expect(duplicates).toBe(0);
    expect(postedRounds).toEqual(recorded.map((win) => win.id));
    // Every win cost one kill, and every killed round was sent again, with the same nonce, by the next bot.
    expect([...killedOn.keys()]).toEqual(recorded.map((win) => win.id));
    expect(starts).toBe(STOCK + 1);
    for (const win of recorded) {
      const bodies = sends.map((entry) => entry.body as { nonce?: unknown; enforce_nonce?: unknown; embeds?: Array<{ footer?: { text?: string } }> });
      const forRound = bodies.filter((body) => body.embeds?.[0]?.footer?.text?.replace(/^\D+/, '') === win.id);
      expect(forRound.length, `sends of round ${win.id}`).toBeGreaterThanOrEqual(2);
      for (const body of forRound) expect(body).toMatchObject({ nonce: announcementNonce(win.id), enforce_nonce: true });
    }

    // The last bot is still up and keeps quiet.
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(discord.channelMessages(announce)).toHaveLength(STOCK);
  }, 180_000);
});
