import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { contractOperation, execute } from '../support/graphql';
import type { TestApp } from '../support/test-app';
import { asBrowser, VIEWER, type TwitchPerson } from '../people/support';
import { linkedStreamer, useFakeTwitch, type LinkedStreamer } from '../twitch/support';
import { schemaFeatures } from '../../clients/dashboard/src/graphql/schema-features';
import { browserBase, ensureDashboardBuilt, logInInBrowser, sessionCookie } from './support';

const OWNER: TwitchPerson = { id: '1001', login: 'kinoyu', displayName: 'KinoYu' };
const EDITOR: TwitchPerson = { id: '2002', login: 'helper_ana', displayName: 'HelperAna' };
const STRANGER: TwitchPerson = { id: '3003', login: 'stranger', displayName: 'Stranger' };
const NEWCOMER: TwitchPerson = { id: '4004', login: 'newcomer', displayName: 'Newcomer' };
const CHATTERS = [
  { userId: '9001', login: 'viewer_one', displayName: 'ViewerOne' },
  { userId: '9002', login: 'viewer_two', displayName: 'ViewerTwo' },
  { userId: '9003', login: 'viewer_three', displayName: 'ViewerThree' },
  { userId: '9004', login: 'viewer_four', displayName: 'ViewerFour' },
];

const RAFFLE_ROUNDS = /* GraphQL */ `
  query($id: ID!) { raffle(id: $id) { id status roundCount rounds(first: 100) { edges { node { id } } } } }
`;

/**
 * The streamer's dashboard in headless Chromium, through the Twitch stand-in: one app, one
 * browser and one stand-in for the file; the cases run in order (the owner's raffle is what the
 * history and the chart show).
 */
