import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeDiscord, type FakeDiscord, type FakeGuild } from '../stand-ins/discord/fake-discord';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { spawnBotScript } from './support/bot-process';
import { settled } from './support/harness';

/**
 * The two scripts as an operator runs them: `npm run bot:deploy -- --guild <id>` registers the
 * commands in one guild, `npm run bot` (main.ts) serves them, and SIGTERM stops it cleanly.
 */
describe('the bot processes', () => {
  let api: TestApp;
  let discord: FakeDiscord;
  let guild: FakeGuild;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    api = await startTestApp();
    discord = await createFakeDiscord({ heartbeatIntervalMs: 1000, log: () => {} });
    guild = discord.addGuild({ name: 'KinoYu', channels: [{ name: 'geral' }] });
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await discord?.close();
    await api?.stop();
  });

  const run = (script: string, args: string[] = [], env: Record<string, string> = {}) =>
    spawnBotScript(children, script, { DISCORD_TOKEN: discord.botToken, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_API_URL: discord.apiBase, ...env }, args);

  it('deploys the commands to one guild, serves them, and exits 0 on SIGTERM', async () => {
    const deploy = run('clients/discord-bot/deploy-commands.ts', ['--guild', guild.id]);
    expect(await deploy.exited).toBe(0);
    expect(deploy.output()).toMatch(/registered 3 commands in guild/);
    expect(discord.registeredCommands(guild.id).map((command) => command.name).sort()).toEqual(['items', 'link', 'raffle']);
    expect(discord.registeredCommands()).toEqual([]);

    const bot = run('clients/discord-bot/main.ts', [], { API_URL: `${api.url}/graphql`, API_TOKEN: TEST_API_TOKEN, LOG_LEVEL: 'info' });
    await bot.ready();
    const reply = await settled(
      discord.sendSlashCommand({ guildId: guild.id, channelId: guild.channelId('geral'), user: { username: 'ana' }, locale: 'en-US', name: 'raffle', subcommand: 'status' }),
    );
    expect(reply.content).toContain('/link');
    expect(bot.output()).not.toContain(TEST_API_TOKEN);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toContain('"msg":"bot stopped"');
  }, 60_000);

  it('refuses to start with a bad configuration, listing every problem', async () => {
    const bot = run('clients/discord-bot/main.ts', [], { DISCORD_TOKEN: '', API_TOKEN: 'short' });
    expect(await bot.exited).toBe(1);
    expect(bot.output()).toContain('DISCORD_TOKEN is required');
    expect(bot.output()).toContain('API_TOKEN');
  });
});
