import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The verify page runs src/fairness/verify.ts in the viewer's browser: it and everything it
 * imports may use only relative modules and @noble/* (no node: builtins, no app modules).
 */

const root = path.resolve(import.meta.dirname, '../..');

async function importGraph(entry: string): Promise<{ files: string[]; external: string[] }> {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (files.has(file)) return;
    files.add(file);
    const text = await readFile(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) await visit(path.join(path.dirname(file), `${specifier}.ts`));
      else external.add(specifier);
    }
  };
  await visit(entry);
  return { files: [...files].sort(), external: [...external].sort() };
}

describe('the verifier is browser-safe', () => {
  it('imports only fairness modules and @noble/*', async () => {
    const graph = await importGraph('src/fairness/verify.ts');
    expect(graph.files.every((file) => file.startsWith('src/fairness/') && !file.includes('/cli/'))).toBe(true);
    expect(graph.files).toContain('src/fairness/drand-chain.ts');
    expect(graph.external.filter((specifier) => !specifier.startsWith('@noble/'))).toEqual([]);
  });
});
