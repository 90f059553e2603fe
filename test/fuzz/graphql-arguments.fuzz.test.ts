import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { startTestApp, type TestApp } from '../support/test-app';
import { CaseCounter, FUZZ_SEED, fuzzParameters, timeoutFor } from './fuzz-config';
import { graphqlLiteral, postGraphQL, postSubscription, serverFailure, shorten } from './graphql-request';
import { brokenInvariants } from './invariants';
import { documentFor, operations, type KnownIds } from './operations';

/**
 * Every argument of every root field (and of the nested connection fields) gets hostile values
 * through the real HTTP endpoint (subscriptions over SSE), with the service token. Whatever the input: no 5xx, no masked
 * unexpected error, the process still answers /health, and the database invariants hold.
 */
describe('fuzz: GraphQL arguments through POST /graphql', () => {
  let api: TestApp;
  const known: KnownIds = { streamers: [], items: [], raffles: [], rounds: [] };
  const counter = new CaseCounter();
  let serverErrors = 0;

  async function refreshKnown() {
    const db = api.services.db;
    const [streamers, items, raffles, rounds] = await Promise.all([
      db.streamer.findMany({ select: { id: true }, take: 50, orderBy: { createdAt: 'desc' } }),
      db.item.findMany({ select: { id: true }, take: 50, orderBy: { createdAt: 'desc' } }),
      db.raffle.findMany({ select: { id: true }, take: 50, orderBy: { startedAt: 'desc' } }),
      db.round.findMany({ select: { id: true }, take: 50, orderBy: { id: 'desc' } }),
    ]);
    known.streamers = streamers.map((row) => row.id);
    known.items = items.map((row) => row.id);
    known.raffles = raffles.map((row) => row.id);
    known.rounds = rounds.map((row) => String(row.id));
  }

  beforeAll(async () => {
    console.info(`fuzz seed ${FUZZ_SEED} (replay with FUZZ_SEED=${FUZZ_SEED})`);
    api = await startTestApp();
    // A streamer with prizes and a raffle drawing every second, so rounds are written while the
    // fuzzer changes items and raffles under them.
    const streamer = await createStreamer(api.url);
    await addItems(api.url, streamer.id, [
      { name: 'golden skin', weight: 5, stock: 50 },
      { name: 'silver skin', weight: 20, stock: 200 },
    ]);
    await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 1 });
    await refreshKnown();
  });

  afterAll(async () => {
    console.info(counter.report('GraphQL argument fuzzing') + `\n  5xx / masked errors seen: ${serverErrors}`);
    await api?.stop();
  });

  for (const spec of operations(() => known)) {
    it(
      `${spec.kind} ${spec.name}: no 5xx, no masked error`,
      async () => {
        await refreshKnown();
        let cases = 0;
        await fc.assert(
          fc.asyncProperty(spec.values(known), fc.boolean(), async (values, inlineArguments) => {
            counter.count(spec.name);
            cases += 1;
            if (cases % 50 === 0) await refreshKnown();
            const inline = inlineArguments && cases % 4 === 0;
            const body = documentFor(spec, values, inline, graphqlLiteral);
            const response = spec.kind === 'subscription' ? await postSubscription(api.url, body) : await postGraphQL(api.url, body);
            const failure = serverFailure(response);
            if (failure) serverErrors += 1;
            expect(failure, `request ${shorten(body)}\nresponse ${response.status} ${shorten(response.body)}`).toBeNull();
          }),
          fuzzParameters(spec.runs),
        );
      },
      timeoutFor(spec.runs),
    );
  }

  it('afterwards the process answers /health and every database invariant holds', async () => {
    const health = await fetch(`${api.url}/health`);
    expect(health.status).toBe(200);
    const broken = await brokenInvariants((sql) => api.services.db.$queryRawUnsafe(sql));
    expect(broken).toEqual([]);
    // The raffle kept drawing while the fuzzer ran (the invariants were checked on real rounds).
    expect(await api.services.db.round.count()).toBeGreaterThan(0);
  });
});
