import { Kind } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personPrincipal } from '../../src/auth/principal';
import type { HeaderSource, PrincipalResolver } from '../../src/auth/principal-resolver';
import { REQUEST_LIMITS } from '../../src/graphql/limits';
import { contractDocumentNode, contractOperation, request, subscribe, type RequestOptions } from '../support/graphql';
import { addItems, createStreamer, newGuildId, startRaffle } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Security review, issue 10 item 2: `Raffle.winners` was an unpaged list and `Round.raffle` leads
 * back to it, so a short query asked for exponentially many rounds. Lists are now costed by their
 * size, and each principal has a cost and depth budget (src/graphql/limits.ts).
 */

const RAFFLES = 4;
const WINS_PER_RAFFLE = 5;

/** The query of the finding: 140 bytes, 4 × 5 × 5 × 5 = 500 rounds on this data before the fix. */
const EXPONENTIAL = `query($id: ID!){ streamer(id:$id){ raffles(first:100){ edges { node { winners { raffle { winners { raffle { winners { id } } } } } } } } } }`;

const PERSON_HEADER = 'x-test-person';

/** Test only: a person named by a header, else the app's standard rules (as in access-matrix). */
function withTestPersons(standard: PrincipalResolver): PrincipalResolver {
  return {
    fromHeaders: async (headers: HeaderSource) => {
      const person = typeof headers.get === 'function' ? (headers as Headers).get(PERSON_HEADER) : undefined;
      return person ? personPrincipal(person) : standard.fromHeaders(headers);
    },
    fromConnectionParams: (params) => standard.fromConnectionParams(params),
  };
}

