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

  it('a win with a claim window says how to claim with a countdown, then shows the expiry and the redraw', async () => {
    const streamer = await createStreamer(suite.api.url);
    suite.api.chatters.set(streamer.id, generateViewers(3, 'fan'));
    await addItems(suite.api.url, streamer.id, [{ name: 'Golden Skin', weight: 1, stock: 1 }]);
    const { startRaffle: raffle } = await execute(suite.api.url, contractOperation('StartRaffle'), {
      input: { streamerId: streamer.id, intervalSeconds: 3600, claimSeconds: 4 },
    });
    expect(raffle.__typename).toBe('Raffle');

    const page = await suite.browser.newPage({ viewport: { width: 800, height: 450 } });
    await page.goto(streamer.overlayUrl.replace(/^http:\/\/localhost:\d+/, suite.api.url));
    await page.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
    const { drawRound: win } = await execute(suite.api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    const claim = page.locator(`[data-round-id="${win.id}"] .claim`);
    await claim.waitFor({ timeout: 10_000 });
    // The streamer's locale (pt-BR) speaks: the pt-BR command, and the time left.
    expect(await claim.getAttribute('data-status')).toBe('PENDING');
    expect(await claim.textContent()).toMatch(/^digite !resgatar no chat · 0:0[0-4]$/);
    // Nobody claims: the claim (4 s) expires while the card is up, the card says so, and the
    // redraw (a new win, rerollOf) follows.
    await page.waitForSelector(`[data-round-id="${win.id}"] .claim[data-status="EXPIRED"]`, { timeout: 15_000 });
    expect(await claim.textContent()).toBe('não resgatado: sorteando de novo');
    const redraw = page.locator(`[data-testid="overlay-card"]:not([data-round-id="${win.id}"])`);
    await redraw.waitFor({ timeout: 20_000 });
    // Its own claim line (already EXPIRED too when its 4 s ran out during the first card's outcome and the reel).
    expect(await redraw.locator('.claim').getAttribute('data-status')).toMatch(/^(PENDING|EXPIRED)$/);
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
