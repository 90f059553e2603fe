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
  await page.getByTestId('overlay-preview').waitFor();
  await page.locator('select[name=font]').selectOption('rounded');
  await page.locator('input[name=backgroundColor]').fill('#14121fcc');
  await page.getByTestId('overlay-save').click();
  await page.getByTestId('overlay-save').filter({ hasText: 'Saved' }).waitFor();
  await shot('overlay-studio');

  // The overlay page (OBS's browser source) showing the studio's test win, over a dark scene.
  const overlay = await context.newPage();
  await overlay.setViewportSize({ width: 1920, height: 1080 });
  const { streamer } = await execute(scene.api.url, `query($id: ID!) { streamer(id: $id) { overlayUrl } }`, { id: scene.streamer.id });
  await overlay.goto(streamer.overlayUrl);
  await overlay.waitForSelector('body[data-state="connected"]');
  await overlay.waitForTimeout(300);
  await scene.api.services.events.whenLive();
  await overlay.evaluate(() => document.documentElement.style.setProperty('background', '#2b2d3a'));
  await page.getByTestId('overlay-test-win').click();
  const card = overlay.locator('[data-testid="overlay-card"][data-test="true"]');
  await card.waitFor({ timeout: 10_000 });
  await card.evaluate((element) => Promise.all(element.getAnimations().map((animation) => animation.finished)));
  await overlay.screenshot({ path: `${DOCS}overlay-test-win.png` });
  console.log('docs/overlay-test-win.png');
  await context.close();
} finally {
  await scene.close();
}
