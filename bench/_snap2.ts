// @ts-nocheck
import { readFileSync } from 'node:fs';
const snap = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const target = process.argv[3] ?? '(object properties)';
const meta = snap.snapshot.meta;
const nf = meta.node_fields.length, ef = meta.edge_fields.length;
const nodes: number[] = snap.nodes, edges: number[] = snap.edges, strings: string[] = snap.strings;
const ntypes = meta.node_types[0], etypes = meta.edge_types[0];
const iT = meta.node_fields.indexOf('type'), iN = meta.node_fields.indexOf('name'), iS = meta.node_fields.indexOf('self_size'), iE = meta.node_fields.indexOf('edge_count');
const eT = meta.edge_fields.indexOf('type'), eN = meta.edge_fields.indexOf('name_or_index'), eTo = meta.edge_fields.indexOf('to_node');
const count = nodes.length / nf;
const name = (i: number) => strings[nodes[i * nf + iN]];
const type = (i: number) => ntypes[nodes[i * nf + iT]];
const groups = new Map<string, { n: number; size: number }>();
for (let i = 0, e = 0; i < count; i++) {
  const ec = nodes[i * nf + iE];
  const props: string[] = [];
  const targets: number[] = [];
  for (let k = 0; k < ec; k++, e += ef) {
    const et = etypes[edges[e + eT]];
    const to = edges[e + eTo] / nf;
    if (et === 'property' && props.length < 10) props.push(strings[edges[e + eN]]);
    if (et === 'context' && props.length < 10) props.push('ctx:' + strings[edges[e + eN]]);
    if (name(to) === target && type(to) === (process.argv[4] ?? 'array') && nodes[to * nf + iS] >= Number(process.argv[5] ?? 0)) targets.push(to);
  }
  for (const t of targets) {
    const key = `${type(i)}:${name(i)} {${props.join(',')}}`;
    const g = groups.get(key) ?? { n: 0, size: 0 }; g.n++; g.size += nodes[t * nf + iS]; groups.set(key, g);
  }
}
for (const [k, g] of [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, 30)) console.log(String(g.size).padStart(9), String(g.n).padStart(6), k.slice(0, 200));
