import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { QUICKNET, roundTimeMs } from '../../src/fairness/drand-chain';
import type { ProofBundle } from '../../src/fairness/proof-bundle';
import { createHttpApp } from '../../src/http/http-app';
import { verifyPageRoutes } from '../../src/verify/verify-page.routes';
import { drandBundle, sealedBundle } from '../fairness/fixtures';
import { launchBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';

/*
 * The verify page in a real Chromium, against a stand-in for GET /rounds/<id>/proof.json (a test
 * route on the app's own HTTP stack: same helmet CSP, same origin) serving bundles built with
 * src/fairness's builder. The page must reach its verdict by running the verifier itself.
 */

// A real quicknet beacon: its BLS signature verifies against the pinned key, offline.
const REAL = {
  round: 657413,
  signature: 'b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b',
  randomness: 'fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587',
};

const withId = (bundle: ProofBundle, roundId: string): ProofBundle => ({ ...bundle, roundId });

const sealed = withId(sealedBundle(), 'sealed-ok');
const drand = withId(
  drandBundle({ chainHash: QUICKNET.hash, round: REAL.round, beacon: REAL, committedAt: new Date(roundTimeMs(QUICKNET, REAL.round) - 2000).toISOString() }),
  'drand-ok',
);
const tampered = structuredClone(withId(sealed, 'tampered'));
tampered.entrants[1]!.login = 'mallory';
tampered.entrants[1]!.userId = '1002';
const forgedBeacon = structuredClone(withId(drand, 'forged-beacon'));
forgedBeacon.source = { ...drand.source, beacon: { ...REAL, signature: `${REAL.signature.slice(0, -2)}00` } } as ProofBundle['source'];
const running = withId(structuredClone(sealed), 'running');
running.source = { kind: 'sealed', sealHash: (sealed.source as { sealHash: string }).sealHash, serverSeed: null };
const otherRound = withId(sealed, 'someone-else');

const PROOFS: Record<string, unknown> = {
  'sealed-ok': sealed,
  'drand-ok': drand,
  tampered,
  'forged-beacon': forgedBeacon,
  running,
  'asked-for-this': otherRound,
};

describeWith({ chromium: true }, 'the verify page in a real browser', () => {
  let app: Awaited<ReturnType<typeof createHttpApp>>;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    app = await createHttpApp({
      logger: pino({ level: 'silent' }),
      origins: { allowedOrigins: () => [], allows: (origin) => origin === undefined },
      routes: [
        verifyPageRoutes({ bundleAtStart: true }),
        // Stands in for the proof route (FAIRNESS.md): 404 for a round it does not know.
        async (routes) => {
          routes.get<{ Params: { roundId: string } }>('/rounds/:roundId/proof.json', async (request, reply) => {
            const proof = PROOFS[request.params.roundId];
            return proof ? reply.send(proof) : reply.status(404).send({ error: 'round not found' });
          });
        },
      ],
      authRoutes: [],
      authRateLimitPerMinute: 100,
      trustProxy: false,
      cookieSecret: 'verify-page-test-cookie-secret-0123456789',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function open(roundId: string, locale = 'en-US'): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${url}/verify/${roundId}`);
    await page.locator('[data-testid="verify-result"][data-verified]').waitFor({ timeout: 15_000 });
    return { page, errors };
  }

  const result = (page: Page) => page.getByTestId('verify-result');
  const stepStates = (page: Page) =>
    page.getByTestId('verify-step').evaluateAll((items) => items.map((item) => `${(item as HTMLElement).dataset.step}:${(item as HTMLElement).dataset.ok}`));

  it('verifies a sealed round with its revealed seed, every step shown in words', async () => {
    const { page, errors } = await open('sealed-ok');
    expect(await result(page).getAttribute('data-verified')).toBe('true');
    expect(await stepStates(page)).toEqual(['format:true', 'items:true', 'entrants:true', 'commit:true', 'seal:true', 'draw:true']);
    expect(await result(page).textContent()).toContain('VERIFIED (sealed)');
    expect(await page.getByTestId('verify-step').last().textContent()).toContain(`→ ${sealed.winnerUserId}`);
    const limits = await page.getByTestId('verify-limits').textContent();
    expect(limits).toContain('does NOT prove that the server did not choose the entrants or prizes in advance');
    expect(limits).toContain('the seed is not revealed yet, so the draw cannot be checked yet');
    expect(await page.locator('#limits').textContent()).toContain('the draw was not changed afterwards');
    expect(errors).toEqual([]);
    await page.screenshot({ path: '/tmp/kinoyu-verify-page.png', fullPage: true });
    await page.context().close();
  });

  it('checks a drand beacon signature against the pinned quicknet key in the browser', async () => {
    const { page, errors } = await open('drand-ok');
    expect(await result(page).getAttribute('data-verified')).toBe('true');
    expect(await stepStates(page)).toEqual(['format:true', 'items:true', 'entrants:true', 'commit:true', 'chain:true', 'beacon:true', 'timing:true', 'draw:true']);
    expect(await page.locator('[data-step="beacon"]').textContent()).toContain(`Round ${REAL.round} is signed by the chain's key`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('checks the commitment published before the draw when the link carries it (?commit=)', async () => {
    const { page } = await open(`drand-ok?commit=${drand.commitHash}`);
    expect(await result(page).getAttribute('data-verified')).toBe('true');
    expect(await page.locator('[data-step="published"]').getAttribute('data-ok')).toBe('true');
    await page.goto(`${url}/verify/drand-ok?commit=${'0'.repeat(64)}`);
    await page.locator('[data-testid="verify-result"][data-verified]').waitFor();
    expect(await result(page).getAttribute('data-verified')).toBe('false');
    expect(await result(page).getAttribute('data-failed-step')).toBe('published');
    await page.context().close();
  });

  it('refuses a bundle with one entrant changed and names the step that broke', async () => {
    const { page } = await open('tampered');
    expect(await result(page).getAttribute('data-verified')).toBe('false');
    expect(await result(page).getAttribute('data-failed-step')).toBe('entrants');
    expect(await page.getByTestId('verify-broken-step').textContent()).toBe('The step that broke: Entrant list and its hash.');
    expect(await page.locator('[data-step="entrants"]').getAttribute('data-ok')).toBe('false');
    await page.context().close();
  });

  it('refuses a forged beacon signature', async () => {
    const { page } = await open('forged-beacon');
    expect(await result(page).getAttribute('data-verified')).toBe('false');
    expect(await result(page).getAttribute('data-failed-step')).toBe('beacon');
    await page.context().close();
  });

  it('says a running sealed raffle cannot be checked yet', async () => {
    const { page } = await open('running');
    expect(await result(page).getAttribute('data-verified')).toBe('false');
    expect(await result(page).getAttribute('data-state')).toBe('pending');
    expect(await result(page).textContent()).toContain('NOT CHECKABLE YET: this raffle is still running');
    await page.context().close();
  });

  it('refuses the proof of another round than the one asked for', async () => {
    const { page } = await open('asked-for-this');
    expect(await result(page).getAttribute('data-verified')).toBe('false');
    expect(await result(page).getAttribute('data-failed-step')).toBe('round');
    await page.context().close();
  });

  it('says not found for an unknown round (the proof route answers 404)', async () => {
    const { page } = await open('no-such-round');
    expect(await result(page).getAttribute('data-verified')).toBe('false');
    expect(await result(page).getAttribute('data-state')).toBe('not-found');
    expect(await result(page).textContent()).toContain('Round not found');
    expect(await page.getByTestId('verify-step').count()).toBe(0);
    await page.context().close();
  });

  it('speaks the browser language (pt-BR) and switches to English and back', async () => {
    const { page } = await open('tampered', 'pt-BR');
    expect(await page.locator('html').getAttribute('lang')).toBe('pt-BR');
    expect(await page.locator('h1').textContent()).toBe('Verificar uma rodada do sorteio');
    expect(await page.getByTestId('verify-broken-step').textContent()).toBe('O passo que falhou: Lista de participantes e seu hash.');
    await page.getByTestId('lang-en').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Verify a raffle round');
    expect(await page.getByTestId('verify-broken-step').textContent()).toBe('The step that broke: Entrant list and its hash.');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await page.getByTestId('lang-pt-BR').click();
    expect(await page.locator('[data-step="entrants"] strong').textContent()).toBe('Lista de participantes e seu hash');
    // ?lang= wins over the browser's language
    await page.goto(`${url}/verify/sealed-ok?lang=en`);
    await page.locator('[data-testid="verify-result"][data-verified="true"]').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Verify a raffle round');
    await page.context().close();
  });

  it('serves the page with a CSP that allows only its own files, and the script with its integrity', async () => {
    const response = await fetch(`${url}/verify/sealed-ok`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    const html = await response.text();
    expect(html).not.toMatch(/<script>|\son[a-z]+=/i);
    const integrity = /integrity="(sha384-[^"]+)"/.exec(html)?.[1];
    const script = await fetch(`${url}/verify/assets/verify-page.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toBe('no-cache'); // never an old script under a new page's SRI hash
    const { createHash } = await import('node:crypto');
    expect(integrity).toBe(`sha384-${createHash('sha384').update(await script.text()).digest('base64')}`);
    expect((await fetch(`${url}/verify/assets/verify-page.js`, { headers: { 'if-none-match': script.headers.get('etag')! } })).status).toBe(304);
  });
});
