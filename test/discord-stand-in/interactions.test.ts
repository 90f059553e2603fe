import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Events,
  GatewayIntentBits,
  InteractionResponseType,
  MessageFlags,
  ModalBuilder,
  PermissionFlagsBits,
  TextInputBuilder,
  TextInputStyle,
  type Interaction,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeGuild } from '../stand-ins/discord/fake-discord.js';
import { nextEvent, startHarness, stopHarness, type Harness } from './helpers.js';

describe('interactions through discord.js', () => {
  let harness: Harness;
  let guild: FakeGuild;
  let channelId: string;

  beforeEach(async () => {
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (discord) => {
      guild = discord.addGuild({ name: 'KinoYu', locale: 'pt-BR', channels: [{ name: 'raffles' }] });
      channelId = guild.channelId('raffles');
    });
  });
  afterEach(() => stopHarness(harness));

  const interactionEvent = () => nextEvent<[Interaction]>(harness.client, Events.InteractionCreate);

  it('delivers a slash command with subcommand, options, locale and member permissions; reply arrives', async () => {
    const received = interactionEvent();
    const slash = harness.discord.sendSlashCommand({
      guildId: guild.id,
      channelId,
      user: { username: 'ana' },
      memberPermissions: PermissionFlagsBits.ManageGuild,
      locale: 'pt-BR',
      name: 'raffle',
      subcommand: 'start',
      options: { interval: 60, chance: 50 },
    });
    expect(slash.delivered).toBe(1);
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error(`expected a chat input command, got type ${interaction.type}`);
    expect(interaction.commandName).toBe('raffle');
    expect(interaction.options.getSubcommand()).toBe('start');
    expect(interaction.options.getInteger('interval', true)).toBe(60);
    expect(interaction.options.getInteger('chance')).toBe(50);
    expect(interaction.locale).toBe('pt-BR');
    expect(interaction.guildLocale).toBe('pt-BR');
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(true);
    expect(interaction.memberPermissions?.has(PermissionFlagsBits.Administrator)).toBe(false);
    expect(interaction.appPermissions.has(PermissionFlagsBits.SendMessages)).toBe(true);
    expect(interaction.channelId).toBe(channelId);
    expect(interaction.guildId).toBe(guild.id);
    expect(interaction.user.username).toBe('ana');

    await interaction.reply({ content: 'Sorteio iniciado', flags: MessageFlags.Ephemeral });
    const response = await slash.waitForResponse();
    expect(response).toMatchObject({ type: InteractionResponseType.ChannelMessageWithSource, data: { content: 'Sorteio iniciado', flags: MessageFlags.Ephemeral } });
    expect(slash.original()?.content).toBe('Sorteio iniciado');
    // Ephemeral: not part of the channel's history.
    expect(harness.discord.channelMessages(channelId)).toEqual([]);
  });

  it('reports "none" permissions as given and a public reply lands in the channel', async () => {
    const received = interactionEvent();
    const slash = harness.discord.sendSlashCommand({ guildId: guild.id, channelId, user: { username: 'bia' }, memberPermissions: '0', name: 'raffle', subcommand: 'status' });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.memberPermissions?.bitfield).toBe(0n);
    expect(interaction.locale).toBe('en-US');
    await interaction.reply({ content: 'Nenhum sorteio' });
    await slash.waitForResponse();
    const [message] = harness.discord.channelMessages(channelId);
    expect(message).toMatchObject({ content: 'Nenhum sorteio', author: { id: harness.discord.botUser.id }, interaction_metadata: { id: slash.id } });
  });

  it('records deferReply then editReply, and a second reply is refused like Discord does', async () => {
    const received = interactionEvent();
    const slash = harness.discord.sendSlashCommand({ guildId: guild.id, channelId, user: { username: 'caio' }, name: 'items', subcommand: 'list' });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    expect((await slash.waitForResponse()).type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    expect((slash.original()?.flags ?? 0) & MessageFlags.Loading).toBe(MessageFlags.Loading);

    const edited = await interaction.editReply({ content: 'Itens: Espada (peso 3)' });
    expect(edited.content).toBe('Itens: Espada (peso 3)');
    const original = await slash.waitForOriginal();
    expect(original.content).toBe('Itens: Espada (peso 3)');
    expect((original.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(slash.edits()).toHaveLength(1);

    const followUp = await interaction.followUp({ content: 'mais uma coisa' });
    expect(followUp.content).toBe('mais uma coisa');
    expect(slash.followUps().map((m) => m.content)).toEqual(['mais uma coisa']);

    // A second initial response: discord.js refuses locally; the raw callback gets Discord's 40060.
    const raw = await fetch(`${harness.discord.restBase}/interactions/${slash.id}/${slash.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'again' } }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ message: 'Interaction has already been acknowledged.', code: 40060 });
  });

  it('fills the deferred "thinking" message with the first follow-up', async () => {
    const received = interactionEvent();
    const slash = harness.discord.sendSlashCommand({ guildId: guild.id, channelId, user: { username: 'duda' }, name: 'raffle', subcommand: 'history' });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply();
    const reply = await interaction.followUp({ content: 'Histórico vazio' });
    const original = await slash.waitForOriginal();
    expect(reply.id).toBe(original.id);
    expect(original.content).toBe('Histórico vazio');
    expect(harness.discord.channelMessages(channelId).map((m) => m.content)).toEqual(['Histórico vazio']);
  });

  it('shows a modal (type 9) and delivers its submission as a modal submit with the field values', async () => {
    let received = interactionEvent();
    const slash = harness.discord.sendSlashCommand({ guildId: guild.id, channelId, user: { username: 'eva' }, memberPermissions: PermissionFlagsBits.ManageGuild, name: 'items', subcommand: 'add' });
    let [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    const modal = new ModalBuilder()
      .setCustomId('items-add')
      .setTitle('Adicionar itens')
      .addComponents(
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder().setCustomId('items').setLabel('nome:peso[:estoque], ...').setStyle(TextInputStyle.Paragraph).setRequired(true),
        ),
      );
    await interaction.showModal(modal);
    const response = await slash.waitForResponse();
    expect(response.type).toBe(InteractionResponseType.Modal);
    expect(response.data).toMatchObject({ custom_id: 'items-add', title: 'Adicionar itens' });

    // Only the user the modal was shown to can submit it, and only its fields exist.
    expect(() =>
      harness.discord.sendModalSubmit({ guildId: guild.id, channelId, user: { username: 'someone-else' }, customId: 'items-add', components: [{ customId: 'items', value: 'x:1' }] }),
    ).toThrow(/no modal/);
    expect(() =>
      harness.discord.sendModalSubmit({ guildId: guild.id, channelId, user: interaction.user.id, customId: 'items-add', components: [{ customId: 'nope', value: 'x' }] }),
    ).toThrow(/no text input/);

    received = interactionEvent();
    const submit = harness.discord.sendModalSubmit({
      guildId: guild.id,
      channelId,
      user: interaction.user.id,
      locale: 'pt-BR',
      customId: 'items-add',
      components: [{ customId: 'items', value: 'Espada:3, Escudo:1:2' }],
    });
    [interaction] = await received;
    if (!interaction.isModalSubmit()) throw new Error(`expected a modal submit, got type ${interaction.type}`);
    expect(interaction.customId).toBe('items-add');
    expect(interaction.fields.getTextInputValue('items')).toBe('Espada:3, Escudo:1:2');
    expect(interaction.locale).toBe('pt-BR');
    await interaction.reply({ content: '2 itens adicionados', flags: MessageFlags.Ephemeral });
    expect((await submit.waitForResponse()).data?.content).toBe('2 itens adicionados');
  });

  it('delivers a button click on a message the bot sent, and an update of that message', async () => {
    const channel = await harness.client.channels.fetch(channelId);
    if (!channel?.isSendable()) throw new Error('channel not sendable');
    const sent = await channel.send({
      content: 'Sorteio rodando',
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('raffle-stop').setLabel('Parar').setStyle(ButtonStyle.Danger))],
    });
    const received = interactionEvent();
    const click = harness.discord.sendButton({ channelId, user: { username: 'fabi' }, customId: 'raffle-stop' });
    const [interaction] = await received;
    if (!interaction.isButton()) throw new Error(`expected a button, got type ${interaction.type}`);
    expect(interaction.customId).toBe('raffle-stop');
    expect(interaction.message.id).toBe(sent.id);
    await interaction.update({ content: 'Sorteio parado', components: [] });
    expect((await click.waitForResponse()).type).toBe(InteractionResponseType.UpdateMessage);
    expect(harness.discord.channelMessages(channelId)[0]).toMatchObject({ id: sent.id, content: 'Sorteio parado', components: [] });
    expect(() => harness.discord.sendButton({ channelId, user: { username: 'fabi' }, customId: 'raffle-stop' })).toThrow(/no message with a component/);
  });

  it('delivers autocomplete with the focused option and records the choices', async () => {
    const received = interactionEvent();
    const auto = harness.discord.sendAutocomplete({
      guildId: guild.id,
      channelId,
      user: { username: 'gabi' },
      name: 'items',
      subcommand: 'remove',
      focused: { name: 'item', value: 'Esp' },
    });
    const [interaction] = await received;
    if (!interaction.isAutocomplete()) throw new Error('expected autocomplete');
    expect(interaction.options.getSubcommand()).toBe('remove');
    expect(interaction.options.getFocused(true)).toMatchObject({ name: 'item', value: 'Esp' });
    await interaction.respond([{ name: 'Espada', value: 'item-1' }]);
    const response = await auto.waitForResponse();
    expect(response).toMatchObject({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [{ name: 'Espada', value: 'item-1' }] } });
  });

  it('honours with_response (withResponse: true) with the created message', async () => {
    const received = interactionEvent();
    const slash = harness.discord.sendSlashCommand({ guildId: guild.id, channelId, user: { username: 'iris' }, name: 'raffle', subcommand: 'status' });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    const callback = await interaction.reply({ content: 'ok', withResponse: true });
    expect(callback.interaction.id).toBe(slash.id);
    expect(callback.resource?.message?.content).toBe('ok');
    expect((await slash.waitForResponse()).withResponse).toBe(true);
  });
});

describe('an interaction the bot answers too late', () => {
  let harness: Harness;
  let guild: FakeGuild;
  beforeEach(async () => {
    harness = await startHarness([GatewayIntentBits.Guilds], { interactionResponseTimeoutMs: 250 }, (discord) => {
      guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }] });
    });
  });
  afterEach(() => stopHarness(harness));

  it('is Unknown interaction (10062) once the response window has passed, and waitForResponse says so', async () => {
    const received = nextEvent<[Interaction]>(harness.client, Events.InteractionCreate);
    const slash = harness.discord.sendSlashCommand({ guildId: guild.id, channelId: guild.channelId('raffles'), user: { username: 'hugo' }, name: 'raffle', subcommand: 'draw' });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await expect(slash.waitForResponse(400)).rejects.toThrow(/did not respond/);
    await expect(interaction.reply({ content: 'too late' })).rejects.toMatchObject({ code: 10062, status: 404 });
    expect(slash.response()).toBeUndefined();
  });
});
