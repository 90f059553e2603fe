// @ts-nocheck
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { startTestApp } from '../test/support/test-app';
import { contractOperation } from '../test/support/graphql';
import { addItems, createStreamer, startRaffle } from '../test/support/factories';
import { generateViewers } from '../src/chatters/in-memory-chatter-source';
import { spawnWorker } from './lib/rpc';
import { realRedisUrl } from '../test/support/services';
const N = Number(process.argv[2] ?? 5000);
const app = await startTestApp({ env: { REDIS_URL: process.env.NOREDIS ? undefined : await realRedisUrl() } });
const s = await createStreamer(app.url);
app.chatters.set(s.id, generateViewers(1000));
await addItems(app.url, s.id, [{ name: 'a', weight: 1, stock: 1000 }]);
const raffle = await startRaffle(app.url, { streamerId: s.id, intervalSeconds: 86400 });
const key = new URL(s.overlayUrl).searchParams.get('key')!;
const client = spawnWorker(new URL('./fanout/client-worker.ts', import.meta.url), { name: 'c' });
await client.call('connect', { fleet: 'a', urls: [app.url.replace('http', 'ws') + '/graphql'], count: N, query: contractOperation('WinnerDrawn'), variables: { streamerId: s.id }, paramsCycle: [{ overlayKey: key }], concurrency: 64 }, 300000);
const wait = async (id) => { for (;;) { const [c] = await client.call('counts', { fleet: 'a', ids: [id] }); if (c >= N) return; await new Promise(r => setTimeout(r, 20)); } };
for (let i = 0; i < 2; i++) { const r = await app.services.rounds.run(raffle.id, { force: true }); await wait(String(r.round.id)); }
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 200 }); await session.post('Profiler.start');
const t0 = performance.now();
for (let i = 0; i < 5; i++) { const r = await app.services.rounds.run(raffle.id, { force: true }); const a = performance.now(); await wait(String(r.round.id)); console.log('delivered in', (performance.now() - a).toFixed(0), 'ms'); }
const { profile } = await session.post('Profiler.stop');
writeFileSync('/tmp/fanout.cpuprofile', JSON.stringify(profile));
// self time by function
const self = new Map(); const total = profile.samples.length;
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const counts = new Map(); for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
for (const [id, c] of counts) { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/node_modules/').pop().split('/work/main/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + c); }
for (const [k, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log((100 * c / total).toFixed(1).padStart(5) + '%', k);
await client.stop(); await app.stop(); process.exit(0);
