import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { probeServices, type AvailableServices } from './service-probe';

export { CHROMIUM_PATH, redisAnswers, type AvailableServices } from './service-probe';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What global-setup.ts found on this machine (see service-probe.ts). */
    services: AvailableServices;
  }
}

/** The run's probe results, inside a test file (from global-setup.ts). */
export function availableServices(): AvailableServices {
  return inject('services');
}

let probedOutsideVitest: Promise<AvailableServices> | undefined;

/** Inside vitest the run's probe results; elsewhere (the benchmarks) a probe of this process's own. */
function services(): Promise<AvailableServices> {
  if (process.env.VITEST) return Promise.resolve(availableServices());
  probedOutsideVitest ??= probeServices(process.env);
  return probedOutsideVitest;
}

/** The real PostgreSQL server to create scratch databases on, if there is one. */
export async function realPostgresUrl(): Promise<string | undefined> {
  return (await services()).postgresUrl;
}

/** The real Redis server, if there is one. */
export async function realRedisUrl(): Promise<string | undefined> {
  return (await services()).redisUrl;
}

/** A new empty database on the real server; drop it with the returned function. */
export async function createScratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kinoyu_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
