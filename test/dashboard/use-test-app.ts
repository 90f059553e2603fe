import { afterAll, beforeAll } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/** One plain test app for the file. */
export function useTestApp(): { readonly api: TestApp } {
  const suite = {} as { api: TestApp };
  beforeAll(async () => {
    suite.api = await startTestApp();
  });
  afterAll(async () => {
    await suite.api?.stop();
  });
  return suite;
}
