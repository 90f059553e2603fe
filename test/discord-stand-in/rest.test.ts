import { ChannelType, Events, GatewayIntentBits, PermissionFlagsBits, REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeDiscord, type FakeDiscord, type FakeGuild } from '../stand-ins/discord/fake-discord.js';
import { nextEvent, startHarness, stopHarness, type Harness } from './helpers.js';

describe('REST surface', () => {
  let discord: FakeDiscord | undefined;
  let harness: Harness | undefined;
  afterEach(async () => {
    await discord?.close();
    discord = undefined;
    await stopHarness(harness);
    harness = undefined;
  });

  it('wants a Bot token, answers unknown routes with 404 and logs them, and sends rate-limit headers', async () => {
    const logged: string[] = [];
    discord = await createFakeDiscord({ log: (m) => logged.push(m) });
    const unauthorized = await fetch(`${discord.restBase}/users/@me`);
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    const bearer = await fetch(`${discord.restBase}/users/@me`, { headers: { authorization: `Bearer ${discord.botToken}` } });
    expect(bearer.status).toBe(401);

    const auth = { authorization: `Bot ${discord.botToken}` };
    const me = await fetch(`${discord.restBase}/users/@me`, { headers: auth });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ id: discord.botUser.id, bot: true });
    expect(me.headers.get('x-ratelimit-limit')).toBe('50');
    expect(me.headers.get('x-ratelimit-remaining')).toBe('49');
    expect(Number(me.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    expect(me.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);

    const missing = await fetch(`${discord.restBase}/users/@me/connections`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: '404: Not Found', code: 0 });
    expect(discord.unknownRoutes()).toEqual([{ method: 'GET', path: '/users/@me/connections' }]);
    expect(logged.join('\n')).toMatch(/unknown route GET \/api\/v10\/users\/@me\/connections/);

    const gateway = await fetch(`${discord.restBase}/gateway`);
    expect(await gateway.json()).toEqual({ url: discord.gatewayUrl });
    const bot = await (await fetch(`${discord.restBase}/gateway/bot`, { headers: auth })).json();
    expect(bot).toMatchObject({ url: discord.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, max_concurrency: 1 } });
  });

  it('enforces the bucket limit with 429 and retry_after, which @discordjs/rest waits out', async () => {
    discord = await createFakeDiscord({ log: () => {}, rateLimit: { limit: 2, windowMs: 150 } });
    const auth = { authorization: `Bot ${discord.botToken}` };
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${discord.restBase}/gateway/bot`, { headers: auth });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(limited?.headers.get('retry-after')).toBe('1');
    expect(await limited?.json()).toMatchObject({ message: 'You are being rate limited.', global: false });

    // The real REST client reads the headers and queues instead of failing.
    const rest = new REST({ api: discord.apiBase }).setToken(discord.botToken);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const results = await Promise.all([1, 2, 3].map(() => rest.get(Routes.user('@me'))));
    expect(results).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(discord.requests().filter((r) => r.path === '/users/@me').every((r) => r.status === 200)).toBe(true);
  });

  it('injects failures, e.g. a 429 that discord.js retries after Retry-After', async () => {
    let guild!: FakeGuild;
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (d) => {
      guild = d.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
    });
    const channelId = guild.channelId('raffles');
    harness.discord.failNextRequest({ method: 'POST', path: `/channels/${channelId}/messages`, status: 429, retryAfter: 0.1 });
    const channel = harness.client.channels.cache.get(channelId);
    if (!channel?.isSendable()) throw new Error('not sendable');
    const sent = await channel.send('depois do 429');
    const posts = harness.discord.requests().filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    expect(harness.discord.channelMessages(channelId).map((m) => m.id)).toEqual([sent.id]);

    harness.discord.failNextRequest({ path: `/channels/${channelId}/messages`, status: 500, times: 4 });
    await expect(channel.send('falha')).rejects.toMatchObject({ status: 500 });
  });

  it('serves the guild, channel and member reads discord.js makes', async () => {
    let guild!: FakeGuild;
    let userId = '';
    harness = await startHarness([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers], {}, (d) => {
      userId = d.addUser({ username: 'ana', globalName: 'Ana' }).id;
      guild = d.addGuild({
        name: 'KinoYu',
        roles: [{ name: 'Mods', permissions: 1n << 5n }],
        members: [{ user: userId, roles: ['Mods'] }],
        channels: [{ name: 'raffles', topic: 'Sorteios' }],
      });
    });
    const { client } = harness;
    const fetched = await client.guilds.fetch({ guild: guild.id, force: true });
    expect(fetched.name).toBe('KinoYu');
    expect(fetched.roles.cache.find((r) => r.name === 'Mods')?.permissions.has('ManageGuild')).toBe(true);
    const channels = await fetched.channels.fetch();
    expect(channels.map((c) => c?.name)).toEqual(['raffles']);
    const member = await fetched.members.fetch({ user: userId, force: true });
    expect(member.user.globalName).toBe('Ana');
    expect(member.roles.cache.has(guild.roleId('Mods'))).toBe(true);
    expect(member.permissions.has('ManageGuild')).toBe(true);
    await expect(fetched.members.fetch({ user: '123456789012345678', force: true })).rejects.toMatchObject({ status: 404, code: 10007 });

    // Without arguments discord.js asks the gateway (op 8) for the member list.
    const all = await fetched.members.fetch();
    expect([...all.keys()].sort()).toEqual([guild.ownerId, harness.discord.botUser.id, userId].sort());

    const channel = await client.channels.fetch(guild.channelId('raffles'), { force: true });
    expect(channel && 'topic' in channel ? channel.topic : undefined).toBe('Sorteios');

    const application = await client.application!.fetch();
    expect(application.id).toBe(harness.discord.applicationId);
    expect(application.flags.has('GatewayMessageContentLimited')).toBe(true);
    expect(harness.discord.unknownRoutes()).toEqual([]);
  });

  it('edits a channel only with Manage Channels, and tells the bot through CHANNEL_UPDATE', async () => {
    let guild!: FakeGuild;
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (d) => {
      guild = d.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
      d.addGuild({ name: 'Staff', botPermissions: PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ManageChannels, channels: [{ name: 'ops' }] });
    });
    const { client, discord } = harness;
    const locked = client.channels.cache.get(guild.channelId('raffles'));
    if (!locked || locked.type !== ChannelType.GuildText) throw new Error('expected a text channel');
    await expect(locked.setTopic('nope')).rejects.toMatchObject({ status: 403, code: 50013 });

    const staff = client.guilds.cache.find((g) => g.name === 'Staff')!;
    const ops = staff.channels.cache.find((c) => c.name === 'ops');
    if (!ops || ops.type !== ChannelType.GuildText) throw new Error('expected a text channel');
    const updated = nextEvent<[unknown, { topic: string | null }]>(client, Events.ChannelUpdate);
    await ops.setTopic('Operações');
    expect((await updated)[1].topic).toBe('Operações');
    await expect(ops.setName('')).rejects.toMatchObject({ status: 400, code: 50035 });
    expect(discord.requests().filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([403, 200, 400]);
  });
});
