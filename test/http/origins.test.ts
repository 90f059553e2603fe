import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createOriginPolicy } from '../../src/http/origins';

describe('allowed origins (ALLOWED_ORIGINS, alias WS_ALLOWED_ORIGINS)', () => {
  it("is PUBLIC_URL's origin plus the configured list, each reduced to its origin", () => {
    const config = loadConfig({ PUBLIC_URL: 'https://raffles.example/base/', ALLOWED_ORIGINS: 'https://dash.example/app, http://obs.local:8080' });
    const policy = createOriginPolicy(config, () => 4000);
    expect(policy.allowedOrigins()).toEqual(['https://raffles.example', 'https://dash.example', 'http://obs.local:8080']);
    expect(policy.allows('https://dash.example')).toBe(true);
    expect(policy.allows('https://dash.example.evil')).toBe(false);
    expect(policy.allows('null')).toBe(false);
    expect(policy.allows(undefined)).toBe(true);
  });

  it('without PUBLIC_URL: the loopback names on the listening port', () => {
    let port = 0;
    const policy = createOriginPolicy(loadConfig({}), () => port);
    port = 51234;
    expect(policy.allowedOrigins()).toEqual(['http://localhost:51234', 'http://127.0.0.1:51234', 'http://[::1]:51234']);
    expect(policy.allows('http://localhost:4000')).toBe(false);
  });

  it('takes WS_ALLOWED_ORIGINS when ALLOWED_ORIGINS is unset, and refuses entries that are not URLs', () => {
    expect(loadConfig({ WS_ALLOWED_ORIGINS: 'https://a.example' }).http.allowedOrigins).toEqual(['https://a.example']);
    expect(loadConfig({ WS_ALLOWED_ORIGINS: 'https://a.example', ALLOWED_ORIGINS: 'https://b.example' }).http.allowedOrigins).toEqual(['https://b.example']);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://ok.example,not a url' })).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not a url' })).toThrow(/ALLOWED_ORIGINS/);
  });
});
