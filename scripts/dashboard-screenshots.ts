/**
 * Screenshots of the dashboard's main pages for the README (docs/dashboard-*.png), taken in
 * headless Chromium against a real app, the Twitch stand-in and a seeded raffle.
 *
 *   npm run dashboard:screenshots
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { contractOperation, execute } from '../test/support/graphql';
import { seedRaffle, startDashboardScene } from '../test/dashboard/scene';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

const scene = await startDashboardScene();
try {
  await mkdir(DOCS, { recursive: true });
  const raffleId = await seedRaffle(scene, 24);
  const { context, page } = await scene.logIn({ locale: 'en-US' });
  const shot = async (name: string) => {
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${DOCS}dashboard-${name}.png`, fullPage: true });
    console.log(`docs/dashboard-${name}.png`);
  };
  await shot('streamers');

  await page.goto(`${scene.base}/dashboard/streamers/${scene.streamer.id}`);
  await page.locator('[data-testid=connection-state][data-state=connected]').waitFor();
  await page.waitForTimeout(200);
  for (let index = 0; index < 3; index += 1) await execute(scene.api.url, contractOperation('DrawRound'), { raffleId });
  await page.getByTestId('live-winner').nth(2).waitFor();
  await shot('control');

  await page.goto(`${scene.base}/dashboard/streamers/${scene.streamer.id}/history`);
  await page.getByTestId('history-row').first().waitFor();
  await shot('history');

  await page.goto(`${scene.base}/dashboard/streamers/${scene.streamer.id}/stats`);
  await page.locator('[data-testid=odds-chart] svg .recharts-bar-rectangle').first().waitFor();
  await shot('stats');

  await page.goto(`${scene.base}/dashboard/streamers/${scene.streamer.id}/overlay`);
  await shot('overlay-studio');
  await context.close();
} finally {
  await scene.close();
}
