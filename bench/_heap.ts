// @ts-nocheck
import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import { startTestApp } from '../test/support/test-app';
import { contractOperation } from '../test/support/graphql';
import { createStreamer } from '../test/support/factories';
import { spawnWorker } from './lib/rpc';
import { realRedisUrl } from '../test/support/services';

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
const N = Number(process.argv[2] ?? 2000);
const app = await startTestApp({ env: { REDIS_URL: process.env.NOREDIS ? undefined : await realRedisUrl() } });
const s = await createStreamer(app.url);
const key = new URL(s.overlayUrl).searchParams.get('key')!;
const client = spawnWorker(new URL('./fanout/client-worker.ts', import.meta.url), { name: 'c' });
const spec = (fleet: string, count: number) => ({ fleet, urls: [app.url.replace('http', 'ws') + '/graphql'], count, query: contractOperation('WinnerDrawn'), variables: { streamerId: s.id }, paramsCycle: [{ overlayKey: key }], concurrency: 32, subscribe: process.env.SUB !== '0' });
await client.call('connect', spec('w', 10)); await new Promise(r => setTimeout(r, 500)); await client.call('close', { fleet: 'w' });
globalThis.gc?.(); globalThis.gc?.();
const m0 = process.memoryUsage();
const f0 = v8.writeHeapSnapshot('/tmp/h0.heapsnapshot');
await client.call('connect', spec('a', N), 300000);
await new Promise(r => setTimeout(r, 1500));
globalThis.gc?.(); globalThis.gc?.();
const m1 = process.memoryUsage();
const f1 = v8.writeHeapSnapshot('/tmp/h1.heapsnapshot');
console.log('heap/sub', (m1.heapUsed - m0.heapUsed) / N, 'rss/sub', (m1.rss - m0.rss) / N, 'external/sub', (m1.external - m0.external) / N);
const a0 = summarize(f0), a1 = summarize(f1);
const rows = [...a1].map(([k, v]) => { const b = a0.get(k) ?? { count: 0, size: 0 }; return [k, (v.count - b.count) / N, (v.size - b.size) / N] as const; }).filter(r => Math.abs(r[2]) > 40).sort((x, y) => y[2] - x[2]);
for (const r of rows.slice(0, 60)) console.log(r[2].toFixed(0).padStart(6), r[1].toFixed(2).padStart(6), r[0]);
await client.stop(); await app.stop(); process.exit(0);
