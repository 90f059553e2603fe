import { expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { useAppWithBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';

const UPDATE = /* GraphQL */ `
  mutation($id: ID!, $settings: OverlaySettingsInput!) {
    updateOverlaySettings(streamerId: $id, settings: $settings) { __typename ... on Error { message } }
  }
`;

describeWith({ chromium: true }, 'the overlay page applies the overlay studio (real browser, 1920×1080)', () => {
  const suite = useAppWithBrowser();

  const open = async (overlayUrl: string) => {
    const page = await suite.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(overlayUrl.replace(/^http:\/\/localhost:\d+/, suite.api.url));
    await page.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
    // graphql-ws does not acknowledge subscriptions: let both reach the bus.
    await page.waitForTimeout(300);
    await suite.api.services.events.whenLive();
    return page;
  };

  it('settings applied (computed style), a test win shows a test card after the reel, nothing stored; settings change live', async () => {
    const streamer = await createStreamer(suite.api.url);
    await addItems(suite.api.url, streamer.id, [{ name: 'Mystery Box', weight: 1, stock: 2 }]);
    const { updateOverlaySettings } = await execute(suite.api.url, UPDATE, {
      id: streamer.id,
      settings: { position: 'TOP_LEFT', scale: 1.5, font: 'serif', textColor: '#112233', accentColor: '#ff0000', backgroundColor: '#00000080', language: 'en' },
    });
    expect(updateOverlaySettings.__typename).toBe('Streamer');
    const page = await open(streamer.overlayUrl);
    try {
      expect(await page.evaluate(() => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).backgroundColor])).toEqual([
        'rgba(0, 0, 0, 0)',
        'rgba(0, 0, 0, 0)',
      ]);

      const sent = await execute(suite.api.url, `mutation($id: ID!) { sendOverlayTestWin(streamerId: $id) { __typename } }`, { id: streamer.id });
      expect(sent.sendOverlayTestWin.__typename).toBe('OverlayTestWinSent');
      const reel = page.locator('[data-testid="overlay-reel"]');
      await reel.waitFor({ timeout: 5_000 });
      expect(await reel.locator('li').last().textContent()).toBe('KinoYu Test');
      const card = page.locator('[data-testid="overlay-card"][data-test="true"]');
      await card.waitFor({ timeout: 10_000 });
      expect(await reel.count()).toBe(0);
      expect(await card.getAttribute('data-round-id')).toBeNull();
      expect(await card.locator('.label').textContent()).toBe('Overlay test');
      expect(await card.locator('.prize').textContent()).toBe('Mystery Box');
      const style = await card.evaluate((element) => {
        const computed = getComputedStyle(element);
        return { color: computed.color, background: computed.backgroundColor, border: computed.borderTopColor, zoom: computed.zoom, font: computed.fontFamily };
      });
      expect(style).toMatchObject({ color: 'rgb(17, 34, 51)', background: 'rgba(0, 0, 0, 0.5)', border: 'rgb(255, 0, 0)', zoom: '1.5' });
      expect(style.font).toMatch(/Georgia/);
      // TOP_LEFT inside the title-safe margin (5 % of 1920×1080), wholly on the canvas, once the
      // pop-in (which overshoots its size for a moment) has ended.
      await card.evaluate((element) => Promise.all(element.getAnimations().map((animation) => animation.finished)));
      const box = (await card.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(96 - 1);
      expect(box.x).toBeLessThan(200);
      expect(box.y).toBeLessThan(300);
      expect(box.x + box.width).toBeLessThanOrEqual(1920 - 96 + 1);
      expect(box.y + box.height).toBeLessThanOrEqual(1080 - 54 + 1);
      await page.screenshot({ path: '/tmp/kinoyu-overlay-test-win.png' });

      // Not stored, not announced: no round, no raffle, no outbox row.
      const { db } = suite.api.services;
      expect(await db.round.count({ where: { raffle: { streamerId: streamer.id } } })).toBe(0);
      expect(await db.raffle.count({ where: { streamerId: streamer.id } })).toBe(0);
      expect(await db.outboxMessage.count()).toBe(0);

      // A change from the studio applies at once.
      await execute(suite.api.url, UPDATE, { id: streamer.id, settings: { textColor: '#00ff00', position: 'BOTTOM_RIGHT', language: 'pt-BR' } });
      await page.waitForFunction(() => {
        const element = document.querySelector('[data-testid="overlay-card"]');
        return element && getComputedStyle(element).color === 'rgb(0, 255, 0)' && document.body.dataset.position === 'BOTTOM_RIGHT';
      }, undefined, { timeout: 5_000 });
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('pt-BR');
    } finally {
      await page.close();
    }
  });

  it('a real win: the reel of chat names lands on the winner, then the card with its round id; start banner and countdown', async () => {
    const streamer = await createStreamer(suite.api.url);
    suite.api.chatters.set(streamer.id, generateViewers(12, 'fan'));
    await addItems(suite.api.url, streamer.id, [{ name: 'Golden Skin', weight: 1, stock: 5 }]);
    const page = await open(streamer.overlayUrl);
    try {
      expect(await page.locator('[data-testid="next-round"]').isVisible()).toBe(false);
      const raffle = await startRaffle(suite.api.url, { streamerId: streamer.id, intervalSeconds: 600 });
      const banner = page.locator('[data-testid="overlay-banner"][data-kind="STARTED"]');
      await banner.waitFor({ timeout: 5_000 });
      const countdown = page.locator('[data-testid="next-round"]');
      await countdown.waitFor({ timeout: 5_000 });
      expect(Number(await countdown.getAttribute('data-seconds'))).toBeGreaterThan(500);
      expect(await countdown.textContent()).toMatch(/\d+:\d\d/);

      const { drawRound: round } = await execute(suite.api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      const reel = page.locator('[data-testid="overlay-reel"]');
      await reel.waitFor({ timeout: 5_000 });
      const names = await reel.locator('li').allTextContents();
      expect(names.at(-1)).toBe(round.winner.displayName);
      expect(names.length).toBeGreaterThan(5);
      for (const name of names.slice(0, -1)) expect(name).toMatch(/^fan/i);
      const card = page.locator(`[data-testid="overlay-card"][data-round-id="${round.id}"]`);
      await card.waitFor({ timeout: 10_000 });
      expect(await card.getAttribute('data-test')).toBeNull();
      expect(await card.locator('.winner').textContent()).toBe(round.winner.displayName);
      expect(await card.locator('.prize').textContent()).toBe('Golden Skin');

      await execute(suite.api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
      await page.locator('[data-testid="overlay-banner"][data-kind="ENDED"]').waitFor({ timeout: 5_000 });
      await page.waitForFunction(() => (document.querySelector('[data-testid="next-round"]') as HTMLElement).hidden, undefined, { timeout: 5_000 });
    } finally {
      await page.close();
    }
  });
});
