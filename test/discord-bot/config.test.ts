import { describe, expect, it } from 'vitest';
import { BotConfigError, discordRestBase, loadBotConfig, loadDeployConfig } from '../../clients/discord-bot/config';

const valid = {
  DISCORD_TOKEN: 'bot-token',
  DISCORD_APPLICATION_ID: '123456789012345678',
  API_TOKEN: 'x'.repeat(32),
};

describe('bot config', () => {
  it('has defaults for the API and the flags', () => {
    const config = loadBotConfig(valid);
    expect(config.api).toEqual({ url: 'http://localhost:4000/graphql', wsUrl: 'ws://localhost:4000/graphql', token: valid.API_TOKEN });
    expect(config.prefixCommands).toBe(false);
    expect(config.logLevel).toBe('info');
    expect(config.discord.restBase).toBeUndefined();
  });

  it('accepts DISCORD_API_URL with or without the version', () => {
    for (const url of ['http://127.0.0.1:9/api', 'http://127.0.0.1:9/api/', 'http://127.0.0.1:9/api/v10', 'http://127.0.0.1:9/api/v10/']) {
      expect(loadBotConfig({ ...valid, DISCORD_API_URL: url }).discord.restBase).toBe('http://127.0.0.1:9/api');
    }
    expect(discordRestBase('https://discord.com/api/v9')).toBe('https://discord.com/api');
  });

  it('turns https API URLs into wss and reads the prefix flag', () => {
    const config = loadBotConfig({ ...valid, API_URL: 'https://raffles.example/graphql', DISCORD_PREFIX_COMMANDS: 'true' });
    expect(config.api.wsUrl).toBe('wss://raffles.example/graphql');
    expect(config.prefixCommands).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadBotConfig({ DISCORD_APPLICATION_ID: 'not-an-id', API_TOKEN: 'short', API_URL: 'nope', DISCORD_PREFIX_COMMANDS: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BotConfigError);
    const problems = (error as BotConfigError).problems.join('\n');
    for (const name of ['DISCORD_TOKEN', 'DISCORD_APPLICATION_ID', 'API_TOKEN', 'API_URL', 'DISCORD_PREFIX_COMMANDS']) expect(problems).toContain(name);
  });

  it('deploying needs no API settings', () => {
    expect(loadDeployConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456' }).discord.applicationId).toBe('123456');
  });
});
