// @ts-nocheck
import { readFileSync } from 'node:fs';
const snap = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const meta = snap.snapshot.meta;
const nf = meta.node_fields.length, ef = meta.edge_fields.length;
const nodes: number[] = snap.nodes, edges: number[] = snap.edges, strings: string[] = snap.strings;
const ntypes = meta.node_types[0], etypes = meta.edge_types[0];
const iT = meta.node_fields.indexOf('type'), iN = meta.node_fields.indexOf('name'), iS = meta.node_fields.indexOf('self_size'), iE = meta.node_fields.indexOf('edge_count');
const eT = meta.edge_fields.indexOf('type'), eN = meta.edge_fields.indexOf('name_or_index'), eTo = meta.edge_fields.indexOf('to_node');
const count = nodes.length / nf;
const first = new Int32Array(count + 1); for (let i = 0, e = 0; i < count; i++) { first[i] = e; e += nodes[i * nf + iE] * ef; } first[count] = edges.length;
const name = (i: number) => strings[nodes[i * nf + iN]];
const type = (i: number) => ntypes[nodes[i * nf + iT]];
const edgesOf = function* (i: number) { for (let e = first[i]; e < first[i + 1]; e += ef) yield { t: etypes[edges[e + eT]], n: etypes[edges[e + eT]] === 'element' || etypes[edges[e + eT]] === 'hidden' ? String(edges[e + eN]) : strings[edges[e + eN]], to: edges[e + eTo] / nf }; };
const agg = new Map<string, number>();
for (let i = 0; i < count; i++) {
  if (type(i) !== 'closure' || name(i) !== '') continue;
  let props: any = null, nameVal = '', shared = '', ctxNames: string[] = [];
  for (const e of edgesOf(i)) {
    if (e.t === 'internal' && e.n === 'properties' && name(e.to) === '(object properties)' && nodes[e.to * nf + iS] > 100) props = e.to;
    if (e.t === 'property' && e.n === 'name') nameVal = name(e.to);
    if (e.t === 'internal' && e.n === 'shared') { shared = name(e.to); for (const s of edgesOf(e.to)) if (s.t === 'internal' && s.n === 'script') for (const sc of edgesOf(s.to)) if (sc.n === 'name') shared += ' @' + name(sc.to); }
    if (e.t === 'internal' && e.n === 'context') for (const c of edgesOf(e.to)) if (c.t === 'context') ctxNames.push(c.n);
  }
  if (props === null) continue;
  const k = `name=${nameVal} shared=${shared} ctx=[${ctxNames.slice(0, 8).join(',')}]`;
  agg.set(k, (agg.get(k) ?? 0) + 1);
}
console.log([...agg].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v}\t${k}`).join('\n'));
