import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { needsManageGuild, parseCustomId, type Command } from '../../clients/discord-bot/commands/index';
import { loadCommands } from '../../clients/discord-bot/loader';

/** The contract's Discord commands table (shared/contract/README.md). */
const TABLE = [
  { path: ['link'], pt: ['iniciar'], manage: true },
  { path: ['items', 'add'], pt: ['itens', 'adicionar'], manage: true },
  { path: ['items', 'list'], pt: ['itens', 'listar'], manage: false },
  { path: ['items', 'remove'], pt: ['itens', 'remover'], manage: true },
  { path: ['raffle', 'start'], pt: ['sorteio', 'iniciar'], manage: true },
  { path: ['raffle', 'stop'], pt: ['sorteio', 'parar'], manage: true },
  { path: ['raffle', 'draw'], pt: ['sorteio', 'sortear'], manage: true },
  { path: ['raffle', 'reroll'], pt: ['sorteio', 'ressortear'], manage: true },
  { path: ['raffle', 'status'], pt: ['sorteio', 'status'], manage: false },
  { path: ['raffle', 'history'], pt: ['sorteio', 'historico'], manage: false },
  { path: ['raffle', 'channel'], pt: ['sorteio', 'canal'], manage: true },
] as const;

let commands: Map<string, Command>;

beforeAll(async () => {
  commands = await loadCommands();
});

type Node = RESTPostAPIChatInputApplicationCommandsJSONBody | APIApplicationCommandOption;

function childOptions(node: Node): APIApplicationCommandOption[] {
  return ('options' in node ? node.options : undefined) ?? [];
}

function subcommand(name: string, sub: string) {
  const found = childOptions(commands.get(name)!.data).find((option) => option.name === sub);
  expect(found, `${name} ${sub}`).toBeDefined();
  expect(found!.type).toBe(ApplicationCommandOptionType.Subcommand);
  return found!;
}

function optionsOf(name: string, sub: string) {
  return childOptions(subcommand(name, sub));
}

