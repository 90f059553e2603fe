import { describe, expect, it } from 'vitest';
import { probeServices } from './service-probe';

// Nothing listens on port 1 (privileged, unused): a connection there is refused at once.
const SILENT_PG = 'postgresql://postgres@127.0.0.1:1/test';
const SILENT_REDIS = 'redis://127.0.0.1:1';

describe('the services probe (global setup)', () => {
  it('fails the run when TEST_DATABASE_URL is set and does not answer', async () => {
    await expect(probeServices({ TEST_DATABASE_URL: SILENT_PG })).rejects.toThrow(`TEST_DATABASE_URL ${SILENT_PG} does not answer`);
  });

  it('fails the run when TEST_REDIS_URL is set and does not answer', async () => {
    await expect(probeServices({ TEST_REDIS_URL: SILENT_REDIS })).rejects.toThrow(`TEST_REDIS_URL ${SILENT_REDIS} does not answer`);
  });

  it('reports every service missing with KINOYU_TEST_SERVICES=none, whatever the URLs say', async () => {
    expect(await probeServices({ KINOYU_TEST_SERVICES: 'none', TEST_DATABASE_URL: SILENT_PG, TEST_REDIS_URL: SILENT_REDIS })).toEqual({
      disabledBy: 'KINOYU_TEST_SERVICES=none',
      postgresUrl: undefined,
      redisUrl: undefined,
      redisServerBinary: false,
      chromium: false,
    });
  });
});
