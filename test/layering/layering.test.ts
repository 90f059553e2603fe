import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLayering, type LayeringViolation } from '../support/layering';

/*
 * The dependency rules of src/ (see test/support/layering.ts): src/twitch/api/** stands alone and
 * is reached through its index, only src/main.ts and src/app/** import src/app/**, no import cycles.
 */

/** Violations accepted for now: none. A new one fails the test; keep it that way. */
const KNOWN_VIOLATIONS: LayeringViolation[] = [];

const repositoryRoot = path.resolve(import.meta.dirname, '../..');

describe('layering of src/', () => {
  it('has no violation beyond the known ones, and every known one still exists', async () => {
    const violations = await checkLayering({ baseDir: repositoryRoot });
    expect({ new: violations.filter((v) => !KNOWN_VIOLATIONS.includes(v)), gone: KNOWN_VIOLATIONS.filter((v) => !violations.includes(v)) }).toEqual({
      new: [],
      gone: [],
    });
  });
});

/**
 * A small tree that keeps every rule: main -> app -> features; a Twitch API client that imports
 * node builtins and itself; features that import each other without a cycle.
 */
const CLEAN_TREE: Record<string, string> = {
  'src/main.ts': "import { createApp } from './app/app';\nexport const app = createApp();\n",
  'src/app/app.ts':
    "import { helix } from '../twitch/api/index';\nimport { draw } from '../raffles/draw';\nimport type { Services } from './services';\n" +
    'export function createApp(): Services { return { helix, draw }; }\n',
  'src/app/services.ts': 'export interface Services { helix: unknown; draw: unknown }\n',
  'src/twitch/api/helix.ts':
    "import { randomUUID } from 'node:crypto';\nimport { HelixError } from './errors';\nexport const helix = () => (randomUUID() ? undefined : new HelixError());\n",
  'src/twitch/api/errors.ts': 'export class HelixError extends Error {}\n',
  'src/twitch/api/index.ts': "export { helix } from './helix';\nexport { HelixError } from './errors';\n",
  'src/twitch/announce.ts': "import { helix } from './api/index';\nimport { config } from '../config/config';\nexport const announce = () => [helix, config];\n",
  'src/twitch/token-store.ts': 'export const tokenStore = new Map<string, string>();\n',
  'src/config/config.ts': 'export const config = { twitch: true };\n',
  'src/raffles/draw.ts': "import { kick } from '../outbox/kick';\nexport const draw = () => kick();\n",
  'src/outbox/kick.ts': "import { db } from '../db/database';\nexport const kick = () => db;\n",
  'src/generated/prisma/client.ts': 'export const Prisma = {};\n',
  'src/db/database.ts': "import { Prisma } from '../generated/prisma/client';\nexport const db = Prisma;\n",
};

/** The clean tree with one import added to `file` (appended: every file above imports only at the top). */
function withImport(file: string, specifier: string, name: string): Record<string, string> {
  return { ...CLEAN_TREE, [file]: `import { ${name} } from '${specifier}';\n${CLEAN_TREE[file]}export const uses = ${name};\n` };
}

const scratchRoots: string[] = [];
afterAll(async () => {
  for (const root of scratchRoots) await rm(root, { recursive: true, force: true });
});

async function checkTree(files: Record<string, string>): Promise<LayeringViolation[]> {
  const baseDir = await mkdtemp(path.join(tmpdir(), 'kinoyu-layering-'));
  scratchRoots.push(baseDir);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(baseDir, file)), { recursive: true });
    await writeFile(path.join(baseDir, file), text);
  }
  return checkLayering({ baseDir });
}

describe('the layering rules fail on a wrong import', () => {
  it('accept the clean tree (so each violation below comes from its one bad import)', async () => {
    expect(await checkTree(CLEAN_TREE)).toEqual([]);
  });

  it.each<[string, Record<string, string>, LayeringViolation[]]>([
    [
      'the Twitch API client importing the app config',
      withImport('src/twitch/api/helix.ts', '../../config/config', 'config'),
      ['twitch-api-standalone: src/twitch/api/helix.ts -> src/config/config.ts'],
    ],
    [
      'the Twitch API client importing the generated Prisma client',
      withImport('src/twitch/api/errors.ts', '../../generated/prisma/client', 'Prisma'),
      ['twitch-api-standalone: src/twitch/api/errors.ts -> src/generated/prisma/client.ts'],
    ],
    [
      'the Twitch API client importing a file of its feature folder',
      withImport('src/twitch/api/errors.ts', '../token-store', 'tokenStore'),
      ['twitch-api-standalone: src/twitch/api/errors.ts -> src/twitch/token-store.ts'],
    ],
    [
      'a feature importing an inner file of the Twitch API client',
      withImport('src/twitch/token-store.ts', './api/errors', 'HelixError'),
      ['twitch-api-through-index: src/twitch/token-store.ts -> src/twitch/api/errors.ts'],
    ],
    [
      'a feature importing the composition root',
      withImport('src/outbox/kick.ts', '../app/services', 'Services'),
      ['app-only-from-entry: src/outbox/kick.ts -> src/app/services.ts'],
    ],
    [
      'a cycle through three files',
      withImport('src/db/database.ts', '../raffles/draw', 'draw'),
      ['no-cycles: src/db/database.ts -> src/raffles/draw.ts -> src/outbox/kick.ts -> src/db/database.ts'],
    ],
    [
      'a cycle between two features',
      withImport('src/outbox/kick.ts', '../raffles/draw', 'draw'),
      ['no-cycles: src/outbox/kick.ts -> src/raffles/draw.ts -> src/outbox/kick.ts'],
    ],
  ])('%s', async (_name, tree, expected) => {
    expect(await checkTree(tree)).toEqual(expected);
  });
});
