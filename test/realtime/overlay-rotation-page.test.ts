import { expect, it } from 'vitest';
import { useAppWithBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { createStreamer } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { sleep } from './realtime-support';

describeWith({ chromium: true }, 'the overlay page when its key is rotated (real browser)', () => {
  const suite = useAppWithBrowser();

  it('stops on the 4403 close and says the link is no longer valid, without reconnecting', async () => {
    const streamer = await createStreamer(suite.api.url);
    const page = await suite.browser.newPage({ viewport: { width: 800, height: 450 } });
    let sockets = 0;
    page.on('websocket', () => (sockets += 1));
    try {
      await page.goto(streamer.overlayUrl.replace(/^http:\/\/localhost:\d+/, suite.api.url));
      await page.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
      expect(sockets).toBe(1);

      await execute(suite.api.url, contractOperation('RotateOverlayKey'), { streamerId: streamer.id });
      await page.waitForSelector('body[data-state="revoked"]', { timeout: 5_000 });
      expect(await page.locator('#status').isVisible()).toBe(true);
      expect(await page.locator('#status').textContent()).toMatch(/não é mais válido|no longer valid/);
      // graphql-ws would retry a 4403 with backoff (1 s, 2 s, ...): none within 4 s.
      await sleep(4_000);
      expect(sockets).toBe(1);
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('revoked');
    } finally {
      await page.close();
    }
  });
});