describeWith({ chromium: true }, 'the dashboard in a real browser', () => {
  const fixture = useFakeTwitch({ per: 'file' });
  let api: TestApp;
  let browser: Browser;
  let streamer: LinkedStreamer;
  let raffleId: string;
  let base: string;

  beforeAll(async () => {
    await ensureDashboardBuilt();
    api = await fixture.app();
    base = browserBase(api);
    browser = await launchBrowser();
    streamer = await linkedStreamer(api, fixture.twitch, OWNER);
    fixture.twitch.setChatters(OWNER.id, CHATTERS);
    fixture.twitch.addUser({ ...EDITOR });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('the owner logs in, adds prizes (a bad weight shown at its field), starts a raffle, sees wins live, stops it', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await logInInBrowser(context, api, fixture.twitch, OWNER);
    await expect.poll(() => page.getByTestId('streamer-card').count()).toBe(1);
    expect(await page.getByTestId('connect-channel').count()).toBe(0);
    await page.getByTestId('streamer-card').getByRole('link').click();
    await page.waitForURL(`${base}/dashboard/streamers/${streamer.id}`);
    const { streamer: withUrl } = await execute(api.url, `query($id: ID!) { streamer(id: $id) { overlayUrl } }`, { id: streamer.id });
    await expect.poll(() => page.getByTestId('overlay-url').inputValue()).toBe(withUrl.overlayUrl);

    const itemForm = page.getByTestId('item-form');
    await itemForm.locator('input[name=name]').fill('Golden Skin');
    await itemForm.locator('input[name=weight]').fill('0');
    await itemForm.locator('button[type=submit]').click();
    const weightError = itemForm.locator('[data-field-error=weight]');
    await weightError.waitFor();
    expect(await weightError.textContent()).toMatch(/weight/);
    expect(await itemForm.locator('input[name=weight]').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('item-row').count()).toBe(0);

    await itemForm.locator('input[name=weight]').fill('3');
    await itemForm.locator('input[name=stock]').fill('5');
    await itemForm.locator('button[type=submit]').click();
    await page.getByTestId('item-row').first().waitFor();
    await itemForm.locator('input[name=name]').fill('Sticker');
    await itemForm.locator('input[name=weight]').fill('1');
    await itemForm.locator('input[name=stock]').fill('5');
    await itemForm.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('item-row').count()).toBe(2);
    const first = page.getByTestId('item-row').first();
    expect(await first.locator('[data-field]').allTextContents()).toEqual(['Golden Skin', '3', '5', '5']);
    // Edit (a bad stock shown at its field, then a good one) and remove.
    const sticker = page.getByTestId('item-row').nth(1);
    await sticker.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByTestId('item-edit-form');
    await edit.locator('input[name=stock]').fill('0');
    await edit.locator('button[type=submit]').click();
    await edit.locator('[data-field-error=stock]').waitFor();
    await edit.locator('input[name=stock]').fill('6');
    await edit.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('item-row').nth(1).locator('[data-field=stock]').textContent()).toBe('6');
    await itemForm.locator('input[name=name]').fill('Temporary');
    await itemForm.locator('input[name=weight]').fill('1');
    await itemForm.locator('button[type=submit]').click();
    await expect.poll(() => page.getByTestId('item-row').count()).toBe(3);
    await page.getByTestId('item-row').nth(2).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByTestId('item-row').count()).toBe(2);

    const raffleForm = page.getByTestId('raffle-form');
    await raffleForm.locator('input[name=interval]').fill('3600');
    await raffleForm.locator('input[name=chance]').fill('100');
    await raffleForm.locator('button[type=submit]').click();
    await page.getByTestId('raffle-stop').waitFor();
    await page.locator('[data-testid=connection-state][data-state=connected]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('next-round').textContent()).toMatch(/\d+ s/);
    await expect.poll(() => page.getByTestId('eligible-count').textContent(), { timeout: 10_000 }).toBe(String(CHATTERS.length));
    const { streamer: active } = await execute(api.url, `query($id: ID!) { streamer(id: $id) { activeRaffle { id } } }`, { id: streamer.id });
    raffleId = active.activeRaffle.id;

    // A win drawn elsewhere (the bot, the scheduler) shows up within 2 s of its commit.
    const { drawRound: win } = await execute(api.url, contractOperation('DrawRound'), { raffleId });
    const committedAt = Date.now();
    await page.locator(`[data-testid=live-winner][data-round-id="${win.id}"]`).waitFor({ timeout: 2_000 });
    expect(Date.now() - committedAt).toBeLessThan(2_000);
    // Draw now from the dashboard: newest first.
    await page.getByTestId('draw-now').click();
    await expect.poll(() => page.getByTestId('live-winner').count()).toBe(2);
    const newest = await page.getByTestId('live-winner').first().getAttribute('data-round-id');
    expect(newest).not.toBe(win.id);
    // Reroll the newest win from its button: the copy goes back and a linked round shows up live.
    await page.locator(`[data-testid=live-winner][data-round-id="${newest}"] [data-testid=reroll]`).click();
    await expect.poll(() => page.getByTestId('live-winner').count(), { timeout: 10_000 }).toBe(3);
    const rerolled = await execute(api.url, `query($id: ID!) { round(id: $id) { rerolledBy { id } } }`, { id: newest });
    expect(rerolled.round.rerolledBy?.id).toBe(await page.getByTestId('live-winner').first().getAttribute('data-round-id'));
    // A second reroll of the same round is refused, and the page says why at that win.
    await page.locator(`[data-testid=live-winner][data-round-id="${newest}"] [data-testid=reroll]`).click();
    await page.locator(`[data-testid=live-winner][data-round-id="${newest}"] [data-testid=reroll-error]`).waitFor();
    expect(await page.getByTestId('live-winner').count()).toBe(3);

    // Offline: the badge says so; the win drawn meanwhile comes with the resumed subscription (afterRoundId).
    await context.setOffline(true);
    await page.locator('[data-testid=connection-state][data-state=reconnecting]').waitFor();
    const { drawRound: missed } = await execute(api.url, contractOperation('DrawRound'), { raffleId });
    await context.setOffline(false);
    await page.locator(`[data-testid=live-winner][data-round-id="${missed.id}"]`).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=connection-state][data-state=connected]').waitFor();
    expect(await page.getByTestId('live-winner').count()).toBe(4);
    expect(await page.getByTestId('live-winner').first().getAttribute('data-round-id')).toBe(missed.id);

    await page.getByTestId('raffle-stop').click();
    await page.getByTestId('raffle-form').waitFor();
    const stopped = await execute(api.url, RAFFLE_ROUNDS, { id: raffleId });
    expect(stopped.raffle.status).toBe('STOPPED');
    // Chromium logs the socket it could not open while offline; nothing else may be logged.
    expect(page.errors.filter((error) => !/ERR_INTERNET_DISCONNECTED/.test(error))).toEqual([]);
    await context.close();
  });

  it('history rows equal the rounds (each linking to its verify page), CSV link, and the odds chart is drawn', async () => {
    const context = await browser.newContext({ locale: 'pt-BR' });
    const page = await logInInBrowser(context, api, fixture.twitch, OWNER);
    await page.goto(`${base}/dashboard/streamers/${streamer.id}/history`);
    const { raffle } = await execute(api.url, RAFFLE_ROUNDS, { id: raffleId });
    expect(raffle.roundCount).toBeGreaterThanOrEqual(2);
    const roundIds = raffle.rounds.edges.map((edge: { node: { id: string } }) => edge.node.id);
    expect(roundIds.length).toBe(raffle.roundCount);
    await expect.poll(() => page.getByTestId('history-row').count()).toBe(roundIds.length);
    const rows = await page.getByTestId('history-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-round-id')));
    expect(rows).toEqual(roundIds);
    expect(await page.getByTestId('history-row').first().locator('a').getAttribute('href')).toBe(`/verify/${roundIds[0]}`);
    expect(await page.getByTestId('export-csv').getAttribute('href')).toBe(`/raffles/${raffleId}/rounds.csv`);
    // pt-BR from the browser's language, switchable.
    expect(await page.getByTestId('export-csv').textContent()).toBe('Exportar CSV');
    await page.locator('select[name=language]').selectOption('en');
    expect(await page.getByTestId('export-csv').textContent()).toBe('Export CSV');

    await page.goto(`${base}/dashboard/streamers/${streamer.id}/stats`);
    const chart = page.getByTestId('odds-chart');
    await chart.locator('svg .recharts-bar-rectangle').first().waitFor({ timeout: 10_000 });
    expect(await chart.getAttribute('data-items')).toBe('2');
    expect(await chart.locator('svg .recharts-bar-rectangle').count()).toBeGreaterThan(0);
    expect(await chart.locator('svg .recharts-errorBar').count()).toBeGreaterThan(0);

    // The overlay studio: usable once the schema has overlay settings, says so until then.
    await page.goto(`${base}/dashboard/streamers/${streamer.id}/overlay`);
    await page.getByTestId('overlay-settings-form').waitFor();
    expect(await page.getByTestId('overlay-studio-pending').count()).toBe(schemaFeatures.overlaySettings ? 0 : 1);
    expect(await page.getByTestId('overlay-test-win').count()).toBe(schemaFeatures.sendOverlayTestWin ? 1 : 0);
    expect(page.errors).toEqual([]);
    await context.close();
  });

  it('the CSV export (downloaded by the link) has one row per round: the rounds the history shows', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await logInInBrowser(context, api, fixture.twitch, OWNER);
      await page.goto(`${base}/dashboard/streamers/${streamer.id}/history`);
      await page.getByTestId('history-row').first().waitFor();
      const shown = await page.getByTestId('history-row').evaluateAll((elements) => elements.map((element) => element.getAttribute('data-round-id')));
      // The link downloads (attachment) with the session cookie.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
      const lines = (await readFile((await download.path())!, 'utf8')).trim().split(/\r?\n/);
      const { raffle } = await execute(api.url, RAFFLE_ROUNDS, { id: raffleId });
      expect(lines.length - 1).toBe(raffle.roundCount);
      const ids = (parse(lines.join('\n'), { columns: true }) as Array<Record<string, string>>).map((row) => row.roundId);
      expect(new Set(ids)).toEqual(new Set(shown));
      expect(page.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the outcome filter shows only that outcome', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await logInInBrowser(context, api, fixture.twitch, OWNER);
      await page.goto(`${base}/dashboard/streamers/${streamer.id}/history`);
      const all = page.getByTestId('history-row');
      await all.first().waitFor();
      const outcomes = await all.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-outcome')));
      await page.getByTestId('history-outcome').selectOption('SKIPPED');
      await expect.poll(() => all.count()).toBe(outcomes.filter((outcome) => outcome === 'SKIPPED').length);
      await page.getByTestId('history-outcome').selectOption('WINNER');
      await expect.poll(() => all.count()).toBe(outcomes.filter((outcome) => outcome === 'WINNER').length);
      expect(new Set(await all.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-outcome'))))).toEqual(new Set(['WINNER']));
    } finally {
      await context.close();
    }
  });

  it('a newcomer connects their channel from the dashboard (through the Twitch stand-in) and then steers it', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await logInInBrowser(context, api, fixture.twitch, NEWCOMER);
      const connect = page.getByTestId('connect-channel');
      expect(await connect.getAttribute('href')).toBe('/auth/twitch/connect');
      fixture.twitch.setConsent({ userId: NEWCOMER.id });
      await connect.click();
      await page.waitForURL(`${base}/dashboard`, { timeout: 15_000 });
      await expect.poll(() => page.getByTestId('streamer-card').count(), { timeout: 10_000 }).toBe(1);
      expect(await page.getByTestId('connect-channel').count()).toBe(0);
      // A Twitch-only streamer: theirs (OWNER), no Discord server.
      const cookie = await sessionCookie(context);
      const { data } = await asBrowser(api, cookie, `{ viewer { streamers { role streamer { id login guildId } } } }`);
      expect(data.viewer.streamers).toHaveLength(1);
      expect(data.viewer.streamers[0]).toMatchObject({ role: 'OWNER', streamer: { login: NEWCOMER.login } });
      await page.getByTestId('streamer-card').getByRole('link').click();
      await page.getByTestId('discord-status').waitFor();
      await page.getByTestId('raffle-form').waitFor();
      expect(page.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the overlay studio: a bad colour shown at its field; a change applies on the open overlay page; a test win shows there only', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const overlayContext = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    try {
      const page = await logInInBrowser(context, api, fixture.twitch, OWNER);
      await page.goto(`${base}/dashboard/streamers/${streamer.id}/overlay`);
      const form = page.getByTestId('overlay-settings-form');
      await form.locator('select[name=font] option').first().waitFor({ state: 'attached' });
      const { overlayFonts, streamer: own } = await execute(api.url, `query($id: ID!) { overlayFonts streamer(id: $id) { overlayUrl } }`, { id: streamer.id });
      expect(await form.locator('select[name=font] option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))).toEqual(overlayFonts);
      expect(await page.getByTestId('overlay-url').inputValue()).toBe(own.overlayUrl);

      // The overlay page as OBS would open it: another page of the same browser.
      const overlay = await overlayContext.newPage();
      await overlay.goto(own.overlayUrl);
      await overlay.waitForSelector('body[data-state="connected"]', { timeout: 15_000 });
      await overlay.waitForTimeout(300); // graphql-ws does not acknowledge subscriptions
      await api.services.events.whenLive();

      await form.locator('input[name=textColor]').fill('red');
      await page.getByTestId('overlay-save').click();
      await form.locator('[data-field-error=textColor]').waitFor();
      expect(await form.locator('input[name=textColor]').getAttribute('aria-invalid')).toBe('true');

      await form.locator('input[name=textColor]').fill('#00ff00');
      await form.locator('select[name=position]').selectOption('TOP_LEFT');
      await form.locator('select[name=font]').selectOption('serif');
      await page.getByTestId('overlay-save').click();
      await expect.poll(() => page.getByTestId('overlay-save').textContent()).toBe('Saved');
      expect(await form.locator('[data-field-error]').count()).toBe(0);
      await overlay.waitForFunction(
        () => document.body.dataset.position === 'TOP_LEFT' && getComputedStyle(document.documentElement).getPropertyValue('--text').trim() === '#00ff00',
        undefined,
        { timeout: 5_000 },
      );

      const ROUNDS_SINCE = `query($id: ID!) { roundsSince(streamerId: $id, first: 500) { id } }`;
      const before = (await execute(api.url, ROUNDS_SINCE, { id: streamer.id })).roundsSince.length;
      await page.getByTestId('overlay-test-win').click();
      await page.getByTestId('overlay-test-sent').waitFor();
      const card = overlay.locator('[data-testid="overlay-card"][data-test="true"]');
      await card.waitFor({ timeout: 10_000 });
      expect(await card.getAttribute('data-round-id')).toBeNull();
      const style = await card.evaluate((element) => ({ color: getComputedStyle(element).color, font: getComputedStyle(element).fontFamily }));
      expect(style.color).toBe('rgb(0, 255, 0)');
      expect(style.font).toMatch(/Georgia/);
      // Nothing stored: no round.
      expect((await execute(api.url, ROUNDS_SINCE, { id: streamer.id })).roundsSince.length).toBe(before);

      // Stored: a fresh load of the studio shows the saved settings.
      await page.reload();
      await expect.poll(() => form.locator('select[name=font]').inputValue()).toBe('serif');
      expect(await form.locator('select[name=position]').inputValue()).toBe('TOP_LEFT');
      expect(page.errors).toEqual([]);
    } finally {
      await overlayContext.close();
      await context.close();
    }
  });

  it('the owner adds an editor; the editor steers (starts and stops a raffle) but cannot manage editors', async () => {
    const ownerContext = await browser.newContext({ locale: 'en-US' });
    const owner = await logInInBrowser(ownerContext, api, fixture.twitch, OWNER);
    await owner.goto(`${base}/dashboard/streamers/${streamer.id}`);
    const editorForm = owner.getByTestId('editor-form');
    await editorForm.locator('input[name=login]').fill('nobody_here');
    await editorForm.locator('button[type=submit]').click();
    await editorForm.locator('[data-field-error=login]').waitFor();
    await editorForm.locator('input[name=login]').fill(EDITOR.login);
    await editorForm.locator('button[type=submit]').click();
    await owner.getByTestId('editor-row').waitFor();
    expect(await owner.getByTestId('editor-row').textContent()).toContain(EDITOR.login);
    await ownerContext.close();

    const context = await browser.newContext({ locale: 'en-US' });
    const page = await logInInBrowser(context, api, fixture.twitch, EDITOR);
    await expect.poll(() => page.getByTestId('streamer-card').count()).toBe(1);
    await page.getByTestId('streamer-card').getByRole('link').click();
    await page.getByTestId('raffle-form').locator('input[name=interval]').fill('3600');
    await page.getByTestId('raffle-form').locator('button[type=submit]').click();
    await page.getByTestId('raffle-stop').waitFor();
    await page.getByTestId('raffle-stop').click();
    await page.getByTestId('raffle-form').waitFor();
    expect(await page.getByTestId('editor-form').count()).toBe(0);
    await context.close();
  });

  it('a stranger sees no streamer (and is offered to connect a channel); logout ends the session', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await logInInBrowser(context, api, fixture.twitch, STRANGER);
    await page.getByTestId('connect-channel').waitFor();
    expect(await page.getByTestId('connect-channel').getAttribute('href')).toBe('/auth/twitch/connect');
    expect(await page.getByTestId('streamer-card').count()).toBe(0);
    await page.goto(`${base}/dashboard/streamers/${streamer.id}`);
    await page.getByTestId('logout').waitFor();
    expect(await page.getByTestId('raffle-form').count()).toBe(0);

    const cookie = await sessionCookie(context);
    expect((await asBrowser(api, cookie, VIEWER)).errors).toBeUndefined();
    await page.getByTestId('logout').click();
    await page.getByTestId('login').waitFor();
    const after = await asBrowser(api, cookie, VIEWER);
    expect(after.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(page.errors.filter((error) => /Content Security Policy/i.test(error))).toEqual([]);
    await context.close();
  });
});
