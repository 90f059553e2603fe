import { expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { useAppWithBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';

describeWith({ chromium: true }, 'the overlay page in a real browser', () => {
  const suite = useAppWithBrowser();

  it('shows each win live (not old ones), and a win drawn while the browser was offline', async () => {
    const streamer = await createStreamer(suite.api.url);
    suite.api.chatters.set(streamer.id, generateViewers(4, 'fan'));
    await addItems(suite.api.url, streamer.id, [{ name: 'Golden Skin', weight: 1, stock: 5 }]);
    const raffle = await startRaffle(suite.api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const { drawRound: before } = await execute(suite.api.url, contractOperation('DrawRound'), { raffleId: raffle.id });

    const page = await suite.browser.newPage({ viewport: { width: 800, height: 450 } });
    const overlayUrl = streamer.overlayUrl.replace(/^http:\/\/localhost:\d+/, suite.api.url);
    await page.goto(overlayUrl);
    await page.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
    await page.waitForTimeout(300);
    expect(await page.locator(`[data-round-id="${before.id}"]`).count()).toBe(0);

    const { drawRound: live } = await execute(suite.api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    const card = page.locator(`[data-round-id="${live.id}"]`);
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.winner').textContent()).toBe(live.winner.displayName);
    expect(await card.locator('.prize').textContent()).toBe('Golden Skin');
    const verifyLink = suite.api.services.verifyLinks.roundUrl(live.id);
    expect(verifyLink).toMatch(new RegExp(`/verify/${live.id}$`));
    expect(await card.locator('a.verify').getAttribute('href')).toBe(verifyLink);
    expect(await card.locator('a.verify').textContent()).toContain(verifyLink.replace(/^https?:\/\//, ''));
    await page.screenshot({ path: '/tmp/kinoyu-overlay.png' });

    // Offline for a moment: the win drawn meanwhile still appears (live or by catch-up on reconnect).
    await page.context().setOffline(true);
    const { drawRound: missed } = await execute(suite.api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    await page.context().setOffline(false);
    await page.locator(`[data-round-id="${missed.id}"]`).waitFor({ timeout: 20_000 });
    await page.close();
  });

  it('answers a wrong or missing key with a readable 4xx page', async () => {
    const streamer = await createStreamer(suite.api.url);
    const wrong = await fetch(`${suite.api.url}/overlay/${streamer.id}?key=wrong`);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toMatch(/not valid any more/);
    expect((await fetch(`${suite.api.url}/overlay/${streamer.id}`)).status).toBe(401);
  });
});
