import { describe, expect, it } from 'vitest';
import { missingFor, skippedTitle } from './describe-with';
import type { AvailableServices } from './service-probe';

const everything: AvailableServices = {
  disabledBy: undefined,
  postgresUrl: 'postgresql://postgres@127.0.0.1:5432/test',
  redisUrl: 'redis://127.0.0.1:6379',
  redisServerBinary: true,
  chromium: true,
};
const bare: AvailableServices = { disabledBy: undefined, postgresUrl: undefined, redisUrl: undefined, redisServerBinary: false, chromium: false };

describe('describeWith: which suites run and what a skipped one says', () => {
  it('finds nothing missing when every declared service is there, and keeps the title', () => {
    expect(missingFor({ postgres: true, redis: true, redisServerBinary: true, chromium: true }, everything)).toEqual([]);
    expect(skippedTitle('several instances', [], everything)).toBe('several instances');
  });

  it('names exactly the declared services that are missing, in the title of the skipped suite', () => {
    const redisOnly: AvailableServices = { ...bare, redisUrl: everything.redisUrl };
    const missing = missingFor({ postgres: true, redis: true, redisServerBinary: true }, redisOnly);
    expect(missing).toEqual(['a real PostgreSQL', 'the redis-server binary']);
    expect(skippedTitle('Redis restarted mid-raffle', missing, redisOnly)).toBe(
      'Redis restarted mid-raffle [SKIPPED: needs a real PostgreSQL and the redis-server binary (none found on this machine)]',
    );
  });

  it('ignores services a suite did not declare', () => {
    expect(missingFor({ redis: true }, { ...bare, redisUrl: everything.redisUrl })).toEqual([]);
    expect(missingFor({}, bare)).toEqual([]);
  });

  it('says when the services were switched off with KINOYU_TEST_SERVICES=none', () => {
    const disabled: AvailableServices = { ...bare, disabledBy: 'KINOYU_TEST_SERVICES=none' };
    expect(skippedTitle('x', missingFor({ chromium: true }, disabled), disabled)).toBe(
      'x [SKIPPED: needs Chromium (/usr/bin/chromium) (KINOYU_TEST_SERVICES=none)]',
    );
  });
});
