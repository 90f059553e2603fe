import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { probeServices } from './service-probe';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An initialised, empty PGlite data directory that tests copy instead of running initdb. */
    pgliteTemplate: string;
  }
}

/**
 * A fresh PGlite costs seconds of initdb (much more on a loaded machine); opening a copy of an
 * initialised one costs about one. Made once per run, removed at the end.
 */
export default async function setup(project: TestProject) {
  // First, so that a configured but silent TEST_DATABASE_URL / TEST_REDIS_URL ends the run at once.
  project.provide('services', await probeServices(process.env));
  const root = await mkdtemp(path.join(tmpdir(), 'kinoyu-pglite-template-'));
  const template = path.join(root, 'pglite');
  const pglite = await PGlite.create(template);
  await pglite.query('SELECT 1');
  await pglite.close();
  project.provide('pgliteTemplate', template);
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
