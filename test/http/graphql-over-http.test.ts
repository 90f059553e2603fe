import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

/** graphql-http's audit of the GraphQL over HTTP spec, against the running app's /graphql. */
describe('GraphQL over HTTP conformance (graphql-http auditServer)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  it('passes every audit with the service token: no errors, no warnings', async () => {
    const results = await auditServer({
      url: `${api.url}/graphql`,
      fetchFn: (input: RequestInfo | URL, init: RequestInit = {}) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${TEST_API_TOKEN}`);
        return fetch(input, { ...init, headers });
      },
    });
    const count = (status: string) => results.filter((result) => result.status === status).length;
    console.info(`graphql-http audit: ${count('ok')} ok, ${count('warn')} warnings, ${count('error')} errors, ${count('notice')} notices`);
    const failures = results.flatMap((result) => (result.status === 'ok' ? [] : [`${result.status} ${result.name}: ${result.reason}`]));
    expect(failures).toEqual([]);
    expect(count('ok')).toBeGreaterThan(0);
  });
});
