import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';
import { chainInfoHash, QUICKNET } from '../../src/fairness/drand-chain';

describe('fairness configuration', () => {
  it('defaults to sealed, 90 days, quicknet on the public relays', () => {
    const { fairness } = loadConfig({});
    expect(fairness.defaultMode).toBe('sealed');
    expect(fairness.proofRetentionDays).toBe(90);
    expect(fairness.drand.chainHash).toBe(QUICKNET.hash);
    expect(fairness.drand.publicKey).toBe(QUICKNET.publicKey);
    expect(chainInfoHash(QUICKNET)).toBe(fairness.drand.chainHash);
    expect(fairness.drand.urls).toContain('https://api.drand.sh');
    expect(fairness.drand.urls).toContain('https://drand.cloudflare.com');
    expect(fairness.drand.timeoutMs).toBeGreaterThan(0);
  });

  it('reads the names of the contract', () => {
    const { fairness } = loadConfig({
      DRAND_URLS: 'http://127.0.0.1:9001/, http://127.0.0.1:9002',
      DRAND_CHAIN_HASH: 'AB'.repeat(32),
      DRAND_PUBLIC_KEY: 'cd'.repeat(96),
      DRAND_TIMEOUT_MS: '750',
      RAFFLE_FAIRNESS_DEFAULT: 'drand',
      PROOF_RETENTION_DAYS: '30',
    });
    expect(fairness).toEqual({
      defaultMode: 'drand',
      proofRetentionDays: 30,
      drand: { urls: ['http://127.0.0.1:9001', 'http://127.0.0.1:9002'], chainHash: 'ab'.repeat(32), publicKey: 'cd'.repeat(96), timeoutMs: 750 },
    });
  });

  it('lists every bad fairness value at once', () => {
    try {
      loadConfig({ DRAND_URLS: 'not a url', DRAND_CHAIN_HASH: 'xyz', DRAND_PUBLIC_KEY: 'ab', RAFFLE_FAIRNESS_DEFAULT: 'maybe', PROOF_RETENTION_DAYS: '0' });
      expect.unreachable('loadConfig accepted bad values');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const names = (error as ConfigError).problems.map((problem) => problem.split(/[.:]/)[0]);
      expect(new Set(names)).toEqual(new Set(['DRAND_URLS', 'DRAND_CHAIN_HASH', 'DRAND_PUBLIC_KEY', 'RAFFLE_FAIRNESS_DEFAULT', 'PROOF_RETENTION_DAYS']));
    }
  });
});
