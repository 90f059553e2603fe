import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { createScratchDatabase, realPostgresUrl } from '../support/services';
import { startTestApp, type TestApp } from '../support/test-app';
import { ADMIN, eventually, Harness, MANAGE_GUILD } from './support/harness';

/**
 * The API goes away and comes back on the same address and data: commands get a clear ephemeral
 * message meanwhile, the bot stays up, the announcement connection reconnects by itself, and the
 * raffle's wins (including those drawn right after the API came back) are announced once.
 */
describe('bot end to end: the API is down', () => {
  let h: Harness;
  let dataDir: string;
  let streamerId: string;
  const apis: TestApp[] = [];
  // One database for every API instance: a scratch PostgreSQL database when there is a server,
  // else one PGlite directory (both outlive each instance).
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;

  async function startApi(port = 0): Promise<TestApp> {
    const api = databaseUrl
      ? await startTestApp({ databaseUrl, env: { PORT: String(port) } })
      : await startTestApp({ embedded: true, env: { DATA_DIR: dataDir, PORT: String(port) } });
    apis.push(api);
    return api;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'bot-api-down-'));
    const server = await realPostgresUrl();
    if (server) {
      const scratch = await createScratchDatabase(server);
      databaseUrl = scratch.url;
      dropDatabase = () => scratch.drop();
    }
    h = await Harness.start({ api: await startApi(), guildLocale: 'pt-BR' });
    await h.startBot();
    await h.run({ name: 'link' });
    streamerId = (await h.streamer())!.id;
    await h.run({ name: 'raffle', subcommand: 'channel', options: { channel: h.channels.announce } });
    await h.addItems('adesivo:1:4');
  });

  afterAll(async () => {
    if (process.env.DUMP_BOT_LOGS) for (const line of h?.logs ?? []) if (line.level >= Number(process.env.DUMP_BOT_LOGS)) console.log(JSON.stringify(line).slice(0, 900));
    await h?.close();
    for (const api of apis) await api.stop();
    await dropDatabase?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers with a clear ephemeral message while the API is down, and keeps running', async () => {
    const port = h.api.port;
    await h.api.stop();

    const status = await h.run({ name: 'raffle', subcommand: 'status', locale: 'pt-BR' });
    expect(status.ephemeral).toBe(true);
    expect(status.content).toBe('⚠️ O servidor de sorteios não respondeu. Tente de novo em alguns instantes.');
    const start = await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 }, locale: 'en-US' });
    expect(start).toMatchObject({ ephemeral: true, content: '⚠️ The raffle server did not answer. Please try again in a moment.' });
    const typing = h.discord.sendAutocomplete({
      guildId: h.guild.id,
      channelId: h.channels.general,
      user: ADMIN,
      memberPermissions: MANAGE_GUILD,
      name: 'items',
      subcommand: 'remove',
      focused: { name: 'item', value: 'ad' },
    });
    expect((await typing.waitForResponse()).data).toEqual({ choices: [] });
    const modal = await h.addItems('outro:1');
    expect(modal).toMatchObject({ ephemeral: true, content: expect.stringContaining('não respondeu') });

    expect(h.discord.isBotConnected()).toBe(true);
    await eventually(() => h.logs.some((line) => line.msg === 'announcement connection lost; reconnecting with backoff'), 5_000, 'the lost-connection log');

    // Back on the same address, with the same data.
    h.api = await startApi(port);
    h.api.chatters.set(streamerId, generateViewers(5));
    await eventually(() => h.logs.some((line) => line.msg === 'announcement connection back; catching up'), 10_000, 'the reconnect');
    const started = await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 }, locale: 'en-US' });
    expect(started.content).toContain('Raffle started');
    await eventually(async () => (await h.streamer())!.activeRaffle === null, 20_000, 'the raffle to finish');
    const wins = await h.wins(streamerId);
    expect(wins).toHaveLength(4);
    await eventually(() => h.winnerEmbeds().length >= 4, 10_000, 'four winner embeds');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(h.announcedRoundIds()).toEqual(wins.map((win) => win.id));
  });

  it('an API restart in the middle of a raffle loses no win and repeats none', async () => {
    await h.addItems('chaveiro:1:6');
    await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 }, locale: 'en-US' });
    const before = h.winnerEmbeds().length;
    await eventually(() => h.winnerEmbeds().length >= before + 1, 10_000, 'a first win');
    const port = h.api.port;
    await h.api.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    h.api = await startApi(port);
    h.api.chatters.set(streamerId, generateViewers(12, 'fan'));
    await eventually(async () => (await h.streamer())!.activeRaffle === null, 30_000, 'the raffle to finish');
    const wins = await h.wins(streamerId);
    expect(wins).toHaveLength(10);
    await eventually(() => h.winnerEmbeds().length >= 10, 10_000, 'ten winner embeds');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(h.announcedRoundIds()).toEqual(wins.map((win) => win.id));
  });
});
