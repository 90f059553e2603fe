import { makeServer } from 'graphql-ws';
import { parse, buildSchema } from 'graphql';
const schema = buildSchema('type Query { a: Int } type Subscription { s(x: ID!): Int }');
const query = 'subscription S($x: ID!) { s(x: $x) }' + ' '.repeat(Number(process.env.PAD ?? 250));
const doc = parse(query);
const never = new Promise(() => {});
class It { next() { return never; } return() { return Promise.resolve({ done: true, value: undefined }); } throw() { return never; } [Symbol.asyncIterator]() { return this; } }
const server = makeServer<any, any>({
  schema,
  connectionInitWaitTimeout: 0,
  onConnect: () => true,
  onSubscribe: (ctx, id, payload) => ({ schema, document: doc, variableValues: payload.variables, contextValue: null, rootValue: null, operationName: payload.operationName }),
  subscribe: () => new It() as any,
});
const N = 20000;
const socks: any[] = [];
const gc = () => { (globalThis as any).gc(); (globalThis as any).gc(); };
const mem = async () => { await new Promise((r) => setTimeout(r, 100)); gc(); return process.memoryUsage().heapUsed; };
const m0 = await mem();
for (let i = 0; i < N; i++) {
  const sock: any = { protocol: 'graphql-transport-ws', send: async () => {}, close: () => {}, onMessage(h: any) { this.h = h; } };
  sock.closed = server.opened(sock, {});
  socks.push(sock);
}
const m1 = await mem();
for (const sock of socks) await sock.h(JSON.stringify({ type: 'connection_init', payload: { overlayKey: 'k'.repeat(40) } }));
const m2 = await mem();
let i = 0;
for (const sock of socks) void sock.h(JSON.stringify({ id: String(i++ % 3), type: 'subscribe', payload: { query, variables: { x: 'streamer-id-abcdefgh' } } }));
const m3 = await mem();
console.log('opened', ((m1 - m0) / N).toFixed(0), 'init', ((m2 - m1) / N).toFixed(0), 'subscribe', ((m3 - m2) / N).toFixed(0));