describe('command definitions', () => {
  it('are exactly the commands and subcommands of the contract table', () => {
    expect([...commands.keys()].sort()).toEqual(['items', 'link', 'raffle']);
    for (const name of ['items', 'raffle']) {
      const expected = TABLE.filter((row) => row.path[0] === name).map((row) => row.path[1]);
      expect(childOptions(commands.get(name)!.data).map((option) => option.name).sort()).toEqual([...expected].sort());
    }
    expect(childOptions(commands.get('link')!.data)).toEqual([]);
  });

  it('have the pt-BR names of the table, for commands and subcommands', () => {
    for (const row of TABLE) {
      const command = commands.get(row.path[0])!.data;
      expect(command.name_localizations?.['pt-BR'], row.path.join(' ')).toBe(row.pt[0]);
      if (row.path.length === 2) expect(subcommand(row.path[0], row.path[1]).name_localizations?.['pt-BR']).toBe(row.pt[1]);
    }
  });

  it('describe everything in English with a pt-BR translation, options included', () => {
    const visit = (node: Node, where: string) => {
      expect(node.description, where).toMatch(/\S/);
      expect(node.description_localizations?.['pt-BR'], where).toMatch(/\S/);
      expect(node.description_localizations?.['pt-BR'], where).not.toBe(node.description);
      expect(node.name_localizations?.['pt-BR'], where).toMatch(/^[-_\p{Ll}\p{N}]{1,32}$/u);
      for (const child of childOptions(node)) visit(child, `${where} ${child.name}`);
    };
    for (const command of commands.values()) visit(command.data, command.data.name);
  });

  it('raffle start takes interval (integer seconds, required) and chance (integer 1–100, optional)', () => {
    const [interval, chance, ...rest] = optionsOf('raffle', 'start');
    expect(rest).toEqual([]);
    expect(interval).toMatchObject({ name: 'interval', type: ApplicationCommandOptionType.Integer, required: true, min_value: 1 });
    expect(interval!.name_localizations?.['pt-BR']).toBe('intervalo');
    expect(chance).toMatchObject({ name: 'chance', type: ApplicationCommandOptionType.Integer, min_value: 1, max_value: 100 });
    expect((chance as { required?: boolean }).required ?? false).toBe(false);
  });

  it('raffle reroll takes an optional round number (default: the latest winning round)', () => {
    const [round, ...rest] = optionsOf('raffle', 'reroll');
    expect(rest).toEqual([]);
    expect(round).toMatchObject({ name: 'round', type: ApplicationCommandOptionType.Integer, min_value: 1 });
    expect(round!.name_localizations?.['pt-BR']).toBe('rodada');
    expect((round as { required?: boolean }).required ?? false).toBe(false);
  });

  it('raffle channel takes a required text channel; items remove an autocompleted string', () => {
    const [channel] = optionsOf('raffle', 'channel');
    expect(channel).toMatchObject({ name: 'channel', type: ApplicationCommandOptionType.Channel, required: true });
    expect(channel!.name_localizations?.['pt-BR']).toBe('canal');
    expect((channel as { channel_types?: ChannelType[] }).channel_types).toContain(ChannelType.GuildText);
    const [item] = optionsOf('items', 'remove');
    expect(item).toMatchObject({ name: 'item', type: ApplicationCommandOptionType.String, required: true, autocomplete: true });
    for (const sub of ['stop', 'draw', 'status', 'history']) expect(optionsOf('raffle', sub)).toEqual([]);
    for (const sub of ['add', 'list']) expect(optionsOf('items', sub)).toEqual([]);
  });

  it('need Manage Server exactly where the table says, and only in guilds', () => {
    for (const row of TABLE) {
      const command = commands.get(row.path[0])!;
      expect(needsManageGuild(command, row.path[1] ?? null), row.path.join(' ')).toBe(row.manage);
      expect(command.data.contexts).toEqual([InteractionContextType.Guild]);
    }
    // default_member_permissions is per top-level command: /link is managers-only, so it is hidden
    // from others; /items and /raffle mix everyone's subcommands with managers' ones, so they stay
    // visible and the runtime check guards the managing subcommands.
    expect(commands.get('link')!.data.default_member_permissions).toBe(String(PermissionFlagsBits.ManageGuild));
    expect(commands.get('items')!.data.default_member_permissions ?? null).toBeNull();
    expect(commands.get('raffle')!.data.default_member_permissions ?? null).toBeNull();
  });

  it('route component custom ids to their command and subcommand', () => {
    expect(parseCustomId('items:add')).toEqual({ command: 'items', subcommand: 'add', args: [] });
    expect(parseCustomId('raffle:history:next:abc')).toEqual({ command: 'raffle', subcommand: 'history', args: ['next', 'abc'] });
    expect(needsManageGuild(commands.get('items')!, parseCustomId('items:add').subcommand)).toBe(true);
    expect(needsManageGuild(commands.get('raffle')!, parseCustomId('raffle:history:next:x').subcommand)).toBe(false);
  });
});

describe('command loader', () => {
  it('refuses a module that does not export a command, naming the file and the problem', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bot-commands-'));
    try {
      await writeFile(path.join(dir, 'index.ts'), 'export const ignored = true;\n');
      await writeFile(path.join(dir, 'good.ts'), "export default { data: { name: 'good', description: 'ok' }, manageGuild: [], execute: async () => {} };\n");
      expect([...(await loadCommands(dir)).keys()]).toEqual(['good']);
      await writeFile(path.join(dir, 'broken.ts'), "export default { data: { name: 'broken', description: 'no execute' }, manageGuild: [] };\n");
      await expect(loadCommands(dir)).rejects.toThrow(/commands\/broken\.ts does not export a command: execute/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses two commands with one name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bot-commands-'));
    try {
      const module = "export default { data: { name: 'same', description: 'x' }, manageGuild: true, execute: async () => {} };\n";
      await writeFile(path.join(dir, 'a.ts'), module);
      await writeFile(path.join(dir, 'b.ts'), module);
      await expect(loadCommands(dir)).rejects.toThrow(/a second command named same/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
