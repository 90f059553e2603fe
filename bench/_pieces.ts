// @ts-nocheck
import { parse } from 'graphql';
import { startTestApp } from '../test/support/test-app';
import { contractOperation } from '../test/support/graphql';
import { createStreamer } from '../test/support/factories';
import { realRedisUrl } from '../test/support/services';
import { createGraphQLServer } from '../src/http/yoga';
import { withCatchUp } from '../src/pubsub/catch-up';
const gc = () => { globalThis.gc!(); globalThis.gc!(); };
const N = 5000;
const app = await startTestApp({ env: { REDIS_URL: await realRedisUrl() } });
const s = await createStreamer(app.url);
const yoga = createGraphQLServer(app.services);
const query = contractOperation('WinnerDrawn');
async function measure(label: string, make: (i: number) => Promise<unknown> | unknown) {
  const keep: unknown[] = new Array(N);
  await make(-1); gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) keep[i] = await make(i);
  await new Promise((r) => setTimeout(r, 3000));
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(label.padEnd(50), ((after - before) / N).toFixed(0), 'bytes each');
  for (const k of keep) { const it = (k as any)?.it ?? k; if (it && typeof it.return === 'function') await it.return(); }
}
const principal = { kind: 'overlay', streamerId: s.id } as const;
const sharedCtx = await yoga.getEnveloped({ principal } as any).contextFactory();
await measure('bus.subscribe (Repeater)', () => app.services.events.subscribe('winnerDrawn', s.id));
await measure('withCatchUp(bus.subscribe)', () => withCatchUp(app.services.events, app.services.events.subscribe('winnerDrawn', s.id), { latestId: async () => 0, after: async () => [], idOf: (e: any) => e.roundId }, app.services.logger.child({ subsystem: 'subscriptions' })));
await measure('logger.child', () => app.services.logger.child({ subsystem: 'subscriptions' }));
await measure('getEnveloped + contextFactory', async () => {
  const e = yoga.getEnveloped({ principal, params: { query } } as any);
  const ctx = await e.contextFactory();
  return { e, ctx };
});
await measure('full enveloped subscribe (plugin on)', async () => {
  const e = yoga.getEnveloped({ connectionInitReceived: true, acknowledged: true, subscriptions: {}, extra: {}, connectionParams: {}, principal, params: { query, variables: { streamerId: s.id } } } as any);
  const document = e.parse(query);
  const ctx = await e.contextFactory();
  const it = await e.subscribe({ schema: e.schema, document, variableValues: { streamerId: s.id }, contextValue: ctx, rootValue: { execute: e.execute, subscribe: e.subscribe } } as any);
  return { it, e, ctx };
});

const { createSourceEventStream } = await import('graphql');
await measure('bus.subscribe + next()', () => { const it: any = app.services.events.subscribe('winnerDrawn', s.id); void it.next(); return { it }; });
await measure('withCatchUp + next()', () => { const it: any = withCatchUp(app.services.events, app.services.events.subscribe('winnerDrawn', s.id), { latestId: async () => 0, after: async () => [], idOf: (e: any) => e.roundId }, app.services.logger.child({ subsystem: 'subscriptions' })); void it.next(); return { it }; });
await measure('createSourceEventStream (ctx shared) + next()', async () => {
  const it: any = await createSourceEventStream({ schema: yoga.getEnveloped({}).schema, document: parse(query), variableValues: { streamerId: s.id }, contextValue: sharedCtx } as any);
  void it.next();
  return { it };
});
await measure('createSourceEventStream (ctx shared)', async () => {
  const it = await createSourceEventStream({ schema: yoga.getEnveloped({}).schema, document: parse(query), variableValues: { streamerId: s.id }, contextValue: sharedCtx } as any);
  return { it };
});
await measure('createSourceEventStream (ctx each) + next()', async () => {
  const e = yoga.getEnveloped({ principal, params: { query } } as any);
  const ctx = await e.contextFactory();
  const it: any = await createSourceEventStream({ schema: e.schema, document: e.parse(query), variableValues: { streamerId: s.id }, contextValue: ctx } as any);
  void it.next();
  return { it };
});
await measure('full enveloped subscribe + next()', async () => {
  const e = yoga.getEnveloped({ connectionInitReceived: true, acknowledged: true, subscriptions: {}, extra: {}, connectionParams: {}, principal, params: { query, variables: { streamerId: s.id } } } as any);
  const document = e.parse(query);
  const ctx = await e.contextFactory();
  const it: any = await e.subscribe({ schema: e.schema, document, variableValues: { streamerId: s.id }, contextValue: ctx, rootValue: { execute: e.execute, subscribe: e.subscribe } } as any);
  void it.next();
  return { it, e, ctx };
});
await app.stop(); process.exit(0);
