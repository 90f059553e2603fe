#!/usr/bin/env node
/**
 * Builds the dashboard (clients/dashboard → clients/dashboard/dist) with Vite.
 *
 *   node scripts/build-dashboard.mjs             always build (npm run dashboard:build)
 *   node scripts/build-dashboard.mjs --if-stale  only when a source is newer than the last build
 *                                                (postinstall and prestart run this)
 *
 * Without Vite installed (an install that omitted dev dependencies) it says so and exits 0: the
 * API still runs, /dashboard answers 503 until the app is built.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../clients/dashboard/', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
/** One build at a time (test files in parallel workers, install and start): mkdir is atomic. */
const LOCK = path.join(ROOT, '.build-lock');
const LOCK_STALE_MS = 5 * 60_000;
const SOURCES = ['index.html', 'vite.config.ts', 'src', '../../package-lock.json'];

async function newestSourceMs() {
  let newest = 0;
  const visit = async (target) => {
    const info = await stat(target).catch(() => null);
    if (!info) return;
    if (info.isDirectory()) {
      for (const entry of await readdir(target)) await visit(path.join(target, entry));
    } else newest = Math.max(newest, info.mtimeMs);
  };
  for (const source of SOURCES) await visit(path.join(ROOT, source));
  return newest;
}

export async function isStale() {
  const built = await stat(STAMP).catch(() => null);
  return !built || (await newestSourceMs()) > built.mtimeMs;
}

async function withLock(task) {
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      const held = await stat(LOCK).catch(() => null);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) await rm(LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await task();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

export function buildDashboard(options = {}) {
  return withLock(() => buildUnlocked(options));
}

async function buildUnlocked({ ifStale = false, quiet = false }) {
  if (ifStale && !(await isStale())) {
    if (!quiet) console.log('dashboard: build is up to date');
    return false;
  }
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('dashboard: vite is not installed (dev dependencies omitted?): /dashboard stays unbuilt');
    return false;
  }
  // Vite builds React's development bundle when NODE_ENV says test or development (vitest sets
  // test): the served app is always the production build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: path.join(ROOT, 'vite.config.ts'), mode: 'production', logLevel: quiet ? 'warn' : 'info' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await writeFile(STAMP, `${new Date().toISOString()}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildDashboard({ ifStale: process.argv.includes('--if-stale') });
}
