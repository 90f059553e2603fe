import { AttachmentBuilder, EmbedBuilder, Events, GatewayIntentBits, PermissionFlagsBits, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeGuild } from '../stand-ins/discord/fake-discord.js';
import { nextEvent, startHarness, stopHarness, type Harness } from './helpers.js';

describe('channel messages', () => {
  let harness: Harness | undefined;
  let guild: FakeGuild;
  afterEach(async () => {
    await stopHarness(harness);
    harness = undefined;
  });

  const start = async (intents: GatewayIntentBits[], options = {}) => {
    harness = await startHarness(intents, options, (discord) => {
      guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
    });
    return harness;
  };

  it('records an embed sent with channel.send and serves it back through GET', async () => {
    const { client, discord } = await start([GatewayIntentBits.Guilds]);
    const channel = await client.channels.fetch(guild.channelId('raffles'));
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const waiting = discord.waitForChannelMessage(guild.channelId('raffles'), (m) => m.embeds.length > 0);
    const sent = await channel.send({ embeds: [new EmbedBuilder().setTitle('Vencedor!').setDescription('**ana** ganhou Espada').setColor(0xffaa00)] });
    const recorded = await waiting;
    expect(recorded.id).toBe(sent.id);
    expect(recorded.embeds[0]).toMatchObject({ type: 'rich', title: 'Vencedor!', description: '**ana** ganhou Espada', color: 0xffaa00 });
    expect(discord.channelMessages(guild.channelId('raffles')).map((m) => m.id)).toEqual([sent.id]);

    const fetched = await (channel as { messages: { fetch(id: string): Promise<Message> } }).messages.fetch(sent.id);
    expect(fetched.embeds[0]?.title).toBe('Vencedor!');
    const edited = await sent.edit({ content: 'editado' });
    expect(edited.content).toBe('editado');
    expect(discord.channelMessages(guild.channelId('raffles'))[0]?.edited_timestamp).not.toBeNull();
  });

  it('takes attachments sent as multipart with payload_json', async () => {
    const { client, discord } = await start([GatewayIntentBits.Guilds]);
    const channel = await client.channels.fetch(guild.channelId('raffles'));
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const sent = await channel.send({ content: 'log', files: [new AttachmentBuilder(Buffer.from('hello'), { name: 'log.txt' })] });
    expect(sent.attachments.first()?.name).toBe('log.txt');
    expect(discord.channelMessages(guild.channelId('raffles'))[0]?.attachments[0]).toMatchObject({ filename: 'log.txt', size: 5 });
  });

  it('refuses empty and oversized messages the way Discord does', async () => {
    const { client } = await start([GatewayIntentBits.Guilds]);
    const channel = await client.channels.fetch(guild.channelId('raffles'));
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    await expect(channel.send({ content: '' })).rejects.toMatchObject({ status: 400, code: 50006 });
    await expect(channel.send({ content: 'x'.repeat(2001) })).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(channel.send({ embeds: [{ title: 't'.repeat(257) }] })).rejects.toMatchObject({ status: 400, code: 50035 });
  });

  it('refuses sending where the bot lacks Send Messages (403 50013)', async () => {
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (discord) => {
      guild = discord.addGuild({
        name: 'Locked',
        channels: [
          { name: 'announcements', permissionOverwrites: [{ id: '@everyone', type: 'role', deny: PermissionFlagsBits.SendMessages }] },
          { name: 'hidden', permissionOverwrites: [{ id: '@everyone', type: 'role', deny: PermissionFlagsBits.ViewChannel }] },
        ],
      });
    });
    const channel = harness.client.channels.cache.get(guild.channelId('announcements'));
    if (!channel?.isTextBased() || !('send' in channel)) throw new Error('not a text channel');
    await expect(channel.send({ content: 'hi' })).rejects.toMatchObject({ status: 403, code: 50013 });
    await expect(harness.client.channels.fetch(guild.channelId('hidden'), { force: true })).rejects.toMatchObject({ status: 403, code: 50001 });
    expect(harness.discord.channelMessages(guild.channelId('announcements'))).toEqual([]);
  });

  it('delivers MESSAGE_CREATE with content when GuildMessages and MessageContent are on', async () => {
    const { client, discord } = await start([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]);
    const received = nextEvent<[Message]>(client, Events.MessageCreate, (m) => !m.author.bot);
    const { delivered } = discord.sendMessage({ channelId: guild.channelId('raffles'), author: { username: 'ana' }, content: '!iniciar' });
    expect(delivered).toBe(1);
    const [message] = await received;
    expect(message.content).toBe('!iniciar');
    expect(message.author.username).toBe('ana');
    expect(message.guildId).toBe(guild.id);
    expect(message.member?.id).toBe(message.author.id);
  });

  it('blanks the content without MessageContent, except where the bot is mentioned', async () => {
    const { client, discord } = await start([GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
    const plain = nextEvent<[Message]>(client, Events.MessageCreate);
    discord.sendMessage({ channelId: guild.channelId('raffles'), author: { username: 'ana' }, content: '!iniciar' });
    expect((await plain)[0].content).toBe('');

    const mention = nextEvent<[Message]>(client, Events.MessageCreate);
    discord.sendMessage({ channelId: guild.channelId('raffles'), author: { username: 'ana' }, content: `<@${discord.botUser.id}> !iniciar` });
    const [mentioned] = await mention;
    expect(mentioned.content).toBe(`<@${discord.botUser.id}> !iniciar`);
    expect(mentioned.mentions.users.has(discord.botUser.id)).toBe(true);
  });

  it('does not deliver guild messages without the GuildMessages intent', async () => {
    const { discord } = await start([GatewayIntentBits.Guilds]);
    const { delivered } = discord.sendMessage({ channelId: guild.channelId('raffles'), author: { username: 'ana' }, content: 'hi' });
    expect(delivered).toBe(0);
  });
});
