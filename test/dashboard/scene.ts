/**
 * A dashboard with something to show, for the bench and the screenshot script (outside the
 * vitest runner): the Twitch stand-in, an app configured for it, a linked streamer with a chat,
 * prizes and (optionally) a raffle with a few rounds, and a Chromium logged in as the owner.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { publicUrlOf } from '../../src/config/config';
import { buildDashboard } from '../../scripts/build-dashboard.mjs';
import { createFakeTwitch, type FakeTwitch } from '../stand-ins/twitch/fake-twitch.js';
import { launchBrowser } from '../support/browser';
import { contractOperation, execute } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';
import { linkedStreamer, twitchEnv, type LinkedStreamer } from '../twitch/support';

export const SCENE_OWNER = { id: '1001', login: 'kinoyu', displayName: 'KinoYu' };

export interface DashboardScene {
  api: TestApp;
  twitch: FakeTwitch;
  streamer: LinkedStreamer;
  /** PUBLIC_URL: where the browser goes. */
  base: string;
  browser: Browser;
  /** A browser context logged in as the owner. */
  logIn(options?: { locale?: string; viewport?: { width: number; height: number } }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startDashboardScene(options: { chatters?: number; env?: Record<string, string> } = {}): Promise<DashboardScene> {
  await buildDashboard({ ifStale: true, quiet: true });
  const twitch = await createFakeTwitch();
  const api = await startTestApp({ env: { ...twitchEnv(twitch), ...options.env } });
  const streamer = await linkedStreamer(api, twitch, SCENE_OWNER);
  twitch.setChatters(
    SCENE_OWNER.id,
    Array.from({ length: options.chatters ?? 40 }, (_, index) => ({ userId: String(900000 + index), login: `viewer_${index}`, displayName: `Viewer${index}` })),
  );
  const browser = await launchBrowser();
  const base = publicUrlOf(api.config, api.port);
  return {
    api,
    twitch,
    streamer,
    base,
    browser,
    async logIn({ locale = 'en-US', viewport = { width: 1280, height: 900 } } = {}) {
      twitch.setConsent({ userId: SCENE_OWNER.id });
      const context = await browser.newContext({ locale, viewport });
      const page = await context.newPage();
      await page.goto(`${base}/dashboard`);
      await page.getByTestId('login').click();
      await page.getByTestId('logout').waitFor();
      return { context, page };
    },
    async close() {
      await browser.close();
      await api.stop();
      await twitch.close();
    },
  };
}

/** Prizes and a running raffle (one round an hour: rounds come from `drawRound`). */
export async function seedRaffle(scene: DashboardScene, draws = 0): Promise<string> {
  await execute(scene.api.url, contractOperation('AddItems'), {
    streamerId: scene.streamer.id,
    items: [
      { name: 'Golden Skin', weight: 5, stock: 50 },
      { name: 'Silver Skin', weight: 3, stock: 50 },
      { name: 'Sticker', weight: 2, stock: 50 },
    ],
  });
  const { startRaffle } = await execute(scene.api.url, contractOperation('StartRaffle'), {
    input: { streamerId: scene.streamer.id, intervalSeconds: 3600, drawChance: 1 },
  });
  for (let index = 0; index < draws; index += 1) await execute(scene.api.url, contractOperation('DrawRound'), { raffleId: startRaffle.id });
  return startRaffle.id as string;
}
