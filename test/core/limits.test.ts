import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overlayPrincipal } from '../../src/auth/principal';
import { REQUEST_LIMITS, useRequestLimits } from '../../src/graphql/limits';
import { request } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

describe('request limits (graphql-armor, outer bounds for every principal)', () => {
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

describe('execution time limit (useRequestLimits)', () => {
  // A small schema of its own: a resolver that never settles stands for a slow query.
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        fast: { type: GraphQLString, resolve: () => 'done' },
        stuck: { type: GraphQLString, resolve: () => new Promise<string>(() => {}) },
      },
    }),
  });
  const limits = { ...REQUEST_LIMITS, overlay: { ...REQUEST_LIMITS.overlay, timeoutMs: 100 } };
  const yoga = createYoga({
    schema,
    maskedErrors: true,
    logging: false,
    context: () => ({ principal: overlayPrincipal('streamer-1') }),
    plugins: [useRequestLimits({ limits })],
  });
  const post = async (query: string) => {
    const response = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await response.json() };
  };

  it('stops a query that outlives the principal’s time limit with a QUERY_TIMEOUT error', async () => {
    const { status, body } = await post('{ stuck }');
    expect(status).toBe(503);
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TIMEOUT');
    expect(body.errors?.[0]?.message).toMatch(/time limit/);
  });

  it('answers queries that finish in time', async () => {
    expect((await post('{ fast }')).body).toEqual({ data: { fast: 'done' } });
  });
});