describe('query cost: lists multiply, per-principal budgets', () => {
  let api: TestApp;
  let streamer: { id: string; guildId: string; overlayUrl: string };
  let overlayKey: string;
  let raffleId: string;

  beforeAll(async () => {
    api = await startTestApp({ principals: withTestPersons });
    streamer = await createStreamer(api.url);
    overlayKey = new URL(streamer.overlayUrl).searchParams.get('key')!;
    const [item] = await addItems(api.url, streamer.id, [{ name: 'skin', weight: 1, stock: 100 }]);
    const db = api.services.db;
    for (let raffle = 0; raffle < RAFFLES; raffle += 1) {
      const { id } = await db.raffle.create({
        data: { streamerId: streamer.id, status: 'STOPPED', intervalSeconds: 60, drawChance: 1, nextRoundAt: new Date(), endedAt: new Date(), endReason: 'STOPPED' },
      });
      raffleId = id;
      await db.round.createMany({
        data: Array.from({ length: WINS_PER_RAFFLE * 2 }, (_, index) => ({
          raffleId: id,
          number: index + 1,
          outcome: index % 2 === 0 ? ('WINNER' as const) : ('SKIPPED' as const),
          itemId: index % 2 === 0 ? item!.id : null,
          winnerUserId: index % 2 === 0 ? `${1000 + index}` : null,
          winnerLogin: index % 2 === 0 ? `viewer${index}` : null,
        })),
      });
    }
  });
  afterAll(() => api?.stop());

  const principals: Array<[string, () => RequestOptions]> = [
    ['service', () => ({})],
    ['overlay', () => ({ token: null, overlayKey })],
    ['person', () => ({ token: null })],
    ['anonymous', () => ({ token: null })],
  ];

  it.each(principals)('refuses the exponential winners → raffle → winners query for the %s principal with a 400', async (kind, options) => {
    const headers: Record<string, string> = kind === 'person' ? { [PERSON_HEADER]: '4242' } : {};
    const response = await requestWith(api.url, EXPONENTIAL, { id: streamer.id }, options(), headers);
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    const costError = response.errors?.find((error) => error.extensions?.code === 'QUERY_TOO_COSTLY');
    expect(costError?.message).toContain(`for the ${kind} principal`);
    // Still responsive: the same principal's small query is answered.
    const small = await requestWith(api.url, `{ __typename }`, {}, options(), headers);
    expect(small.data).toEqual({ __typename: 'Query' });
  });

  it.each([
    ['raffle(id)', `query($raffle: ID!) { raffle(id: $raffle) { winners { raffle { winners { raffle { winners { raffle { winners { id } } } } } } } } }`],
    ['roundsSince', `query($id: ID!) { roundsSince(streamerId: $id, first: 500) { raffle { winners { raffle { winners { id } } } } } }`],
  ])('refuses the same cycle entered through %s, even for the service principal', async (_entry, query) => {
    const response = await request(api.url, query, { id: streamer.id, raffle: raffleId });
    expect(response.status).toBe(400);
    expect(response.errors?.map((error) => error.extensions?.code)).toContain('QUERY_TOO_COSTLY');
  });

  it('refuses the cycle through a subscription too (overlay key over graphql-ws)', async () => {
    const subscription = await subscribe(
      api.url,
      `subscription($id: ID!) { raffleEvents(streamerId: $id) { raffle { winners { raffle { winners { raffle { winners { id } } } } } } } }`,
      { id: streamer.id },
      { overlayKey },
    );
    try {
      // The test helper turns graphql-ws's error message into an Error carrying the errors.
      await expect(subscription.next()).rejects.toThrow(/"code":"QUERY_TOO_COSTLY"/);
    } finally {
      await subscription.return();
    }
  });

  it('pages unpaged lists: winners returns at most `first` and still works without arguments', async () => {
    const query = `query($id: ID!) { raffle(id: $id) { all: winners { id } two: winners(first: 2) { id } huge: winners(first: 1000) { id } } }`;
    const response = await request(api.url, query, { id: raffleId });
    expect(response.errors).toBeUndefined();
    expect(response.data.raffle.all).toHaveLength(WINS_PER_RAFFLE);
    expect(response.data.raffle.two).toHaveLength(2);
    expect(response.data.raffle.huge).toHaveLength(WINS_PER_RAFFLE);
  });

  it('gives an overlay key a lower cost budget than the service principal', async () => {
    // RaffleHistory with 20 raffles per page costs about 26,000: within the service's budget only.
    const variables = { streamerId: streamer.id, first: 20 };
    const asService = await request(api.url, contractOperation('RaffleHistory'), variables);
    expect(asService.errors).toBeUndefined();
    expect(asService.data.streamer.raffles.edges).toHaveLength(RAFFLES);
    const asOverlay = await request(api.url, contractOperation('RaffleHistory'), variables, { token: null, overlayKey });
    expect(asOverlay.status).toBe(400);
    expect(asOverlay.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', maxCost: REQUEST_LIMITS.overlay.cost });
    // A smaller page is fine for the overlay.
    const smallPage = await request(api.url, contractOperation('RaffleHistory'), { ...variables, first: 5 }, { token: null, overlayKey });
    expect(smallPage.errors).toBeUndefined();
    // Checks passed are remembered per document, variables and principal kind, never across them:
    // the same document and variables the service passed with are still refused for the overlay.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect((await request(api.url, contractOperation('RaffleHistory'), variables)).errors).toBeUndefined();
      const again = await request(api.url, contractOperation('RaffleHistory'), variables, { token: null, overlayKey });
      expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY' });
      const bigPage = await request(api.url, contractOperation('RaffleHistory'), { ...variables, first: 200 }, { token: null, overlayKey });
      expect(bigPage.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY' });
    }
  });

  it('gives an overlay key a lower depth limit than the service principal', async () => {
    const query = `query($id: ID!) { streamer(id: $id) { raffles(first: 1) { edges { node { streamer { raffles(first: 1) { edges { node { id } } } } } } } } }`;
    const asService = await request(api.url, query, { id: streamer.id });
    expect(asService.errors).toBeUndefined();
    const asOverlay = await request(api.url, query, { id: streamer.id }, { token: null, overlayKey });
    expect(asOverlay.status).toBe(400);
    expect(asOverlay.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', maxDepth: REQUEST_LIMITS.overlay.depth });
  });

  it('lets every contract query pass with realistic variables (first: 50) for the service principal', async () => {
    const variables = { streamerId: streamer.id, guildId: streamer.guildId, raffleId, first: 50 };
    const queries = contractDocumentNode().definitions.flatMap((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'query' ? [definition.name!.value] : [],
    );
    expect(queries.length).toBeGreaterThanOrEqual(3);
    for (const name of queries) {
      const response = await request(api.url, contractOperation(name), variables);
      expect({ name, errors: response.errors }).toEqual({ name, errors: undefined });
    }
  });

  it('lets the contract mutations and subscriptions pass the cost check for service and overlay', async () => {
    // Mutations run for the service (the overlay may not steer): a fresh streamer, items, a raffle.
    const other = await createStreamer(api.url, newGuildId());
    await addItems(api.url, other.id, [{ name: 'a', weight: 1 }]);
    const raffle = await startRaffle(api.url, { streamerId: other.id, intervalSeconds: 3600 });
    const stopped = await request(api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
    expect(stopped.errors).toBeUndefined();
    for (const name of ['WinnerDrawn', 'RaffleEvents']) {
      const subscription = await subscribe(api.url, contractOperation(name), { streamerId: streamer.id }, { overlayKey });
      await subscription.return();
    }
  });
});

async function requestWith(baseUrl: string, query: string, variables: Record<string, unknown>, options: RequestOptions, extraHeaders: Record<string, string>) {
  if (Object.keys(extraHeaders).length === 0) return request(baseUrl, query, variables, options);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', ...extraHeaders };
  const response = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { ...((await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }), status: response.status };
}
