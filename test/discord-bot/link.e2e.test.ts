import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponentWithURL } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTwitch, type FakeTwitch } from '../stand-ins/twitch/fake-twitch';
import { request } from '../support/graphql';
import { startTestApp } from '../support/test-app';
import { ADMIN, eventually, Harness, MANAGE_GUILD } from './support/harness';

/**
 * Linking Twitch from Discord: /link answers with a one-time button to the API's start page,
 * which names the Discord server; its button binds the link to that browser (a cookie) and sends
 * it on to (the stand-in of) Twitch with force_verify; the browser lands on the API's callback
 * with the cookie, and the guild is linked. The API is configured for the Twitch stand-in.
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
        // Only win announcements are counted here (test/twitch/start-announcement.test.ts has the start one).
        TWITCH_START_ANNOUNCEMENT: 'false',
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

  it('/iniciar gives a one-time button to the start page, which names the server; through it and Twitch the guild is linked', async () => {
    twitch.addUser({ id: '5001', login: 'kinoyu', displayName: 'KinoYu Live' });

    const reply = await h.run({ name: 'link', locale: 'pt-BR' });
    expect(reply.ephemeral).toBe(true);
    expect(reply.content).toContain('mesmo navegador');
    const button = linkButton(reply.message.components);
    expect(button).toMatchObject({ type: ComponentType.Button, style: ButtonStyle.Link, label: 'Conectar Twitch' });
    const start = new URL(button.url);
    expect(`${start.origin}${start.pathname}`).toBe(`http://localhost:${h.api.port}/auth/twitch/start`);

    // The streamer's browser: the start page names this Discord server (the bot sent its name).
    const browser = await throughStartPage(button.url);
    expect(browser.startHtml).toContain(`<strong>${h.guild.name}</strong> (${h.guild.id})`);
    // Its button: Twitch's authorize URL, forcing the consent page.
    expect(`${browser.authorize.origin}${browser.authorize.pathname}`).toBe(`${twitch.authUrl}/authorize`);
    expect(browser.authorize.searchParams.get('force_verify')).toBe('true');
    // Twitch sends it back to the API's callback with code and state; the cookie goes along.
    expect(browser.callback.pathname).toBe('/auth/twitch/callback');
    const landing = await fetch(onApi(browser.callback), { headers: { cookie: browser.cookie, 'accept-language': 'en' } });
    expect(landing.status).toBe(200);
    const success = await landing.text();
    expect(success).toContain(h.guild.name);
    expect(success).toContain('KinoYu Live');

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

  it('the button works once, and only in the browser that went through the start page', async () => {
    const reply = await h.run({ name: 'link', locale: 'en-US' });
    const browser = await throughStartPage(linkButton(reply.message.components).url);
    expect((await fetch(onApi(browser.callback), { headers: { cookie: browser.cookie } })).status).toBe(200);
    const replay = await fetch(onApi(browser.callback), { headers: { cookie: browser.cookie } });
    expect(replay.status).toBeGreaterThanOrEqual(400);
  });

  it("another browser (no cookie) that gets Twitch's redirect links nothing, and the link is over", async () => {
    const reply = await h.run({ name: 'link', locale: 'en-US' });
    const browser = await throughStartPage(linkButton(reply.message.components).url);
    const stranger = await fetch(onApi(browser.callback));
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain('data-reason="BROWSER_MISMATCH"');
    const late = await fetch(onApi(browser.callback), { headers: { cookie: browser.cookie } });
    expect(late.status).toBe(400);
    expect(await late.text()).toContain('data-reason="USED_STATE"');
  });

  it('!iniciar does what /link does, but never posts the link in the channel', async () => {
    const sent = h.discord.sendMessage({ channelId: h.channels.general, author: ADMIN, content: '!iniciar' });
    expect(sent.delivered).toBe(1);
    // The stand-in has no DM channels, so the bot says it could not DM and keeps the link private.
    const answer = await h.discord.waitForChannelMessage(h.channels.general, (message) => message.author.id === h.discord.botUser.id, 5_000);
    expect(answer.content).toMatch(/mensagem privada|direct message/);
    expect(h.discord.channelMessages(h.channels.general).some((message) => /oauth2\/authorize|auth\/twitch\/start/.test(message.content))).toBe(false);
  });

  it('!iniciar from a member without Manage Server is refused', async () => {
    const before = h.discord.channelMessages(h.channels.general).length;
    h.discord.sendMessage({ channelId: h.channels.general, author: { username: 'carla' }, content: '!iniciar' });
    const answer = await eventually(() => h.discord.channelMessages(h.channels.general).slice(before).find((m) => m.author.id === h.discord.botUser.id), 5_000, 'the refusal');
    expect(answer.content).toContain('Gerenciar Servidor');
  });

  function linkButton(components: unknown[] | undefined): APIButtonComponentWithURL {
    const [button] = (components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithURL>).components);
    if (!button) throw new Error('the reply has no link button');
    return button;
  }

  /** A URL the API handed out (it names localhost), on the address the test reaches it at. */
  function onApi(url: URL | string): URL {
    const parsed = new URL(url);
    return new URL(`${parsed.pathname}${parsed.search}`, h.api.url);
  }

  /** The streamer's browser: the start page, its button (same-origin form), Twitch's consent page. */
  async function throughStartPage(startUrl: string) {
    const page = await fetch(onApi(startUrl));
    expect(page.status).toBe(200);
    const startHtml = await page.text();
    const pressed = await fetch(onApi('http://x/auth/twitch/start'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ state: new URL(startUrl).searchParams.get('state')! }).toString(),
      redirect: 'manual',
    });
    expect(pressed.status).toBe(303);
    const cookie = pressed.headers.getSetCookie()[0]!.split(';')[0]!;
    const authorize = new URL(pressed.headers.get('location')!);
    const consent = await fetch(authorize, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    return { startHtml, cookie, authorize, callback: new URL(consent.headers.get('location')!) };
  }

  async function linkedLogin(): Promise<string | null> {
    const response = await request(h.api.url, 'query ($g: String!) { streamerByGuild(guildId: $g) { linked login } }', { g: h.guild.id });
    const streamer = response.data?.streamerByGuild;
    return streamer?.linked ? streamer.login : null;
  }
});
