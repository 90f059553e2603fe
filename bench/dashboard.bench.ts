/**
 * The dashboard: (1) the JavaScript a first visit loads (the entry script and its modulepreloads
 * from the built index.html, gzipped at level 9; lazy chunks such as the chart are not initial),
 * (2) in headless Chromium, from navigation to the streamer page until the first winner is in
 * the live feed: the page loads, logs nothing in, opens the socket, and a round is drawn as soon
 * as the page is live. Floors from the same run: navigation until the socket is live (what the
 * page needs before any win can show), and the win's own trip (drawRound sent → rendered: draw, commit, pub/sub, socket, React).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_DIST } from '../src/dashboard/dashboard.routes';
import { contractOperation, execute } from '../test/support/graphql';
import { seedRaffle, startDashboardScene } from '../test/dashboard/scene';
import type { BenchContext } from './lib/context';
import { percentile, sortedCopy } from './lib/stats';
import { CHROMIUM_PATH } from '../test/support/service-probe';
import { buildDashboard } from '../scripts/build-dashboard.mjs';

export interface DashboardResult {
  initialJsGzipBytes: number;
  initialJsFiles: string[];
  initialCssGzipBytes: number;
  lazyJsGzipBytes: number;
  trials: number;
  navigationToWinnerMs: { p50: number; max: number };
  navigationToLiveMs: { p50: number; max: number };
  drawToRenderedMs: { p50: number; max: number };
  problems: string[];
}

export async function initialAssetSizes(distDir = DASHBOARD_DIST) {
  const html = await readFile(path.join(distDir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="\/dashboard\/([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/dashboard\/([^"]+)"/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/dashboard\/([^"]+)"/g)].map((m) => m[1]!);
  const gz = async (file: string) => gzipSync(await readFile(path.join(distDir, file)), { level: 9 }).length;
  let initialJs = 0;
  for (const file of scripts) initialJs += await gz(file);
  let css = 0;
  for (const file of styles) css += await gz(file);
  let allJs = 0;
  for (const file of await readdir(path.join(distDir, 'assets'))) if (file.endsWith('.js')) allJs += await gz(`assets/${file}`);
  return { initialJs, scripts, css, lazyJs: allJs - initialJs };
}

export async function runDashboard(context: BenchContext, plan: { trials: number }): Promise<DashboardResult> {
  await buildDashboard({ ifStale: true, quiet: true });
  const sizes = await initialAssetSizes();
  context.log(`dashboard: initial JS ${(sizes.initialJs / 1024).toFixed(1)} KB gzipped (${sizes.scripts.join(', ')})`);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`dashboard: ${CHROMIUM_PATH} is missing (apt-get install chromium); initial JS was ${(sizes.initialJs / 1024).toFixed(1)} KB gzipped`);
  const scene = await startDashboardScene();
  const problems: string[] = [];
  try {
    const raffleId = await seedRaffle(scene);
    const { context: browserContext, page } = await scene.logIn();
    const toWinner: number[] = [];
    const toLive: number[] = [];
    const drawToRendered: number[] = [];
    for (let trial = 0; trial < plan.trials; trial += 1) {
      await page.goto('about:blank');
      await page.goto(`${scene.base}/dashboard/streamers/${scene.streamer.id}`);
      await page.locator('[data-testid=connection-state][data-state=connected]').waitFor({ timeout: 20_000 });
      const liveAt = await page.evaluate<number>('performance.now()');
      // Give the subscription its moment on the server (it is sent right after connection_ack);
      // these 100 ms are inside the navigation → winner figure.
      await page.waitForTimeout(100);
      // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
      const armed = page.evaluate<number>(`new Promise((resolve) => {
        const seen = () => document.querySelector('[data-testid=live-winner]');
        if (seen()) return resolve(performance.now());
        new MutationObserver((records, observer) => {
          if (seen()) { observer.disconnect(); resolve(performance.now()); }
        }).observe(document.body, { childList: true, subtree: true });
      })`);
      const requestedAt = await page.evaluate<number>('performance.now()');
      const { drawRound } = await execute(scene.api.url, contractOperation('DrawRound'), { raffleId });
      const renderedAt = await armed;
      if (drawRound.__typename !== 'Round') problems.push(`dashboard: drawRound answered ${drawRound.__typename}`);
      toWinner.push(renderedAt);
      toLive.push(liveAt);
      drawToRendered.push(renderedAt - requestedAt);
    }
    await browserContext.close();
    if (sizes.initialJs > 250 * 1024) problems.push(`dashboard: initial JS ${(sizes.initialJs / 1024).toFixed(1)} KB gzipped is over 250 KB`);
    const summary = (values: number[]) => ({ p50: percentile(sortedCopy(values), 50), max: Math.max(...values) });
    return {
      initialJsGzipBytes: sizes.initialJs,
      initialJsFiles: sizes.scripts,
      initialCssGzipBytes: sizes.css,
      lazyJsGzipBytes: sizes.lazyJs,
      trials: plan.trials,
      navigationToWinnerMs: summary(toWinner),
      navigationToLiveMs: summary(toLive),
      drawToRenderedMs: summary(drawToRendered),
      problems,
    };
  } finally {
    await scene.close();
  }
}
