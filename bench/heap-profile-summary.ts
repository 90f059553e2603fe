/**
 * tsx bench/heap-profile-summary.ts <file.heapprofile> [top]: live bytes by allocating function of
 * a V8 sampling heap profile (as written under BENCH_HEAP_PROF_DIR by the fan-out bench), as a
 * Markdown table.
 */
import { readFile } from 'node:fs/promises';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/heap-profile-summary.ts <file.heapprofile> [top]');
const top = Number(topArg ?? 30);
const { head } = JSON.parse(await readFile(file, 'utf8')) as { head: HeapNode };
const byFunction = new Map<string, number>();
let total = 0;
const short = (url: string) => {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : url;
};
const walk = (node: HeapNode, parent: string) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = url ? `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}` : `${functionName || '(anonymous)'} ← ${parent}`;
  if (node.selfSize > 0) {
    byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const child of node.children) walk(child, url ? name : parent);
};
walk(head, '(root)');
console.log(`${file}: ${(total / 1024 / 1024).toFixed(1)} MiB live\n\n| allocated in | KiB | share |\n|---|---|---|`);
for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| ${name.replaceAll('|', '\\|')} | ${(bytes / 1024).toFixed(0)} | ${((100 * bytes) / total).toFixed(1)} % |`);
}
