import {
  ChannelType,
  DiscordAPIError,
  REST,
  Events,
  GatewayIntentBits,
  PermissionFlagsBits,
  Routes,
  SlashCommandBuilder,
  type Interaction,
  type RESTPutAPIApplicationCommandsResult,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeGuild } from '../stand-ins/discord/fake-discord.js';
import { nextEvent, startHarness, stopHarness, type Harness } from './helpers.js';

const raffle = new SlashCommandBuilder()
  .setName('raffle')
  .setNameLocalizations({ 'pt-BR': 'sorteio' })
  .setDescription('Raffles')
  .setDescriptionLocalizations({ 'pt-BR': 'Sorteios' })
  .addSubcommand((sub) =>
    sub
      .setName('start')
      .setNameLocalizations({ 'pt-BR': 'iniciar' })
      .setDescription('Start a raffle')
      .addIntegerOption((o) => o.setName('interval').setDescription('Seconds').setRequired(true).setMinValue(5))
      .addIntegerOption((o) => o.setName('chance').setDescription('Percent').setMinValue(1).setMaxValue(100)),
  )
  .addSubcommand((sub) =>
    sub
      .setName('channel')
      .setNameLocalizations({ 'pt-BR': 'canal' })
      .setDescription('Announcement channel')
      .addChannelOption((o) => o.setName('channel').setDescription('Text channel').setRequired(true).addChannelTypes(ChannelType.GuildText)),
  )
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild);

const items = new SlashCommandBuilder()
  .setName('items')
  .setNameLocalizations({ 'pt-BR': 'itens' })
  .setDescription('Items')
  .addSubcommand((sub) => sub.setName('list').setNameLocalizations({ 'pt-BR': 'listar' }).setDescription('List items'));

describe('command registration', () => {
  let harness: Harness;
  let rest: REST;
  let guild: FakeGuild;

  beforeEach(async () => {
    harness = await startHarness([GatewayIntentBits.Guilds], {}, (discord) => {
      guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'raffles' }, { name: 'voice', type: ChannelType.GuildVoice }] });
    });
    rest = new REST({ api: harness.discord.apiBase }).setToken(harness.discord.botToken);
  });
  afterEach(() => stopHarness(harness));

  it('stores commands put through REST.put(Routes.applicationCommands) and keeps their ids on re-deploy', async () => {
    const { discord } = harness;
    const body = [raffle.toJSON(), items.toJSON()];
    const first = (await rest.put(Routes.applicationCommands(discord.applicationId), { body })) as RESTPutAPIApplicationCommandsResult;
    expect(first.map((c) => c.name)).toEqual(['raffle', 'items']);
    const stored = discord.registeredCommands();
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatchObject({
      name: 'raffle',
      name_localizations: { 'pt-BR': 'sorteio' },
      default_member_permissions: String(PermissionFlagsBits.ManageGuild),
      application_id: discord.applicationId,
    });
    expect(stored[0]?.options?.[0]).toMatchObject({ name: 'start', name_localizations: { 'pt-BR': 'iniciar' } });

    const listed = (await rest.get(Routes.applicationCommands(discord.applicationId))) as RESTPutAPIApplicationCommandsResult;
    expect(listed.map((c) => c.id)).toEqual(first.map((c) => c.id));
    expect(listed[0]).not.toHaveProperty('name_localizations');
    const localized = (await rest.get(Routes.applicationCommands(discord.applicationId), { query: new URLSearchParams({ with_localizations: 'true' }) })) as RESTPutAPIApplicationCommandsResult;
    expect(localized[0]?.name_localizations).toEqual({ 'pt-BR': 'sorteio' });

    const again = (await rest.put(Routes.applicationCommands(discord.applicationId), { body: [raffle.toJSON()] })) as RESTPutAPIApplicationCommandsResult;
    expect(again[0]?.id).toBe(first[0]?.id);
    expect(discord.registeredCommands().map((c) => c.name)).toEqual(['raffle']);

    await rest.put(Routes.applicationGuildCommands(discord.applicationId, guild.id), { body: [items.toJSON()] });
    expect(discord.registeredCommands(guild.id).map((c) => c.name)).toEqual(['items']);
    expect(discord.registeredCommands(guild.id)[0]?.guild_id).toBe(guild.id);
  });

  it('refuses invalid definitions with Discord\'s 50035 error tree', async () => {
    const { discord } = harness;
    const bad = [
      { name: 'Raffle', description: 'upper case name' },
      { name: 'ok', description: 'x', name_localizations: { 'pt-br': 'oi' } },
      {
        name: 'order',
        description: 'x',
        options: [
          { type: 4, name: 'a', description: 'optional' },
          { type: 4, name: 'b', description: 'required', required: true },
        ],
      },
    ];
    const error = await rest.put(Routes.applicationCommands(discord.applicationId), { body: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscordAPIError);
    const apiError = error as DiscordAPIError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe(50035);
    const errors = (apiError.rawError as { errors: Record<string, Record<string, unknown>> }).errors;
    expect(errors['0']).toHaveProperty('name');
    expect(errors['1']).toHaveProperty(['name_localizations', 'pt-br']);
    expect(errors['2']).toHaveProperty(['options', '1', 'required']);
    expect(discord.registeredCommands()).toEqual([]);
  });

  it('checks dispatched slash commands against the registered definition', async () => {
    const { discord, client } = harness;
    await rest.put(Routes.applicationCommands(discord.applicationId), { body: [raffle.toJSON(), items.toJSON()] });
    const base = { guildId: guild.id, channelId: guild.channelId('raffles'), user: { username: 'ana' }, memberPermissions: PermissionFlagsBits.ManageGuild };

    expect(() => discord.sendSlashCommand({ ...base, name: 'raffle', subcommand: 'nope' })).toThrow(/no subcommand "nope"/);
    expect(() => discord.sendSlashCommand({ ...base, name: 'raffle', subcommand: 'start', options: { chance: 5 } })).toThrow(/requires option "interval"/);
    expect(() => discord.sendSlashCommand({ ...base, name: 'raffle', subcommand: 'start', options: { interval: 2 } })).toThrow(/below min_value/);
    expect(() => discord.sendSlashCommand({ ...base, name: 'raffle', subcommand: 'channel', options: { channel: guild.channelId('voice') } })).toThrow(/channel type/);
    expect(() => discord.sendSlashCommand({ ...base, memberPermissions: '0', name: 'raffle', subcommand: 'start', options: { interval: 30 } })).toThrow(/default_member_permissions/);

    const received = nextEvent<[Interaction]>(client, Events.InteractionCreate);
    const slash = discord.sendSlashCommand({ ...base, name: 'raffle', subcommand: 'channel', options: { channel: guild.channelId('raffles') } });
    const [interaction] = await received;
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandId).toBe(discord.registeredCommands()[0]?.id);
    expect(interaction.options.getChannel('channel', true).id).toBe(guild.channelId('raffles'));
    await interaction.reply({ content: 'ok' });
    await slash.waitForResponse();

    // A member without the permission, where a server admin overrode the command's default.
    const overridden = nextEvent<[Interaction]>(client, Events.InteractionCreate);
    discord.sendSlashCommand({ ...base, memberPermissions: '0', ignoreDefaultMemberPermissions: true, name: 'raffle', subcommand: 'start', options: { interval: 30 } });
    const [second] = await overridden;
    expect(second.memberPermissions?.has(PermissionFlagsBits.ManageGuild)).toBe(false);
  });
});
