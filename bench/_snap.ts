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
const firstEdge = new Int32Array(count + 1);
for (let i = 0, e = 0; i < count; i++) { firstEdge[i] = e; e += nodes[i * nf + iE] * ef; } firstEdge[count] = edges.length;
const name = (i: number) => strings[nodes[i * nf + iN]];
const type = (i: number) => ntypes[nodes[i * nf + iT]];
// owners of property arrays: group by owner name + first prop names
const owner = new Map<number, number>();
const groups = new Map<string, { n: number; size: number }>();
for (let i = 0; i < count; i++) {
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) {
    const et = etypes[edges[e + eT]];
    const to = edges[e + eTo] / nf;
    if (et === 'internal' && strings[edges[e + eN]] === 'properties') {
      const props: string[] = [];
      for (let f = firstEdge[i]; f < firstEdge[i + 1] && props.length < 12; f += ef) if (etypes[edges[f + eT]] === 'property') props.push(strings[edges[f + eN]]);
      const key = `${type(i)}:${name(i)} {${props.join(',')}}`;
      const g = groups.get(key) ?? { n: 0, size: 0 }; g.n++; g.size += nodes[to * nf + iS]; groups.set(key, g);
    }
  }
}
for (const [k, g] of [...groups].sort((a, b) => b[1].size - a[1].size).slice(0, 25)) console.log(String(g.size).padStart(9), String(g.n).padStart(6), k.slice(0, 220));
const names = new Map<string, number>();
for (let i = 0; i < count; i++) {
  if (type(i) !== 'closure') continue;
  let hasProps = false; let nm = '';
  for (let e = firstEdge[i]; e < firstEdge[i + 1]; e += ef) {
    const et = etypes[edges[e + eT]]; const en = et === 'element' || et === 'hidden' ? '' : strings[edges[e + eN]];
    if (et === 'internal' && en === 'properties') hasProps = true;
    if (et === 'property' && en === 'name') nm = name(edges[e + eTo] / nf);
    if (et === 'internal' && en === 'shared') nm += ' shared=' + name(edges[e + eTo] / nf);
  }
  if (hasProps) names.set(nm, (names.get(nm) ?? 0) + 1);
}
console.log([...names].sort((a, b) => b[1] - a[1]).slice(0, 20));
