import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { startTestApp, type TestApp } from '../support/test-app';

describeWith({ chromium: true }, 'GraphiQL in a real browser, offline', () => {
  let api: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    api = await startTestApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('loads everything from this server (no CDN), runs under its CSP and introspects the schema', async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const violations: string[] = [];
    // Offline: anything not from this server (or a blob: worker the page made itself) fails.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${api.url}/`) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const introspection = page.waitForResponse(
      (response) => response.url() === `${api.url}/graphql` && response.request().method() === 'POST' && /IntrospectionQuery/.test(response.request().postData() ?? ''),
    );
    const loaded = await page.goto(`${api.url}/graphql`);
    expect(loaded?.status()).toBe(200);
    expect(loaded?.headers()['content-security-policy']).toMatch(/script-src 'sha256-/);
    await page.locator('.graphiql-container').first().waitFor({ timeout: 20_000 });
    const schema = await introspection;
    expect(schema.status()).toBe(200);
    expect((await schema.json()).data.__schema.queryType.name).toBe('Query');
    expect(elsewhere).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });
});
