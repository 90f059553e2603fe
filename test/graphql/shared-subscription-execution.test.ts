import type { ExecutionResult } from 'graphql';
import { createPubSub, createSchema, createYoga, Repeater } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../src/auth/principal';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { principalAuthorizationKey } from '../../src/auth/subscription-key';
import pino from 'pino';
import { createErrorMasking } from '../../src/graphql/error-masking';
import { itemFromJson, roundFromJson, rowToJson } from '../../src/raffles/drawn-round-row';
import { useSharedSubscriptionExecution, type DirectResultSink, type FeedMembership } from '../../src/graphql/plugins/shared-subscription-execution';
import { SubscriberTooSlowError } from '../../src/pubsub/event-bus';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, subscribe, type Subscription } from '../support/graphql';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';

const overlayKeyOf = (overlayUrl: string) => new URL(overlayUrl).searchParams.get('key')!;

describe('shared subscription execution in the API (graphql-ws, contract WinnerDrawn)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  it('executes each win once per document, variables and principal, and every subscriber gets its own selection', async () => {
    const streamer = await createStreamer(api.url);
    const other = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(20));
    await addItems(api.url, streamer.id, [{ name: 'golden skin', weight: 3, stock: 5 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const contract = contractOperation('WinnerDrawn');
    const narrow = `subscription Narrow($streamerId: ID!) { winnerDrawn(streamerId: $streamerId) { id winner { login } } }`;
    const service = { authorization: `Bearer ${TEST_API_TOKEN}` };
    const overlay = { overlayKey: overlayKeyOf(streamer.overlayUrl) };
    const variables = { streamerId: streamer.id };

    const subscriptions: Array<{ name: string; subscription: Subscription<any> }> = [];
    for (const [name, query, params] of [
      ['service 1', contract, service],
      ['service 2', contract, service],
      ['service 3', contract, service],
      ['overlay 1', contract, overlay],
      ['overlay 2', contract, overlay],
      ['service narrow', narrow, service],
    ] as const) {
      subscriptions.push({ name, subscription: await subscribe(api.url, query, variables, params) });
    }
    // Authorization is still decided per subscriber: another streamer's overlay key is refused.
    const foreign = await subscribe(api.url, contract, { streamerId: other.id }, overlay);
    await expect(foreign.next(5_000)).rejects.toThrow(/Not allowed/);
    await foreign.return();

    const roundLoads = vi.spyOn(api.services.db.round, 'findUniqueOrThrow');
    const itemLoads = vi.spyOn(api.services.db.item, 'findUnique');
    try {
      const drawn = await api.services.rounds.run(raffle.id, { force: true });
      if (drawn.kind !== 'round') throw new Error(`no round: ${drawn.kind}`);
      const round = drawn.round;
      const events = await Promise.all(subscriptions.map(({ subscription }) => subscription.next()));
      for (const [index, event] of events.entries()) {
        const { name } = subscriptions[index]!;
        if (name === 'service narrow') {
          expect(event.winnerDrawn, name).toEqual({ id: String(round.id), winner: { login: round.winnerLogin } });
        } else {
          expect(event.winnerDrawn, name).toMatchObject({
            id: String(round.id),
            number: round.number,
            at: round.at.toISOString(),
            outcome: 'WINNER',
            eligibleCount: 20,
            item: { name: 'golden skin', weight: 3 },
            winner: { userId: round.winnerUserId, login: round.winnerLogin },
          });
        }
      }
      // The event carries the committed round row and the won item's row: nobody reads either
      // back (before: one round load and one item load per subscriber, 6 each).
      expect(roundLoads).toHaveBeenCalledTimes(0);
      expect(itemLoads).toHaveBeenCalledTimes(0);
      // The rows as they travel (JSON) come back as the database returns them.
      const stored = await api.services.db.round.findUniqueOrThrow({ where: { id: round.id }, include: { item: true } });
      const { item: storedItem, ...storedRound } = stored;
      expect(roundFromJson(JSON.parse(JSON.stringify(rowToJson(storedRound))))).toEqual(storedRound);
      expect(itemFromJson(JSON.parse(JSON.stringify(rowToJson(storedItem!))))).toEqual(storedItem);
    } finally {
      roundLoads.mockRestore();
      itemLoads.mockRestore();
      for (const { subscription } of subscriptions) await subscription.return();
    }
  });
});

