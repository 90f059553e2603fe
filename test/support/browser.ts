import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_PATH } from './service-probe';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app';

/** Debian's Chromium, headless, with the flags this closed network needs (a fresh profile each launch). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * For a describe block: one app (startTestApp) and one headless Chromium for its tests, both
 * closed after them. Read `suite.api` / `suite.browser` inside the tests.
 */
export function useAppWithBrowser(options?: TestAppOptions): { readonly api: TestApp; readonly browser: Browser } {
  const suite = {} as { api: TestApp; browser: Browser };
  beforeAll(async () => {
    suite.api = await startTestApp(options);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.api?.stop();
  });
  return suite;
}
