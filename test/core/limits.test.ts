import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

describe('request limits (graphql-armor)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  it('refuses a query nested deeper than the limit', async () => {
    const nested = 'raffle { streamer { '.repeat(8) + 'id' + ' } }'.repeat(8);
    const response = await request(api.url, `query($id: ID!) { raffle(id: $id) { streamer { activeRaffle { ${nested} } } } }`, { id: 'x' });
    expect(response.errors?.[0]?.message).toMatch(/depth/i);
  });

  it('refuses too many aliases', async () => {
    const aliases = Array.from({ length: 20 }, (_, index) => `a${index}: streamerByGuild(guildId: "1") { id }`).join(' ');
    const response = await request(api.url, `{ ${aliases} }`);
    expect(response.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('refuses a document with too many tokens', async () => {
    const fields = Array.from({ length: 5000 }, () => '__typename').join(' ');
    const response = await request(api.url, `{ ${fields} }`);
    expect(response.errors?.[0]?.message).toMatch(/token limit/i);
  });

  it('answers malformed GraphQL with a readable 400 (GraphQL over HTTP)', async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ streamer(' }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors[0].message).toMatch(/Syntax Error/);
  });
});
