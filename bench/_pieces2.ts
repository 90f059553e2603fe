// @ts-nocheck
import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import { startTestApp } from '../test/support/test-app';
import { contractOperation } from '../test/support/graphql';
import { createStreamer } from '../test/support/factories';
import { realRedisUrl } from '../test/support/services';
import { createGraphQLServer } from '../src/http/yoga';
function summarize(file: string) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const f = snap.snapshot.meta.node_fields as string[]; const types = snap.snapshot.meta.node_types[0];
  const n = f.length; const nodes = snap.nodes as number[]; const strings = snap.strings as string[];
  const iType = f.indexOf('type'), iName = f.indexOf('name'), iSize = f.indexOf('self_size');
  const agg = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < nodes.length; i += n) {
    const key = `${types[nodes[i + iType]]}:${strings[nodes[i + iName]]}`.slice(0, 80);
    const a = agg.get(key) ?? { count: 0, size: 0 }; a.count++; a.size += nodes[i + iSize]; agg.set(key, a);
  }
  return agg;
}
const gc = () => { globalThis.gc!(); globalThis.gc!(); };
const N = 3000;
const app = await startTestApp({ env: { REDIS_URL: process.env.NOREDIS ? undefined : await realRedisUrl() } });
const s = await createStreamer(app.url);
const yoga = createGraphQLServer(app.services);
const query = contractOperation('WinnerDrawn');
const principal = { kind: 'overlay', streamerId: s.id } as const;
const make = async () => {
  const e = yoga.getEnveloped({ connectionInitReceived: true, acknowledged: true, subscriptions: {}, extra: {}, connectionParams: {}, principal, params: { query, variables: { streamerId: s.id } } } as any);
  const document = e.parse(query);
  const ctx = await e.contextFactory();
  const it: any = await e.subscribe({ schema: e.schema, document, variableValues: { streamerId: s.id }, contextValue: ctx, rootValue: { execute: e.execute, subscribe: e.subscribe } } as any);
  void it.next();
  return it;
};
const keep: unknown[] = [];
await make(); await new Promise((r) => setTimeout(r, 1000)); gc();
const m0 = process.memoryUsage().heapUsed; const f0 = v8.writeHeapSnapshot('/tmp/p0.heapsnapshot');
for (let i = 0; i < N; i++) keep.push(await make());
await new Promise((r) => setTimeout(r, 3000)); gc();
const m1 = process.memoryUsage().heapUsed; const f1 = v8.writeHeapSnapshot('/tmp/p1.heapsnapshot');
console.log('per sub', (m1 - m0) / N);
const a0 = summarize(f0), a1 = summarize(f1);
const rows = [...a1].map(([k, v]) => { const b = a0.get(k) ?? { count: 0, size: 0 }; return [k, (v.count - b.count) / N, (v.size - b.size) / N] as const; }).filter(r => Math.abs(r[2]) > 30).sort((x, y) => y[2] - x[2]);
for (const r of rows.slice(0, 70)) console.log(r[2].toFixed(0).padStart(6), r[1].toFixed(2).padStart(6), r[0].replace(/\n/g, ' '));
await app.stop(); process.exit(0);
