import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from './use-test-app';
import { ensureDashboardBuilt } from './support';
import { initialAssetSizes } from '../../bench/dashboard.bench';

describe('GET /dashboard: the built single-page app', () => {
  beforeAll(ensureDashboardBuilt, 120_000);
  const suite = useTestApp();

  it('serves index.html at /dashboard and every path below it, with the page CSP and no caching', async () => {
    for (const path of ['/dashboard', '/dashboard/', '/dashboard/streamers/abc/history']) {
      const response = await fetch(`${suite.api.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
      expect(csp).not.toContain('unsafe-inline');
      const html = await response.text();
      expect(html).toMatch(/<script type="module" crossorigin src="\/dashboard\/assets\/index-[\w-]+\.js"><\/script>/);
    }
  });

  it('serves hashed assets with a long immutable cache; unknown assets are 404, not the page', async () => {
    const html = await (await fetch(`${suite.api.url}/dashboard`)).text();
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await fetch(`${suite.api.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${suite.api.url}/dashboard/assets/nope-123.js`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${suite.api.url}/dashboard/assets/../../package.json`)).status).not.toBe(200);
  });

  it('keeps the initial JavaScript within 250 KB gzipped (the chart library is a lazy chunk)', async () => {
    const sizes = await initialAssetSizes();
    expect(sizes.scripts).toHaveLength(1);
    expect(sizes.initialJs).toBeLessThanOrEqual(250 * 1024);
    expect(sizes.lazyJs).toBeGreaterThan(50 * 1024);
  });
});
