import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';

/** A DATA_DIR holding a copy of the run's initialised PGlite (see global-setup.ts). */
export async function embeddedDataDir(): Promise<{ dataDir: string; remove(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kinoyu-test-'));
  await cp(inject('pgliteTemplate'), path.join(dataDir, 'pglite'), { recursive: true });
  return { dataDir, remove: () => rm(dataDir, { recursive: true, force: true }) };
}
