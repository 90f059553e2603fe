import { ChannelType, Client, Events, GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeDiscord, type FakeDiscord } from '../stand-ins/discord/fake-discord.js';
import { startHarness, stopHarness, type Harness } from './helpers.js';

describe('discord.js login against the stand-in', () => {
  let harness: Harness | undefined;
  let bare: FakeDiscord | undefined;
  afterEach(async () => {
    await stopHarness(harness);
    harness = undefined;
    await bare?.close();
    bare = undefined;
  });

  it('becomes ready with the guild, its channels and the bot user in cache', async () => {
    let guildId = '';
    let channelId = '';
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (discord) => {
      const guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }, { name: 'general' }] });
      guildId = guild.id;
      channelId = guild.channelId('raffles');
    });
    const { client, discord } = harness;
    expect(client.user?.id).toBe(discord.botUser.id);
    expect(client.application?.id).toBe(discord.applicationId);
    const guild = client.guilds.cache.get(guildId);
    expect(guild?.name).toBe('KinoYu');
    expect(guild?.available).toBe(true);
    const channel = client.channels.cache.get(channelId);
    expect(channel?.type).toBe(ChannelType.GuildText);
    expect(channel && 'name' in channel ? channel.name : undefined).toBe('raffles');
    expect(guild?.members.me?.id).toBe(discord.botUser.id);
    expect(discord.isBotConnected()).toBe(true);

    // What discord.js asks for at login, and nothing the stand-in does not know.
    expect(discord.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /gateway/bot 200']);
    expect(discord.unknownRoutes()).toEqual([]);
    const identify = discord.gatewayEvents().find((e) => e.type === 'identify');
    expect(identify).toMatchObject({ type: 'identify', intents: GatewayIntentBits.Guilds, shard: [0, 1], compress: false });
    const connect = discord.gatewayEvents().find((e) => e.type === 'connect');
    expect(connect).toMatchObject({ path: '/gateway', query: { v: '10', encoding: 'json' } });
  });

  it('without the Guilds intent gets no GUILD_CREATE and readies with the guild unavailable', async () => {
    let guildId = '';
    harness = await startHarness([GatewayIntentBits.GuildMessages], {}, (discord) => {
      guildId = discord.addGuild({ name: 'Quiet', channels: [{ name: 'x' }] }).id;
    });
    expect(harness.client.guilds.cache.get(guildId)?.available).toBe(false);
  });

  it('sees a guild added while online as a guildCreate (the bot joined it)', async () => {
    harness = await startHarness([GatewayIntentBits.Guilds]);
    const joined = new Promise<string>((resolve) => harness!.client.once(Events.GuildCreate, (g) => resolve(g.name)));
    harness.discord.addGuild({ name: 'Late', channels: [{ name: 'c' }] });
    expect(await joined).toBe('Late');
  });

  it('rejects a wrong token at REST with TokenInvalid', async () => {
    bare = await createFakeDiscord({ log: () => {} });
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: bare.apiBase } });
    await expect(client.login(`${bare.botToken}x`)).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(bare.requests().at(-1)).toMatchObject({ path: '/gateway/bot', status: 401 });
    await client.destroy();
  });

  it('refuses privileged intents the application has not enabled (close 4014)', async () => {
    bare = await createFakeDiscord({ log: () => {}, privilegedIntents: { messageContent: false } });
    const client = new Client({ intents: [GatewayIntentBits.Guilds, GatewayIntentBits.MessageContent], rest: { api: bare.apiBase } });
    const login = client.login(bare.botToken);
    await expect(login).rejects.toThrow(/disallowed intents/i);
    expect(bare.gatewayEvents()).toContainEqual(expect.objectContaining({ type: 'close', code: 4014, by: 'server' }));
    await client.destroy();
  });
});