describe('shared subscription execution (plugin on a small schema)', () => {
  type Tick = { n: number };
  interface Context {
    principal: Principal;
  }
  const pubsub = createPubSub<{ tick: [channel: string, payload: Tick] }>();
  let resolves = 0;
  const executions: string[] = [];
  const schema = createSchema<Context>({
    typeDefs: /* GraphQL */ `
      type Query {
        ok: Boolean
      }
      type Tick {
        n: Int!
        "Field-level authorization: only the service principal may read it."
        secret: String
      }
      type Subscription {
        "from: a per-subscriber replay of one tick before going live (like afterRoundId)."
        tick(channel: String!, from: Int): Tick!
      }
    `,
    resolvers: {
      Subscription: {
        tick: {
          subscribe: (_root: unknown, args: { channel: string; from?: number | null }) => {
            const live = pubsub.subscribe('tick', args.channel);
            if (args.from === undefined || args.from === null) return live;
            const from = args.from;
            return new Repeater<Tick>(async (push, stop) => {
              await push({ n: from });
              void stop.then(() => live.return?.());
              for await (const tick of live) await push(tick);
              stop();
            });
          },
          resolve: (tick: Tick) => {
            resolves += 1;
            return tick;
          },
        },
      },
      Tick: {
        secret: (tick: Tick, _args: unknown, context: Context) => (context.principal.kind === 'service' ? `secret ${tick.n}` : null),
      },
    },
  });
  const yoga = createYoga<Context>({
    schema,
    plugins: [
      useSharedSubscriptionExecution<Context>({
        authorizationKey: (context) => principalAuthorizationKey(context.principal),
        tooSlowError: (limit) => new SubscriberTooSlowError(limit),
        channelArguments: ['channel'],
        onExecution: (key) => executions.push(key),
      }),
    ],
  });

  async function subscribeAs(principal: Principal, query: string, variables: Record<string, unknown>) {
    const { parse, subscribe: run, contextFactory, schema: enveloped } = yoga.getEnveloped({ principal });
    const result = await run({ schema: enveloped, document: parse(query), variableValues: variables, contextValue: await contextFactory() });
    if (!(Symbol.asyncIterator in (result as object))) throw new Error(`not a stream: ${JSON.stringify(result)}`);
    return result as AsyncGenerator<ExecutionResult>;
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
  const service: Principal = { kind: 'service' };
  const overlay: Principal = { kind: 'overlay', streamerId: 's1' };
  const query = `subscription ($channel: String!, $from: Int) { tick(channel: $channel, from: $from) { n secret } }`;

  it('gives each principal class its own result, once per event however many subscribers', async () => {
    resolves = 0;
    executions.length = 0;
    const streams = await Promise.all([
      subscribeAs(service, query, { channel: 'a' }),
      subscribeAs(service, query, { channel: 'a' }),
      subscribeAs(overlay, query, { channel: 'a' }),
      subscribeAs(overlay, query, { channel: 'a' }),
    ]);
    const pending = streams.map((stream) => stream.next());
    await settle();
    pubsub.publish('tick', 'a', { n: 1 });
    const results = (await Promise.all(pending)).map((result) => result.value);
    expect(results).toEqual([
      { data: { tick: { n: 1, secret: 'secret 1' } } },
      { data: { tick: { n: 1, secret: 'secret 1' } } },
      { data: { tick: { n: 1, secret: null } } },
      { data: { tick: { n: 1, secret: null } } },
    ]);
    expect(resolves).toBe(2);
    expect(executions).toHaveLength(2);
    await Promise.all(streams.map((stream) => stream.return(undefined)));
  });

  it('executes another selection or other variables separately', async () => {
    resolves = 0;
    executions.length = 0;
    const streams = await Promise.all([
      subscribeAs(service, query, { channel: 'b' }),
      subscribeAs(service, `subscription ($channel: String!) { tick(channel: $channel) { n } }`, { channel: 'b' }),
      subscribeAs(service, query, { channel: 'c' }),
    ]);
    const pending = streams.map((stream) => stream.next());
    await settle();
    pubsub.publish('tick', 'b', { n: 5 });
    pubsub.publish('tick', 'c', { n: 6 });
    expect((await Promise.all(pending)).map((result) => result.value)).toEqual([
      { data: { tick: { n: 5, secret: 'secret 5' } } },
      { data: { tick: { n: 5 } } },
      { data: { tick: { n: 6, secret: 'secret 6' } } },
    ]);
    expect(executions).toHaveLength(3);
    await Promise.all(streams.map((stream) => stream.return(undefined)));
  });

  it('keeps a per-subscriber replay (a non-channel argument) while live events stay shared', async () => {
    const live = await subscribeAs(service, query, { channel: 'd' });
    const livePending = live.next();
    await settle();
    const replaying = await subscribeAs(service, query, { channel: 'd', from: 7 });
    expect((await replaying.next()).value).toEqual({ data: { tick: { n: 7, secret: 'secret 7' } } });
    const replayingPending = replaying.next();
    await settle();
    pubsub.publish('tick', 'd', { n: 8 });
    expect((await livePending).value).toEqual({ data: { tick: { n: 8, secret: 'secret 8' } } });
    expect((await replayingPending).value).toEqual({ data: { tick: { n: 8, secret: 'secret 8' } } });
    await Promise.all([live.return(undefined), replaying.return(undefined)]);
  });

  it('ends the subscribers that unsubscribe without disturbing the others of the same feed', async () => {
    const first = await subscribeAs(overlay, query, { channel: 'e' });
    const second = await subscribeAs(overlay, query, { channel: 'e' });
    const secondPending = second.next();
    await settle();
    await first.return(undefined);
    expect(await first.next()).toEqual({ value: undefined, done: true });
    pubsub.publish('tick', 'e', { n: 9 });
    expect((await secondPending).value).toEqual({ data: { tick: { n: 9, secret: null } } });
    await second.return(undefined);
  });
});

describe('shared subscription execution: results serialized once for direct sinks', () => {
  type Tick = { n: number };
  interface Context {
    principal: Principal;
    sink?: DirectResultSink;
  }
  const pubsub = createPubSub<{ tick: [channel: string, payload: Tick] }>();
  const schema = createSchema<Context>({
    typeDefs: /* GraphQL */ `
      type Query {
        ok: Boolean
      }
      type Tick {
        n: Int!
        "Fails for a negative n (an error-carrying result)."
        checked: Int
        label: String
      }
      type Subscription {
        "Channels 'ends' and 'fails': one tick, then the stream ends (done, or with an error)."
        tick(channel: String!): Tick!
      }
    `,
    resolvers: {
      Subscription: {
        tick: {
          subscribe: (_root: unknown, args: { channel: string }) => {
            if (args.channel !== 'ends' && args.channel !== 'fails') return pubsub.subscribe('tick', args.channel);
            return new Repeater<Tick>(async (push, stop) => {
              await new Promise((resolve) => setTimeout(resolve, 30));
              await push({ n: 7 });
              stop(args.channel === 'fails' ? new Error('secret failure') : undefined);
            });
          },
          resolve: (tick: Tick) => tick,
        },
      },
      Tick: {
        checked: (tick: Tick) => {
          if (tick.n < 0) throw new Error(`secret detail ${tick.n}`);
          return tick.n;
        },
        label: (tick: Tick) => `tick "${tick.n}" ✓`,
      },
    },
  });
  const serializations: Buffer[] = [];
  const yoga = createYoga<Context>({
    schema,
    maskedErrors: true,
    logging: false,
    plugins: [
      useSharedSubscriptionExecution<Context>({
        authorizationKey: (context) => principalAuthorizationKey(context.principal),
        tooSlowError: (limit) => new SubscriberTooSlowError(limit),
        channelArguments: ['channel'],
        directSink: (context) => context.sink,
        maskError: createErrorMasking(pino({ level: 'silent' })),
      }),
    ],
  });
  const query = `subscription ($channel: String!) { tick(channel: $channel) { n checked label } }`;
  const service: Principal = { kind: 'service' };

  async function subscribeAs(sink: DirectResultSink | undefined, channel: string) {
    const { parse, subscribe: run, contextFactory, schema: enveloped } = yoga.getEnveloped({ principal: service, sink });
    const result = await run({ schema: enveloped, document: parse(query), variableValues: { channel }, contextValue: await contextFactory() });
    return result as AsyncGenerator<ExecutionResult>;
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
  const collector = () => {
    const texts: string[] = [];
    const ends: Array<Error | undefined> = [];
    let feed: FeedMembership | undefined;
    const sink: DirectResultSink = {
      joined: (joined) => (feed = joined),
      next: (bytes) => {
        serializations.push(bytes);
        texts.push(bytes.toString());
      },
      end: (error) => ends.push(error),
    };
    return { texts, ends, sink, leave: () => feed?.leave(sink) };
  };

  it('writes every sink the same bytes once per event, errors masked and last (as graphql-ws orders them), in order', async () => {
    const first = collector();
    const second = collector();
    const direct = await subscribeAs(first.sink, 'a');
    // What a direct subscriber gets back is an empty stream (the transport drops it).
    expect(await direct.next()).toEqual({ value: undefined, done: true });
    await subscribeAs(second.sink, 'a');
    const plain = await subscribeAs(undefined, 'a');
    const plainPending = plain.next();
    await settle();
    pubsub.publish('tick', 'a', { n: 1 });
    const plainFirst = (await plainPending).value as ExecutionResult;
    await settle();
    expect(first.texts).toEqual([JSON.stringify(plainFirst)]);
    expect(second.texts).toEqual(first.texts);
    // Serialized once: both sinks got the very same bytes.
    expect(serializations[0]).toBe(serializations[1]);

    pubsub.publish('tick', 'a', { n: -1 });
    pubsub.publish('tick', 'a', { n: 2 });
    const plainFailed = (await plain.next()).value as ExecutionResult;
    const plainThird = (await plain.next()).value as ExecutionResult;
    await settle();
    expect(first.texts).toHaveLength(3);
    const failed = first.texts[1]!;
    // The iterator path's masked result, with `errors` after `data` as graphql-ws sends it.
    const { errors, ...rest } = plainFailed;
    expect(failed).toBe(JSON.stringify({ ...rest, errors: errors!.map((error) => error.toJSON()) }));
    expect(failed).toContain('Unexpected error.');
    expect(failed).not.toContain('secret detail');
    expect(first.texts[2]).toBe(JSON.stringify(plainThird));
    expect(second.texts).toEqual(first.texts);

    // A sink that leaves gets nothing more; the others go on.
    first.leave();
    pubsub.publish('tick', 'a', { n: 3 });
    await settle();
    expect(first.texts).toHaveLength(3);
    expect(second.texts).toHaveLength(4);
    second.leave();
    await plain.return(undefined);
    expect(first.ends).toEqual([]);
  });

  it('tells a sink when its stream ends: done, or with the masked error', async () => {
    const done = collector();
    const failed = collector();
    await subscribeAs(done.sink, 'ends');
    await subscribeAs(failed.sink, 'fails');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(done.texts).toEqual(['{"data":{"tick":{"n":7,"checked":7,"label":"tick \\"7\\" ✓"}}}']);
    expect(done.ends).toEqual([undefined]);
    expect(failed.texts).toHaveLength(1);
    expect(failed.ends).toHaveLength(1);
    expect(failed.ends[0]!.message).toBe('Unexpected error.');
  });
});
