const N = 20000;
const gc = () => { (globalThis as any).gc(); (globalThis as any).gc(); };
const mem = async () => { await new Promise((r) => setTimeout(r, 100)); gc(); return process.memoryUsage().heapUsed; };
const keep: any[] = [];
let m0 = await mem();
for (let i = 0; i < N; i++) keep.push(Object.create(null));
let m1 = await mem(); console.log('Object.create(null)', ((m1 - m0) / N).toFixed(0));
for (let i = 0; i < N; i++) keep.push({ protocol: 'graphql-transport-ws', send: async () => {}, close: () => {}, onMessage(h: any) { (this as any).h = h; } });
let m2 = await mem(); console.log('fake sock', ((m2 - m1) / N).toFixed(0));
for (let i = 0; i < N; i++) { const ctx = { a: false, b: false, s: null, e: null }; keep.push(async function f(d: string) { await null; return ctx; }, async () => ctx); }
let m3 = await mem(); console.log('2 closures+ctx', ((m3 - m2) / N).toFixed(0));
