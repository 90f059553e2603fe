import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithURL } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTwitch, type FakeTwitch } from '../stand-ins/twitch/fake-twitch';
import { request } from '../support/graphql';
import { startTestApp } from '../support/test-app';
import { ADMIN, eventually, Harness, MANAGE_GUILD } from './support/harness';

/**
 * Linking Twitch from Discord: /link answers with a one-time authorize button, the streamer
 * follows it on (the stand-in of) Twitch and lands on the API's callback, and the guild is
 * linked. The API is configured for the Twitch stand-in.
 */
describe('bot end to end: linking Twitch', () => {
  let h: Harness;
  let twitch: FakeTwitch;

  beforeAll(async () => {
    twitch = await createFakeTwitch();
    const api = await startTestApp({
      env: {
        TWITCH_CLIENT_ID: twitch.clientId,
        TWITCH_CLIENT_SECRET: twitch.clientSecret,
        TWITCH_AUTH_URL: twitch.authUrl,
        TWITCH_API_URL: twitch.apiUrl,
      },
    });
    h = await Harness.start({
      api,
      roles: [{ name: 'mods', permissions: MANAGE_GUILD }],
      members: [{ user: ADMIN, roles: ['mods'] }, { user: { username: 'carla' } }],
    });
    await h.startBot({ DISCORD_PREFIX_COMMANDS: 'true' });
  });

  afterAll(async () => {
    await h?.close();
    await h?.api.stop();
    await twitch?.close();
  });

  it('/iniciar gives a one-time Twitch button; following it links the guild', async () => {
    twitch.addUser({ id: '5001', login: 'kinoyu', displayName: 'KinoYu' });

    const reply = await h.run({ name: 'link', locale: 'pt-BR' });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('autorize na Twitch');
    const [button] = (reply.message.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithURL>).components);
    expect(button).toMatchObject({ type: ComponentType.Button, style: ButtonStyle.Link, label: 'Conectar Twitch' });
    const authorize = new URL(button!.url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${twitch.authUrl}/authorize`);

    // The streamer's browser: Twitch sends it back to the API's callback with code and state.
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const callback = new URL(consent.headers.get('location')!);
    expect(callback.pathname).toBe('/auth/twitch/callback');
    const landing = await fetch(new URL(`${callback.pathname}${callback.search}`, h.api.url));
    expect(landing.status).toBe(200);

    await eventually(async () => (await linkedLogin()) === 'kinoyu', 5_000, 'the guild to be linked');
    const again = await h.run({ name: 'link', locale: 'en-US' });
    expect(again.content).toContain('already connected to **kinoyu**');
  });

  it('then runs a raffle on the live Twitch chat: one embed and one chat message per win, none lost or repeated across a bot restart', async () => {
    twitch.generateChatters('5001', 2_500);
    const streamer = (await h.streamer())!;
    expect(await linkedLogin()).toBe('kinoyu');
    await h.run({ name: 'raffle', subcommand: 'channel', options: { channel: h.channels.announce } });
    expect((await h.addItems('skin dourada:50:3, skin prateada:30:3')).content).toContain('2 prêmios adicionados');

    expect((await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 } })).content).toContain('Sorteio iniciado');
    await eventually(() => h.winnerEmbeds().length >= 2, 15_000, 'two live winner embeds');
    await h.stopBot();
    await eventually(async () => (await h.streamer())!.activeRaffle === null, 30_000, 'the raffle to use up the 6 prizes');
    await h.startBot({ DISCORD_PREFIX_COMMANDS: 'true' });
    const wins = await h.wins(streamer.id);
    expect(wins).toHaveLength(6);
    await eventually(() => h.winnerEmbeds().length >= 6, 15_000, 'the wins missed while the bot was down');
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // a sweep later: nothing repeated
    expect(h.announcedRoundIds()).toEqual(wins.map((win) => win.id));
    // Twitch chat got one announcement per win, sent as the broadcaster.
    await eventually(() => twitch.sentMessages.length >= 6, 15_000, 'six chat announcements');
    expect(twitch.sentMessages).toHaveLength(6);
    expect(twitch.sentMessages.every((message) => message.senderId === '5001' && message.broadcasterId === '5001')).toBe(true);
  });

  it('the button works once: a second visit to the same authorize link does not link again', async () => {
    const reply = await h.run({ name: 'link', locale: 'en-US' });
    const [button] = (reply.message.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithURL>).components);
    const first = new URL((await fetch(button!.url, { redirect: 'manual' })).headers.get('location')!);
    expect((await fetch(new URL(`${first.pathname}${first.search}`, h.api.url))).status).toBe(200);
    const replay = await fetch(new URL(`${first.pathname}${first.search}`, h.api.url));
    expect(replay.status).toBeGreaterThanOrEqual(400);
  });

  it('!iniciar does what /link does, but never posts the link in the channel', async () => {
    const sent = h.discord.sendMessage({ channelId: h.channels.general, author: ADMIN, content: '!iniciar' });
    expect(sent.delivered).toBe(1);
    // The stand-in has no DM channels, so the bot says it could not DM and keeps the link private.
    const answer = await h.discord.waitForChannelMessage(h.channels.general, (message) => message.author.id === h.discord.botUser.id, 5_000);
    expect(answer.content).toMatch(/mensagem privada|direct message/);
    expect(h.discord.channelMessages(h.channels.general).some((message) => message.content.includes('oauth2/authorize'))).toBe(false);
  });

  it('!iniciar from a member without Manage Server is refused', async () => {
    const before = h.discord.channelMessages(h.channels.general).length;
    h.discord.sendMessage({ channelId: h.channels.general, author: { username: 'carla' }, content: '!iniciar' });
    const answer = await eventually(() => h.discord.channelMessages(h.channels.general).slice(before).find((m) => m.author.id === h.discord.botUser.id), 5_000, 'the refusal');
    expect(answer.content).toContain('Gerenciar Servidor');
  });

  async function linkedLogin(): Promise<string | null> {
    const response = await request(h.api.url, 'query ($g: String!) { streamerByGuild(guildId: $g) { linked login } }', { g: h.guild.id });
    const streamer = response.data?.streamerByGuild;
    return streamer?.linked ? streamer.login : null;
  }
});
