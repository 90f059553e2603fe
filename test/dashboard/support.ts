/** Helpers for the dashboard tests: a built app, and Log in with Twitch played by a real browser. */
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildDashboard } from '../../scripts/build-dashboard.mjs';
import type { FakeTwitch } from '../stand-ins/twitch/fake-twitch.js';
import type { TestApp } from '../support/test-app.js';
import { publicUrlOf } from '../../src/config/config.js';
import type { TwitchPerson } from '../people/support.js';

/** Builds clients/dashboard when a source is newer than the last build (install and start do the same). */
export async function ensureDashboardBuilt(): Promise<void> {
  await buildDashboard({ ifStale: true, quiet: true });
}

/**
 * Opens /dashboard in a fresh page, clicks `login` and lets the Twitch stand-in approve as
 * `person`: back on /dashboard with the session cookie. Browser console errors (a CSP violation
 * among them) are collected in `page.errors`.
 */
/** Where the browser reaches the app: PUBLIC_URL (Twitch sends the browser back there, cookies live there). */
export function browserBase(api: TestApp): string {
  return publicUrlOf(api.config, api.port);
}

export async function logInInBrowser(context: BrowserContext, api: TestApp, twitch: FakeTwitch, person: TwitchPerson): Promise<Page & { errors: string[] }> {
  twitch.addUser({ ...person });
  twitch.setConsent({ userId: person.id });
  context.setDefaultTimeout(8_000);
  const page = Object.assign(await context.newPage(), { errors: [] as string[] });
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) page.errors.push(message.text());
  });
  page.on('pageerror', (error) => page.errors.push(error.message));
  await page.goto(`${browserBase(api)}/dashboard`);
  await page.getByTestId('login').click();
  await page.waitForURL(`${browserBase(api)}/dashboard`);
  await page.getByTestId('logout').waitFor();
  return page;
}

export async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((entry) => entry.name === 'kinoyu_session');
  expect(cookie, 'the session cookie').toBeDefined();
  return `${cookie!.name}=${cookie!.value}`;
}
