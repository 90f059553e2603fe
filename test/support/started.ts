/**
 * Things a test starts and the file's afterEach stops: API instances (last started, first stopped)
 * and drand stand-in relays. Call the hooks at the top level of a test file.
 */
import { afterEach } from 'vitest';
import { createFakeDrand, type FakeDrand } from '../stand-ins/drand/fake-drand';
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
