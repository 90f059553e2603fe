import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commandSchema, type Command } from './commands/index';

export const COMMANDS_DIR = fileURLToPath(new URL('./commands/', import.meta.url));

/**
 * Imports every command module in `commands/` (index excluded) and checks its default export.
 * A file that does not export a command is an error, not something to skip quietly.
 */
export async function loadCommands(dir = COMMANDS_DIR): Promise<Map<string, Command>> {
  const files = (await readdir(dir))
    .filter((file) => /\.(ts|js|mjs)$/.test(file) && !/\.d\.ts$/.test(file) && !/^index\./.test(file) && !/\.test\./.test(file))
    .sort();
  const commands = new Map<string, Command>();
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: unknown };
    const parsed = commandSchema.safeParse(module.default);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'default export'}: ${issue.message}`);
      throw new Error(`commands/${file} does not export a command: ${problems.join('; ')}`);
    }
    const command = module.default as Command;
    if (commands.has(command.data.name)) throw new Error(`commands/${file}: a second command named ${command.data.name}`);
    commands.set(command.data.name, command);
  }
  return commands;
}
