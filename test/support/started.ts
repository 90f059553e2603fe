/**
 * Things a test starts and the file's afterEach stops: API instances (last started, first stopped),
 * drand stand-in relays and databases. Call the hooks at the top level of a test file.
 */
import { afterEach } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database';
import { createFakeDrand, type FakeDrand } from '../stand-ins/drand/fake-drand';
import { embeddedDataDir } from './embedded-database';
import { createScratchDatabase } from './services';
import { startTestApp, type TestApp } from './test-app';

type TestAppOptions = Parameters<typeof startTestApp>[0];
type FakeDrandOptions = Parameters<typeof createFakeDrand>[0];

/** `start(options)` starts an API instance that is stopped after the current test. */
export function useTestApps(): (options?: TestAppOptions) => Promise<TestApp> {
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.stop();
  });
  return async (options = {}) => {
    const app = await startTestApp(options);
    apps.push(app);
    return app;
  };
}

/** `relay(options)` starts a drand stand-in (with `defaults` under the options) closed after the current test. */
export function useFakeDrand(defaults: FakeDrandOptions = {}): (options?: FakeDrandOptions) => Promise<FakeDrand> {
  const relays: FakeDrand[] = [];
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.close()));
  });
  return async (options = {}) => {
    const relay = await createFakeDrand({ ...defaults, ...options });
    relays.push(relay);
    return relay;
  };
}

export interface TestDatabases {
  /** A new embedded PGlite database in its own data directory (not migrated). */
  embedded(): Promise<Database>;
  /** A new scratch database on the PostgreSQL server at `postgresUrl` (not migrated). */
  postgres(postgresUrl: string, options?: { preparedStatements?: number }): Promise<Database>;
  /** Runs `cleanup` after the current test, before what was set up earlier is taken down. */
  defer(cleanup: () => Promise<void>): void;
}

/** Databases (and whatever a test defers) closed and removed after the current test, last first. */
export function useDatabases(): TestDatabases {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async embedded() {
      const { dataDir, remove } = await embeddedDataDir();
      const database = await openDatabase({ database: { url: undefined, dataDir } });
      cleanups.push(remove, () => database.close());
      return database;
    },
    async postgres(postgresUrl, options = {}) {
      const scratch = await createScratchDatabase(postgresUrl);
      const database = await openDatabase({ database: { url: scratch.url, dataDir: '', ...options } });
      cleanups.push(() => scratch.drop(), () => database.close());
      return database;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
