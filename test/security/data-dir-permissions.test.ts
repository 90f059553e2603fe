/** DATA_DIR (embedded database, development secrets) is owner-only whatever the umask. */
import { chmod, lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config';
import { resolveSecrets } from '../../src/config/dev-secrets';
import { startTestApp } from '../support/test-app';

/** Every path under `root` (root included) whose mode lets group or others in, with its mode. */
async function looseEntries(root: string): Promise<string[]> {
  const loose: string[] = [];
  const visit = async (file: string) => {
    const stats = await lstat(file);
    if ((stats.mode & 0o077) !== 0) loose.push(`${(stats.mode & 0o777).toString(8)} ${path.relative(root, file) || '.'}`);
    if (stats.isDirectory()) for (const name of await readdir(file)) await visit(path.join(file, name));
  };
  await visit(root);
  return loose;
}

const modeOf = async (file: string) => (await lstat(file)).mode & 0o777;

describe('DATA_DIR permissions', () => {
  let previousUmask: number;
  const removals: string[] = [];
  beforeAll(() => {
    // The most permissive umask: modes must come from the code, not from the environment.
    previousUmask = process.umask(0);
  });
  afterAll(async () => {
    process.umask(previousUmask);
    for (const directory of removals) await rm(directory, { recursive: true, force: true });
  });

  async function worldReadableDataDir(): Promise<string> {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'kinoyu-perm-'));
    removals.push(dataDir);
    await chmod(dataDir, 0o777);
    return dataDir;
  }

  it('a started app with the embedded database keeps DATA_DIR 0700 and its files owner-only', async () => {
    const dataDir = await worldReadableDataDir();
    const api = await startTestApp({ embedded: true, env: { DATA_DIR: dataDir } });
    try {
      expect(await modeOf(dataDir)).toBe(0o700);
      expect(await modeOf(path.join(dataDir, 'pglite'))).toBe(0o700);
      // A real PGlite data directory: hundreds of files, none open to group or others.
      const files = await readdir(path.join(dataDir, 'pglite'), { recursive: true });
      expect(files.length).toBeGreaterThan(100);
      expect(files).toContain('PG_VERSION');
      expect(await looseEntries(dataDir)).toEqual([]);
      expect(await modeOf(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(0o600);
      // The app works on it.
      expect((await api.services.db.$queryRaw<{ one: number }[]>`SELECT 1 AS one`)[0]?.one).toBe(1);
    } finally {
      await api.stop();
    }
    expect(await looseEntries(dataDir)).toEqual([]);
    // A fresh PGlite initdb (no template copy here: the directory itself is under test) takes
    // seconds, far more on a loaded machine.
  }, 120_000);

  it('writes the development secrets 0600 and tightens an existing secrets.json', async () => {
    const dataDir = await worldReadableDataDir();
    const logger = pino({ level: 'silent' });
    await resolveSecrets(loadConfig({ DATA_DIR: dataDir }), logger);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(path.join(dataDir, 'secrets.json'))).toBe(0o600);

    const older = await worldReadableDataDir();
    const file = path.join(older, 'secrets.json');
    await writeFile(file, JSON.stringify({ apiToken: 'a'.repeat(43), tokenEncryptionKey: Buffer.alloc(32, 1).toString('base64') }), { mode: 0o666 });
    expect(await modeOf(file)).toBe(0o666);
    const resolved = await resolveSecrets(loadConfig({ DATA_DIR: older }), logger);
    expect(resolved.apiToken).toBe('a'.repeat(43));
    expect(await modeOf(file)).toBe(0o600);
    expect(await modeOf(older)).toBe(0o700);
  });
});
