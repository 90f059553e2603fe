import { describe, it } from 'vitest';
import { availableServices, type AvailableServices } from './services';

/** What a suite needs beyond the embedded database and in-process pub/sub. */
export interface Needs {
  /** A real PostgreSQL server (scratch databases are created on it). */
  postgres?: true;
  /** A real Redis server. */
  redis?: true;
  /** The redis-server binary, to start, kill and restart a Redis of the suite's own. */
  redisServerBinary?: true;
  /** Chromium at /usr/bin/chromium. */
  chromium?: true;
}

/** The URLs of the services a suite declared, as plain strings (the body only runs when they exist). */
export type Granted<N extends Needs> = (N extends { postgres: true } ? { postgresUrl: string } : unknown) &
  (N extends { redis: true } ? { redisUrl: string } : unknown);

const NAMES: Record<keyof Needs, string> = {
  postgres: 'a real PostgreSQL',
  redis: 'a real Redis',
  redisServerBinary: 'the redis-server binary',
  chromium: 'Chromium (/usr/bin/chromium)',
};

function present(need: keyof Needs, services: AvailableServices): boolean {
  switch (need) {
    case 'postgres':
      return services.postgresUrl !== undefined;
    case 'redis':
      return services.redisUrl !== undefined;
    case 'redisServerBinary':
      return services.redisServerBinary;
    case 'chromium':
      return services.chromium;
  }
}

/** Which of `needs` this machine lacks, e.g. ['a real Redis']; empty when the suite can run. */
export function missingFor(needs: Needs, services: AvailableServices = availableServices()): string[] {
  const declared = (Object.keys(needs) as Array<keyof Needs>).filter((need) => needs[need]);
  return declared.filter((need) => !present(need, services)).map((need) => NAMES[need]);
}

/** The suite's title, with the reason appended when it is skipped. */
export function skippedTitle(name: string, missing: string[], services: AvailableServices = availableServices()): string {
  if (missing.length === 0) return name;
  const why = services.disabledBy ? ` (${services.disabledBy})` : ' (none found on this machine)';
  return `${name} [SKIPPED: needs ${missing.join(' and ')}${why}]`;
}

/**
 * `describe` for a suite that needs real services. When one is missing the suite is skipped and
 * its title says which; its body is then never called, so it may use the granted URLs freely
 * (they are plain strings, present whenever the body runs).
 *
 *   describeWith({ postgres: true, redis: true }, 'several instances', ({ postgresUrl, redisUrl }) => { ... });
 */
export function describeWith<N extends Needs>(needs: N, name: string, body: (granted: Granted<N>) => void): void {
  const services = availableServices();
  const missing = missingFor(needs, services);
  const title = skippedTitle(name, missing, services);
  if (missing.length > 0) {
    // One skipped placeholder keeps the suite visible in the report (an empty suite is an error).
    describe.skip(title, () => {
      it(`needs ${missing.join(' and ')}`, () => {});
    });
    return;
  }
  const granted = { postgresUrl: services.postgresUrl, redisUrl: services.redisUrl } as Granted<N>;
  describe(title, () => body(granted));
}

/**
 * `it` for one case that needs real services inside a suite that mostly does not; skipped with
 * the reason in its title like `describeWith`.
 *
 *   itWith({ postgres: true }, 'refreshes once across two instances', async ({ postgresUrl }) => { ... });
 */
export function itWith<N extends Needs>(needs: N, name: string, test: (granted: Granted<N>) => Promise<void> | void, timeoutMs?: number): void {
  const services = availableServices();
  const missing = missingFor(needs, services);
  const title = skippedTitle(name, missing, services);
  if (missing.length > 0) {
    it.skip(title, () => {});
    return;
  }
  const granted = { postgresUrl: services.postgresUrl, redisUrl: services.redisUrl } as Granted<N>;
  it(title, () => test(granted), timeoutMs);
}
