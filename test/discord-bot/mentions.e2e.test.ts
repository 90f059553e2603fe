import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { eventually, Harness } from './support/harness';

/**
 * User-provided text (item names here) must never ping anyone: the bot's Client sets
 * `allowedMentions: { parse: [] }` by default, so every message body it sends carries
 * `allowed_mentions` and Discord (the stand-in applies the same rules) resolves no @everyone,
 * @here, role or user mention from it.
 */
describe('bot messages ping nobody', () => {
  let h: Harness;
  let streamerId: string;

  beforeAll(async () => {
    h = await Harness.start({ roles: [{ name: 'mods' }] });
    await h.startBot();
  });

  afterAll(async () => {
    await h?.close();
  });

  const NO_PINGS = { parse: [], replied_user: false };

  /** Every REST body the bot sent that carries text or embeds (creates and edits, channel and interaction). */
  function messageBodies() {
    return h.discord
      .requests()
      .filter((entry) => ['POST', 'PATCH'].includes(entry.method) && /\/messages|\/callback|\/webhooks\//.test(entry.path))
      .map((entry) => {
        const body = entry.body as { content?: string; embeds?: unknown[]; data?: { content?: string; embeds?: unknown[]; allowed_mentions?: unknown }; allowed_mentions?: unknown };
        // Interaction callbacks wrap the message in `data`.
        return { path: entry.path, message: body?.data && 'type' in (body as object) ? body.data : body };
      })
      .filter(({ message }) => Boolean(message?.content) || Boolean(message?.embeds?.length));
  }

  it('an item named after @everyone and a role is listed in a reply that mentions no one', async () => {
    await h.run({ name: 'link' });
    streamerId = (await h.streamer())!.id;
    h.api.chatters.set(streamerId, generateViewers(5));
    await h.run({ name: 'raffle', subcommand: 'channel', options: { channel: h.channels.announce } });
    const role = h.guild.roleId('mods');
    const reply = await h.addItems(`@everyone venha:10, <@&${role}> e @here:5`);
    expect(reply.content).toContain('@everyone');
    expect(reply.content).toContain(`<@&${role}>`);
    expect(reply.content).toContain('@here');

    const bodies = messageBodies();
    const withNames = bodies.filter(({ message }) => message?.content?.includes('@everyone'));
    expect(withNames.length).toBeGreaterThan(0);
    for (const { message } of withNames) expect(message!.allowed_mentions).toEqual(NO_PINGS);
  });

  it('the winner embed goes out with the same allowed_mentions, and nothing in the channel pings', async () => {
    await h.run({ name: 'raffle', subcommand: 'start', options: { interval: 1 } });
    await eventually(() => h.winnerEmbeds().length >= 1, 15_000, 'a winner embed');
    const posts = h.discord
      .requests()
      .filter((entry) => entry.method === 'POST' && entry.path === `/channels/${h.channels.announce}/messages`);
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) expect((post.body as { allowed_mentions?: unknown }).allowed_mentions).toEqual(NO_PINGS);

    // Every message the bot sent with text or embeds carried it, commands and announcements alike.
    const bodies = messageBodies();
    expect(bodies.length).toBeGreaterThan(3);
    for (const { path, message } of bodies) expect(message!.allowed_mentions, path).toEqual(NO_PINGS);

    for (const channelId of [h.channels.announce, h.channels.general]) {
      for (const message of h.discord.channelMessages(channelId)) {
        expect(message.mention_everyone, message.content).toBe(false);
        expect(message.mention_roles).toEqual([]);
        expect(message.mentions).toEqual([]);
      }
    }
  });

  it('the stand-in does resolve those mentions when a message sets no allowed_mentions (the check can fail)', async () => {
    const role = h.guild.roleId('mods');
    const { message } = h.discord.sendMessage({ channelId: h.channels.general, author: { username: 'ana' }, content: `@everyone <@&${role}>` });
    expect(message.mention_everyone).toBe(true);
    expect(message.mention_roles).toEqual([role]);
  });
});
