import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH } from './service-probe';

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
