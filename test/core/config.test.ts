import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireSecrets } from '../../src/config/config';
import { resolveSecrets } from '../../src/config/dev-secrets';

describe('configuration', () => {
  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', API_TOKEN: 'short', TOKEN_ENCRYPTION_KEY: 'bm90LTMyLWJ5dGVz', TWITCH_CLIENT_ID: 'abc' });
      expect.unreachable('loadConfig accepted bad values');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/API_TOKEN must be at least 32 characters/);
      expect(problems).toMatch(/TOKEN_ENCRYPTION_KEY.*32 bytes/);
      expect(problems).toMatch(/TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET must be set together/);
    }
  });

  it('reads the proxy trust and the /auth rate limit', () => {
    expect(loadConfig({}).http).toMatchObject({ trustProxy: false, authRateLimitPerMinute: 120 });
    expect(loadConfig({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).http.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(loadConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '15' }).http.authRateLimitPerMinute).toBe(15);
    expect(() => loadConfig({ AUTH_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/AUTH_RATE_LIMIT_PER_MINUTE/);
  });

  it('requires secrets and the public URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/API_TOKEN is required in production[\s\S]*TOKEN_ENCRYPTION_KEY is required[\s\S]*SESSION_SECRET is required[\s\S]*PUBLIC_URL is required/);
  });

  it('SESSION_SECRET: at least 32 characters; without it (outside production) one is derived from API_TOKEN', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET must be at least 32 characters/);
    const base = { API_TOKEN: 'a'.repeat(32), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64') };
    expect(requireSecrets(loadConfig({ ...base, SESSION_SECRET: 'k'.repeat(32) })).sessionSecret).toBe('k'.repeat(32));
    const derived = requireSecrets(loadConfig(base)).sessionSecret;
    expect(derived).toHaveLength(43);
    expect(derived).not.toBe(base.API_TOKEN);
    expect(requireSecrets(loadConfig({ ...base, API_TOKEN: 'b'.repeat(32) })).sessionSecret).not.toBe(derived);
  });

  it('requires DATABASE_URL in production unless the embedded database is explicitly allowed', () => {
    const production = {
      NODE_ENV: 'production',
      API_TOKEN: 'a'.repeat(32),
      TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 5).toString('base64'),
      SESSION_SECRET: 's'.repeat(32),
      PUBLIC_URL: 'https://raffles.example.com',
    };
    expect(() => loadConfig(production)).toThrow(/DATABASE_URL is required in production[\s\S]*ALLOW_EMBEDDED_DATABASE=true/);
    // Listed with every other problem, not one at a time.
    try {
      loadConfig({ NODE_ENV: 'production', PORT: 'eighty' });
      expect.unreachable('loadConfig accepted a production config without DATABASE_URL');
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems.some((problem) => problem.startsWith('DATABASE_URL: DATABASE_URL is required in production'))).toBe(true);
      expect(problems.some((problem) => problem.startsWith('PORT'))).toBe(true);
      expect(problems.some((problem) => problem.startsWith('API_TOKEN'))).toBe(true);
    }
    expect(loadConfig({ ...production, DATABASE_URL: 'postgresql://db.example.com/raffles' }).database.url).toBe('postgresql://db.example.com/raffles');
    expect(loadConfig({ ...production, ALLOW_EMBEDDED_DATABASE: 'true' }).database.url).toBeUndefined();
    expect(() => loadConfig({ ...production, ALLOW_EMBEDDED_DATABASE: 'false' })).toThrow(/DATABASE_URL is required/);
    expect(() => loadConfig({ ...production, ALLOW_EMBEDDED_DATABASE: 'yes' })).toThrow(/ALLOW_EMBEDDED_DATABASE/);
    // Outside production the embedded database needs no opt-in.
    expect(loadConfig({}).database.url).toBeUndefined();
  });

  it('reads REDIS_CLUSTER_NODES as a list of redis:// URLs or host:port, and refuses anything else', () => {
    expect(loadConfig({}).redisClusterNodes).toBeUndefined();
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000, redis://10.0.0.2:7001 ,' }).redisClusterNodes).toEqual([
      '10.0.0.1:7000',
      'redis://10.0.0.2:7001',
    ]);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'http://10.0.0.1:7000' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('reads DATABASE_PREPARED_STATEMENTS (default 200, 0 turns them off) and refuses a negative or fractional count', () => {
    expect(loadConfig({}).database.preparedStatements).toBe(200);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: '0' }).database.preparedStatements).toBe(0);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: '-1' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
    expect(() => loadConfig({ DATABASE_PREPARED_STATEMENTS: '2.5' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(4000);
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('./.data');
    expect(config.redisUrl).toBeUndefined();
    expect(config.twitch).toBeNull();
    expect(config.raffle.excludedLogins).toContain('nightbot');
    const withTwitch = loadConfig({ TWITCH_CLIENT_ID: 'id', TWITCH_CLIENT_SECRET: 'secret' });
    expect(withTwitch.twitch).toMatchObject({
      clientId: 'id',
      clientSecret: 'secret',
      authUrl: 'https://id.twitch.tv/oauth2',
      apiUrl: 'https://api.twitch.tv/helix',
    });
  });

  it('hands createApp its secrets, or names the missing ones', () => {
    const key = Buffer.alloc(32, 3);
    const given = loadConfig({ API_TOKEN: 'a'.repeat(32), TOKEN_ENCRYPTION_KEY: key.toString('base64') });
    expect(requireSecrets(given, { apiToken: 'b'.repeat(32) })).toMatchObject({ apiToken: 'a'.repeat(32), tokenEncryptionKeys: [key] });
    expect(requireSecrets(loadConfig({}), { apiToken: 'b'.repeat(32), tokenEncryptionKeys: [key] }).apiToken).toBe('b'.repeat(32));
    expect(() => requireSecrets(loadConfig({}))).toThrow(/API_TOKEN is required[\s\S]*TOKEN_ENCRYPTION_KEY is required/);
  });

  it('accepts a list of encryption keys, the first one encrypting', () => {
    const first = Buffer.alloc(32, 1).toString('base64');
    const second = Buffer.alloc(32, 2).toString('base64');
    const config = loadConfig({ TOKEN_ENCRYPTION_KEY: `${first}, ${second}` });
    expect(config.tokenEncryptionKeys?.map((key) => key[0])).toEqual([1, 2]);
  });

  it('generates development secrets once and keeps them under DATA_DIR', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'kinoyu-secrets-'));
    const logger = pino({ level: 'silent' });
    const first = await resolveSecrets(loadConfig({ DATA_DIR: dataDir }), logger);
    const second = await resolveSecrets(loadConfig({ DATA_DIR: dataDir }), logger);
    expect(first.apiToken).toHaveLength(43);
    expect(second.apiToken).toBe(first.apiToken);
    expect(first.tokenEncryptionKeys).toHaveLength(1);
    expect(second.tokenEncryptionKeys).toEqual(first.tokenEncryptionKeys);
    const stored = JSON.parse(await readFile(path.join(dataDir, 'secrets.json'), 'utf8'));
    expect(stored.apiToken).toBe(first.apiToken);
    expect(first.sessionSecret).toHaveLength(43);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(stored.sessionSecret).toBe(first.sessionSecret);
  });
});
