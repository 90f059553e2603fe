import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStandaloneVerifier, STANDALONE_FILE } from '../../scripts/build-verifier';
import { sealedBundle } from '../fairness/fixtures';

/*
 * The verifier for third parties: packages/kinoyu-verify/kinoyu-verify.mjs, one generated file
 * that plain Node runs outside any checkout (no tsx, no TypeScript, no node_modules), and
 * `npx kinoyu-verify` from a checkout (the root package's bin).
 */

const root = path.resolve(import.meta.dirname, '../..');

function run(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    // A bare environment: no NODE_PATH, no NODE_OPTIONS with tsx, English.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), LANG: 'en_US.UTF-8' };
    execFile(command, args, { cwd, env, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

let dir: string;
const good = sealedBundle();
const tampered = structuredClone(good);
tampered.entrants[0]!.userId = '1000';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kinoyu-standalone-'));
  await copyFile(STANDALONE_FILE, path.join(dir, 'kinoyu-verify.mjs'));
  await writeFile(path.join(dir, 'good.json'), JSON.stringify(good));
  await writeFile(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the standalone verifier (packages/kinoyu-verify)', () => {
  it('is the current build of src/fairness (run `npm run verify:build` when this fails)', async () => {
    expect(await readFile(STANDALONE_FILE, 'utf8')).toBe(await renderStandaloneVerifier());
  });

  it('imports nothing but node: builtins', async () => {
    const text = await readFile(STANDALONE_FILE, 'utf8');
    const specifiers = [...text.matchAll(/^\s*import\s[^;]*?from\s+"([^"]+)"/gm)].map((match) => match[1]);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((specifier) => !specifier!.startsWith('node:'))).toEqual([]);
  });

  it('verifies a bundle with plain node, outside any checkout', async () => {
    const result = await run(process.execPath, ['kinoyu-verify.mjs', 'good.json'], dir);
    expect(result.stdout).toContain('VERIFIED (sealed)');
    expect(result.code).toBe(0);
  });

  it('fails a bundle with one entrant changed, naming the step', async () => {
    const result = await run(process.execPath, ['kinoyu-verify.mjs', '--lang', 'pt-BR', 'tampered.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^✗ Lista de participantes e seu hash: /m);
    expect(result.stdout).toContain('NÃO VERIFICADO');
  });
});

describe('npx kinoyu-verify from a checkout', () => {
  it('runs the root package bin', async () => {
    const ok = await run('npx', ['--no-install', 'kinoyu-verify', path.join(dir, 'good.json')], root);
    expect(ok.stdout).toContain('VERIFIED (sealed)');
    expect(ok.code).toBe(0);
    const bad = await run('npx', ['--no-install', 'kinoyu-verify', path.join(dir, 'tampered.json')], root);
    expect(bad.code).toBe(1);
  });
});
