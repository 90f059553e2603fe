/**
 * Registers the slash commands with Discord: `npm run bot:deploy` (global, can take up to an
 * hour to show everywhere) or `npm run bot:deploy -- --guild <id>` (one guild, at once).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REST, Routes, type RESTPutAPIApplicationCommandsResult } from 'discord.js';
import { BotConfigError, loadDeployConfig, type DiscordConfig } from './config';
import { loadCommands } from './loader';

export async function deployCommands(discord: DiscordConfig, guildId?: string): Promise<RESTPutAPIApplicationCommandsResult> {
  const commands = await loadCommands();
  const body = [...commands.values()].map((command) => command.data);
  const rest = new REST(discord.restBase ? { api: discord.restBase } : {}).setToken(discord.token);
  const route = guildId ? Routes.applicationGuildCommands(discord.applicationId, guildId) : Routes.applicationCommands(discord.applicationId);
  return (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { values } = parseArgs({ options: { guild: { type: 'string' } } });
    if (values.guild !== undefined && !/^\d{5,25}$/.test(values.guild)) throw new Error(`--guild must be a guild id, got ${values.guild}`);
    const config = loadDeployConfig();
    const result = await deployCommands(config.discord, values.guild);
    console.log(`registered ${result.length} commands ${values.guild ? `in guild ${values.guild}` : 'globally'}: ${result.map((c) => c.name).join(', ')}`);
  } catch (error) {
    console.error(error instanceof BotConfigError ? error.message : error);
    process.exit(1);
  }
}
