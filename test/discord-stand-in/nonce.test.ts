import { GatewayIntentBits, type APIMessage, type SendableChannels } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeDiscordOptions, FakeGuild } from '../stand-ins/discord/fake-discord.js';
import { startHarness, stopHarness, type Harness } from './helpers.js';

/**
 * Create Message's idempotency as Discord documents it: "If enforce_nonce is set to true, the
 * nonce will be checked for uniqueness in the past few minutes. If another message was created
 * by the same author with the same nonce, that message will be returned and no new message
 * will be created." The nonce is an integer or a string of at most 25 characters.
 */
describe('Create Message nonce and enforce_nonce', () => {
  let harness: Harness | undefined;
  let guild: FakeGuild;
  let created: APIMessage[];

  afterEach(async () => {
    await stopHarness(harness);
    harness = undefined;
  });

  async function start(options: FakeDiscordOptions = {}): Promise<{ channel: SendableChannels; harness: Harness }> {
    harness = await startHarness([GatewayIntentBits.Guilds], options, (discord) => {
      guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'sorteios' }] });
    });
    created = [];
    harness.discord.onMessageCreate((message) => created.push(message));
    const channel = await harness.client.channels.fetch(guild.channelId('sorteios'));
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    return { channel, harness };
  }

  function channelPosts(): Array<Pick<APIMessage, 'id' | 'content' | 'nonce'>> {
    return harness!.discord.channelMessages(guild.channelId('sorteios')).map(({ id, content, nonce }) => ({ id, content, nonce }));
  }

  it('returns the first message (200) and creates nothing when the same author sends the same nonce with enforce_nonce', async () => {
    const { channel, harness: h } = await start();
    const first = await channel.send({ content: 'ganhador #1', nonce: 'w-round-1', enforceNonce: true });
    const again = await channel.send({ content: 'ganhador #1 (retry)', nonce: 'w-round-1', enforceNonce: true });
    expect(again.id).toBe(first.id);
    expect(again.content).toBe('ganhador #1');
    expect(channelPosts()).toEqual([{ id: first.id, content: 'ganhador #1', nonce: 'w-round-1' }]);
    expect(created.map((m) => m.id)).toEqual([first.id]);
    const posts = h.discord.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
    expect(posts.map((r) => r.status)).toEqual([200, 200]);
    expect(posts.map((r) => (r.body as { enforce_nonce?: boolean }).enforce_nonce)).toEqual([true, true]);

    // Another nonce is another message.
    const other = await channel.send({ content: 'ganhador #2', nonce: 'w-round-2', enforceNonce: true });
    expect(other.id).not.toBe(first.id);
    expect(channelPosts().map((m) => m.id)).toEqual([first.id, other.id]);
  });

  it('signals a created message synchronously, before the REST answer leaves', async () => {
    const { channel, harness: h } = await start();
    const statusesAtCreate: number[] = [];
    h.discord.onMessageCreate(() => {
      const post = h.discord.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).at(-1);
      statusesAtCreate.push(post!.status);
    });
    const sent = await channel.send({ content: 'agora', nonce: 'sync', enforceNonce: true });
    await channel.send({ content: 'agora', nonce: 'sync', enforceNonce: true });
    expect(statusesAtCreate).toEqual([0]); // not answered yet; and the replay created nothing
    expect(created.map((m) => m.id)).toEqual([sent.id]);
  });

  it('does not enforce the nonce without enforce_nonce', async () => {
    const { channel } = await start();
    const a = await channel.send({ content: 'a', nonce: 'same' });
    const b = await channel.send({ content: 'b', nonce: 'same' });
    expect(b.id).not.toBe(a.id);
    expect(channelPosts().map((m) => m.content)).toEqual(['a', 'b']);
    // …but the nonce was taken by the first message: an enforced send now gets that one back.
    const c = await channel.send({ content: 'c', nonce: 'same', enforceNonce: true });
    expect(c.id).toBe(a.id);
    expect(channelPosts().map((m) => m.content)).toEqual(['a', 'b']);
  });

  it('treats an integer nonce like the same digits as a string', async () => {
    const { channel } = await start();
    const a = await channel.send({ content: 'int', nonce: 1234567890123, enforceNonce: true });
    const b = await channel.send({ content: 'str', nonce: '1234567890123', enforceNonce: true });
    expect(b.id).toBe(a.id);
    expect(channelPosts()).toHaveLength(1);
  });

  it('frees the nonce once the window ("the past few minutes") has passed', async () => {
    const { channel } = await start({ nonceWindowMs: 300 });
    const a = await channel.send({ content: 'first', nonce: 'late', enforceNonce: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const b = await channel.send({ content: 'second', nonce: 'late', enforceNonce: true });
    expect(b.id).not.toBe(a.id);
    expect(channelPosts().map((m) => m.content)).toEqual(['first', 'second']);
  });

  it('refuses a nonce longer than 25 characters, of another type, or a non-boolean enforce_nonce (400, 50035)', async () => {
    const { channel, harness: h } = await start();
    await expect(channel.send({ content: 'x', nonce: 'n'.repeat(26), enforceNonce: true })).rejects.toMatchObject({
      status: 400,
      code: 50035,
      rawError: { message: 'Invalid Form Body', code: 50035, errors: { nonce: { _errors: [{ code: 'NONCE_TYPE_TOO_LONG', message: 'Must be 25 or fewer characters long.' }] } } },
    });
    await expect(channel.send({ content: 'x', nonce: 'n'.repeat(25), enforceNonce: true })).resolves.toBeDefined();

    // discord.js refuses these itself, so they go by plain fetch.
    const post = async (body: unknown) => {
      const response = await fetch(`${h.discord.restBase}/channels/${guild.channelId('sorteios')}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${h.discord.botToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    for (const nonce of [1.5, true, { id: 1 }, ['a']]) {
      expect(await post({ content: 'x', nonce }), JSON.stringify(nonce)).toEqual({
        status: 400,
        body: { message: 'Invalid Form Body', code: 50035, errors: { nonce: { _errors: [{ code: 'NONCE_TYPE_INVALID_TYPE', message: 'This field must be a string or integer.' }] } } },
      });
    }
    expect(await post({ content: 'x', nonce: 'ok', enforce_nonce: 'yes' })).toEqual({
      status: 400,
      body: { message: 'Invalid Form Body', code: 50035, errors: { enforce_nonce: { _errors: [{ code: 'BASE_TYPE_BOOLEAN', message: 'Must be either true or false.' }] } } },
    });
    // A null nonce is no nonce: nothing to enforce.
    const a = await post({ content: 'null 1', nonce: null, enforce_nonce: true });
    const b = await post({ content: 'null 2', nonce: null, enforce_nonce: true });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(channelPosts().map((m) => m.content)).toEqual(['x', 'null 1', 'null 2']);
  });
});
