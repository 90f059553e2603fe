import { expect, it } from 'vitest';
import { useAppWithBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';

describeWith({ chromium: true }, 'GraphiQL in a real browser, offline', () => {
  const suite = useAppWithBrowser();

  it('loads everything from this server (no CDN), runs under its CSP and introspects the schema', async () => {
    const page = await suite.browser.newPage();
    const elsewhere: string[] = [];
    const violations: string[] = [];
    // Offline: anything not from this server (or a blob: worker the page made itself) fails.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${suite.api.url}/`) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const introspection = page.waitForResponse(
      (response) => response.url() === `${suite.api.url}/graphql` && response.request().method() === 'POST' && /IntrospectionQuery/.test(response.request().postData() ?? ''),
    );
    const loaded = await page.goto(`${suite.api.url}/graphql`);
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
