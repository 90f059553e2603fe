import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '../../src/http/http-app';
import { createStreamer } from '../support/factories';
import { request } from '../support/graphql';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const DASHBOARD_ORIGIN = 'https://dashboard.example';
const INTROSPECTION = '{ __schema { queryType { name } } }';
const PHISHING = 'Your account is suspended: call +1 555 0100 now';

/** The directives of a Content-Security-Policy header, each with its sources. */
function csp(response: Response): Map<string, string[]> {
  const header = response.headers.get('content-security-policy');
  expect(header, `no CSP on ${response.url}`).toBeTruthy();
  return new Map(
    header!.split(';').map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

function overlayKeyOf(overlayUrl: string): string {
  return new URL(overlayUrl).searchParams.get('key')!;
}

/** Opens a raw WebSocket upgrade to /graphql; resolves with the HTTP status of a refusal, or 101. */
function upgradeStatus(baseUrl: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', (error) => reject(error));
  });
}

/** One operation over graphql-ws; resolves with its first result. */
async function overWebSocket(baseUrl: string, query: string, connectionParams: Record<string, unknown>) {
  const client = createClient({ url: `${baseUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0 });
  try {
    const iterator = client.iterate({ query });
    const first = await iterator.next();
    await iterator.return?.();
    return first.value as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  } finally {
    await client.dispose();
  }
}

describe('pages, headers and origins (development)', () => {
  let api: TestApp;
  let streamer: Awaited<ReturnType<typeof createStreamer>>;
  beforeAll(async () => {
    api = await startTestApp({ env: { ALLOWED_ORIGINS: `${DASHBOARD_ORIGIN}, https://second.example` } });
    streamer = await createStreamer(api.url);
  });
  afterAll(() => api?.stop());

  it('every HTML page has a Content-Security-Policy with frame-ancestors none, and may not be framed', async () => {
    const key = overlayKeyOf(streamer.overlayUrl);
    const pages = await Promise.all([
      fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } }),
      fetch(`${api.url}/overlay/${streamer.id}?key=${key}`),
      fetch(`${api.url}/overlay/${streamer.id}`),
      fetch(`${api.url}/overlay/${streamer.id}?key=wrong`),
      fetch(`${api.url}/auth/twitch/callback?error=access_denied`),
      fetch(`${api.url}/auth/twitch/callback?code=x&state=y`),
      fetch(`${api.url}/verify/1`),
    ]);
    expect(pages.map((page) => page.status)).toEqual([200, 200, 401, 403, 400, 400, 200]);
    for (const page of pages) {
      expect(page.headers.get('content-type'), page.url).toMatch(/^text\/html/);
      const policy = csp(page);
      expect(policy.get('frame-ancestors'), page.url).toEqual(["'none'"]);
      expect(policy.get('default-src'), page.url).toEqual(["'none'"]);
      expect(page.headers.get('x-frame-options'), page.url).toBe('DENY');
      expect(page.headers.get('x-content-type-options'), page.url).toBe('nosniff');
    }
    // A JSON answer (here a 404) allows nothing at all.
    const missing = await fetch(`${api.url}/nothing-here`);
    expect(missing.status).toBe(404);
    expect(csp(missing).get('default-src')).toEqual(["'none'"]);
  });

  it("the overlay page's policy allows its own scripts and styles and GraphQL on its own origin, nothing else", async () => {
    const page = await fetch(`${api.url}/overlay/${streamer.id}?key=${overlayKeyOf(streamer.overlayUrl)}`);
    const host = new URL(api.url).host;
    expect(Object.fromEntries(csp(page))).toEqual({
      'default-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'", `ws://${host}`, `wss://${host}`],
    });
  });

  it("the verify page's policy allows its own script and stylesheet and fetch() to its own origin, nothing else", async () => {
    const page = await fetch(`${api.url}/verify/1`);
    expect(Object.fromEntries(csp(page))).toEqual({
      'default-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'"],
    });
    for (const name of ['verify-page.js', 'verify-page.css']) {
      expect((await fetch(`${api.url}/verify/assets/${name}`)).status, name).toBe(200);
    }
    for (const name of ['main.ts', 'verify-page.html', 'constructor', '__proto__']) {
      expect((await fetch(`${api.url}/verify/assets/${name}`)).status, name).toBe(404);
    }
  });

  it('the overlay assets are the three known files; other names, Object properties included, are 404', async () => {
    for (const name of ['overlay.js', 'overlay.css', 'graphql-ws.min.js']) {
      const asset = await fetch(`${api.url}/overlay/assets/${name}`);
      expect(asset.status, name).toBe(200);
      expect(asset.headers.get('content-type'), name).toMatch(name.endsWith('.css') ? /^text\/css/ : /javascript/);
    }
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'overlay.html', 'graphql-ws.js', '']) {
      expect((await fetch(`${api.url}/overlay/assets/${name}`)).status, name).toBe(404);
    }
  });

  it("the Twitch callback page shows our own sentence for Twitch's error, never its error_description", async () => {
    const cases = [
      { error: 'access_denied', reason: 'ACCESS_DENIED', text: 'You did not authorize the app on Twitch.' },
      { error: 'server_error', reason: 'TWITCH_ERROR', text: 'Try again in a few minutes.' },
      { error: 'made_up_error', reason: 'TWITCH_ERROR', text: 'Twitch did not authorize the app.' },
      { error: '<script>alert(1)</script>', reason: 'TWITCH_ERROR', text: 'Twitch did not authorize the app.' },
    ];
    for (const { error, reason, text } of cases) {
      const query = new URLSearchParams({ error, error_description: PHISHING, state: 'some-state' });
      const page = await fetch(`${api.url}/auth/twitch/callback?${query}`, { headers: { 'accept-language': 'en' } });
      const html = await page.text();
      expect(page.status, error).toBe(400);
      expect(html, error).toContain('data-outcome="failed"');
      expect(html, error).toContain(`data-reason="${reason}"`);
      expect(html, error).toContain(text);
      expect(html, error).not.toContain('call +1 555');
      expect(html, error).not.toContain('alert(1)');
      expect(html, error).not.toContain('made_up_error');
    }
    const portuguese = await fetch(`${api.url}/auth/twitch/callback?error=access_denied&error_description=${encodeURIComponent(PHISHING)}`);
    const html = await portuguese.text();
    expect(html).toContain('Você não autorizou o app na Twitch.');
    expect(html).not.toContain('call +1 555');
  });

  it("the Twitch callback page's inline style is allowed by a fresh nonce, and scripts not at all", async () => {
    const nonces = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const page = await fetch(`${api.url}/auth/twitch/callback?error=access_denied`);
      const policy = csp(page);
      const html = await page.text();
      const nonce = /<style nonce="([^"]+)">/.exec(html)?.[1];
      expect(nonce).toBeTruthy();
      expect(policy.get('style-src')).toEqual([`'nonce-${nonce}'`]);
      expect(policy.get('script-src')?.every((source) => source.startsWith("'nonce-"))).toBe(true);
      expect(html).not.toContain('<script');
      nonces.push(nonce);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('CORS: browsers on PUBLIC_URL (here: this machine) and ALLOWED_ORIGINS may call /graphql, others get no CORS headers', async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    for (const origin of [DASHBOARD_ORIGIN, 'https://second.example', `http://localhost:${api.port}`, `http://127.0.0.1:${api.port}`]) {
      const answer = await preflight(origin);
      expect(answer.status, origin).toBe(204);
      expect(answer.headers.get('access-control-allow-origin'), origin).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods'), origin).toContain('POST');
      expect(answer.headers.get('access-control-allow-headers'), origin).toMatch(/authorization/i);
    }
    for (const origin of ['https://evil.example', `http://localhost:${api.port + 1}`, 'null']) {
      const answer = await preflight(origin);
      expect(answer.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    const fromDashboard = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { origin: DASHBOARD_ORIGIN, 'content-type': 'application/json', authorization: `Bearer ${TEST_API_TOKEN}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(fromDashboard.headers.get('access-control-allow-origin')).toBe(DASHBOARD_ORIGIN);
    expect(await fromDashboard.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('the WebSocket upgrade checks Origin against the same list; clients without an Origin pass', async () => {
    expect(await upgradeStatus(api.url, 'https://evil.example')).toBe(403);
    expect(await upgradeStatus(api.url, `http://localhost:${api.port + 1}`)).toBe(403);
    for (const origin of [DASHBOARD_ORIGIN, `http://localhost:${api.port}`, `http://127.0.0.1:${api.port}`, undefined]) {
      expect(await upgradeStatus(api.url, origin), String(origin)).toBe(101);
    }
  });

  it('a body over the limit on /graphql is 413 with a readable answer; an empty body is a 400 at once', async () => {
    const tooBig = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_TOKEN}` },
      body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(MAX_BODY_BYTES) } }),
    });
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()).message).toMatch(/too large/i);
    for (const contentType of ['application/json', 'application/graphql', 'text/plain']) {
      const empty = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body: '', signal: AbortSignal.timeout(5_000) });
      expect(empty.status, contentType).toBe(400);
      expect((await empty.json()).errors[0].extensions.code).toBe('BAD_REQUEST');
    }
    // Just under the limit is still GraphQL's to answer.
    const fits = await request(api.url, '{ __typename }', { padding: 'x'.repeat(MAX_BODY_BYTES - 1024) });
    expect(fits.data).toEqual({ __typename: 'Query' });
  });

  it('outside production anyone may introspect (GraphiQL needs it)', async () => {
    const anonymous = await request(api.url, INTROSPECTION, {}, { token: null });
    expect(anonymous.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

/** A small AUTH_RATE_LIMIT_PER_MINUTE so the test stays short (the default is 120). */
const AUTH_RATE_LIMIT = { max: 12 };

describe('request logs and rate limits', () => {
  let api: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    const logger = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _encoding, done) => done(void lines.push(chunk.toString('utf8'))) }));
    api = await startTestApp({ logger, env: { AUTH_RATE_LIMIT_PER_MINUTE: String(AUTH_RATE_LIMIT.max) } });
  });
  afterAll(() => api?.stop());

  it('one debug line per request, through the app logger, without the query string (overlay keys live there)', async () => {
    const streamer = await createStreamer(api.url);
    const key = overlayKeyOf(streamer.overlayUrl);
    const before = lines.length;
    expect((await fetch(`${api.url}/overlay/${streamer.id}?key=${key}`)).status).toBe(200);
    // The line is written once the response has finished, which may be just after fetch resolves.
    await vi.waitFor(() => expect(lines.slice(before).join('')).toContain('"msg":"request"'));
    const logged = lines.slice(before).map((line) => JSON.parse(line));
    const requestLines = logged.filter((line) => line.msg === 'request');
    expect(requestLines).toEqual([
      expect.objectContaining({ level: 20, subsystem: 'http', method: 'GET', path: `/overlay/${streamer.id}`, route: '/overlay/:streamerId', statusCode: 200 }),
    ]);
    expect(lines.join('')).not.toContain(key);
  });

  it('keeps idle connections open for 65 s (longer than load balancers)', async () => {
    const answer = await fetch(`${api.url}/health`);
    expect(answer.headers.get('keep-alive')).toBe('timeout=65');
  });

  it(`AUTH_RATE_LIMIT_PER_MINUTE (${AUTH_RATE_LIMIT.max}) callbacks a minute per address, then 429; other routes are not limited`, async () => {
    const statuses = [];
    for (let index = 0; index < AUTH_RATE_LIMIT.max + 1; index += 1) {
      statuses.push((await fetch(`${api.url}/auth/twitch/callback?code=x&state=y`)).status);
    }
    expect(statuses.slice(0, AUTH_RATE_LIMIT.max).every((status) => status === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    for (let index = 0; index < AUTH_RATE_LIMIT.max + 1; index += 1) {
      expect((await fetch(`${api.url}/health`)).status).toBe(200);
    }
  });
});

describe('behind a reverse proxy (TRUST_PROXY)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { TRUST_PROXY: '127.0.0.1', AUTH_RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => api?.stop());

  it('counts the /auth rate limit per client address from X-Forwarded-For, not per proxy', async () => {
    const callback = (client: string) => fetch(`${api.url}/auth/twitch/callback?code=x&state=y`, { headers: { 'x-forwarded-for': client } });
    const first = [];
    for (let index = 0; index < 4; index += 1) first.push((await callback('203.0.113.7')).status);
    expect(first).toEqual([400, 400, 400, 429]);
    // Another client behind the same proxy still has its own budget.
    expect((await callback('198.51.100.9')).status).toBe(400);
  });
});

describe('in production', () => {
  let api: TestApp;
  let overlayKey: string;
  beforeAll(async () => {
    api = await startTestApp({ env: { NODE_ENV: 'production', PUBLIC_URL: 'https://raffles.example', SESSION_SECRET: 's'.repeat(32) } });
    overlayKey = overlayKeyOf((await createStreamer(api.url)).overlayUrl);
  });
  afterAll(() => api?.stop());

  it('GraphiQL is off', async () => {
    expect(api.config.isProduction).toBe(true);
    const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await page.text()).not.toMatch(/graphiql/i);
  });

  it('introspection is refused to everyone but the service principal, over HTTP and graphql-ws', async () => {
    for (const options of [{ token: null }, { token: null, overlayKey }, { token: 'not-the-token-0123456789-abcdefghijklmnop' }]) {
      const refused = await request(api.url, `{ __typename ${INTROSPECTION.slice(1, -1)} }`, {}, options);
      expect(refused.data ?? null, JSON.stringify(options)).toBeNull();
      expect(JSON.stringify(refused.errors)).not.toContain('queryType');
      expect(refused.errors?.length, JSON.stringify(options)).toBeGreaterThan(0);
    }
    const byOverlay = await request(api.url, '{ __type(name: "Query") { name } }', {}, { token: null, overlayKey });
    expect(byOverlay.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');

    const service = await request(api.url, INTROSPECTION);
    expect(service.data).toEqual({ __schema: { queryType: { name: 'Query' } } });

    const overlaySocket = await overWebSocket(api.url, INTROSPECTION, { overlayKey });
    expect(overlaySocket.data ?? null).toBeNull();
    expect(overlaySocket.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
    const serviceSocket = await overWebSocket(api.url, INTROSPECTION, { authorization: `Bearer ${TEST_API_TOKEN}` });
    expect(serviceSocket.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it("CORS and WebSocket origins default to PUBLIC_URL's origin only", async () => {
    const preflight = (origin: string) =>
      fetch(`${api.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect((await preflight('https://raffles.example')).headers.get('access-control-allow-origin')).toBe('https://raffles.example');
    expect((await preflight(`http://localhost:${api.port}`)).headers.get('access-control-allow-origin')).toBeNull();
    expect(await upgradeStatus(api.url, 'https://raffles.example')).toBe(101);
    expect(await upgradeStatus(api.url, `http://localhost:${api.port}`)).toBe(403);
  });
});
