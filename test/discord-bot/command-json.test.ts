import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../clients/discord-bot/loader';

/**
 * The JSON the deploy script registers is part of the contract (what users type): it must not
 * drift when the command files are reorganised. The fixture is the JSON as registered before the
 * localized-subcommand helper; change it only together with a deliberate command change.
 */
describe('registered command JSON', () => {
  it('is byte for byte the committed fixture (names, localizations, options, key order)', async () => {
    const fixture = await readFile(new URL('./fixtures/registered-commands.json', import.meta.url), 'utf8');
    const commands = await loadCommands();
    const body = [...commands.values()].map((command) => command.data);
    expect(`${JSON.stringify(body, null, 2)}\n`).toBe(fixture);
  });
});
