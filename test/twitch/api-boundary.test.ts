/** src/twitch/api is a generic Twitch client: it may import node builtins, libraries and its own files, nothing of the app. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const API_DIR = path.resolve(import.meta.dirname, '../../src/twitch/api');
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

async function specifiersOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(SPECIFIER)].map((match) => match[1] ?? match[2] ?? '');
}

describe('the generic Twitch client (src/twitch/api)', () => {
  it('imports only node builtins, libraries and its own files', async () => {
    const files = (await readdir(API_DIR)).filter((name) => name.endsWith('.ts'));
    expect(files).toContain('index.ts');
    const outside: string[] = [];
    for (const name of files) {
      for (const specifier of await specifiersOf(path.join(API_DIR, name))) {
        const local = specifier.startsWith('.');
        if (local && path.dirname(path.resolve(API_DIR, specifier)) !== API_DIR) outside.push(`${name}: ${specifier}`);
        if (!local && (specifier.startsWith('src/') || specifier.startsWith('@/'))) outside.push(`${name}: ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('is reached through its index by the rest of the app', async () => {
    const offenders: string[] = [];
    const root = path.resolve(import.meta.dirname, '../../src');
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const file = path.join(entry.parentPath, entry.name);
      if (file.startsWith(API_DIR + path.sep) || file.includes(`${path.sep}generated${path.sep}`)) continue;
      for (const specifier of await specifiersOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), specifier);
        if (target.startsWith(API_DIR + path.sep)) offenders.push(`${path.relative(root, file)}: ${specifier}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
