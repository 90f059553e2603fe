import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUICKNET, roundTimeMs } from '../../src/fairness/drand-chain';
import { createFakeDrand, type FakeDrand } from '../stand-ins/drand/fake-drand';
import { drandBundle, sealedBundle } from './fixtures';

/* The verifier CLI as a user runs it: `node bin/kinoyu-verify.mjs <file|url>` (what `npm run verify` and the bin entry run). */

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/kinoyu-verify.mjs');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, LANG: 'en_US.UTF-8', LC_ALL: '', ...env }, timeout: 60_000 }, (error, stdout) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

// A real quicknet beacon: verifiable offline against the pinned key.
const REAL = {
  round: 657413,
  signature: 'b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b',
  randomness: 'fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587',
};
const good = drandBundle({ chainHash: QUICKNET.hash, round: REAL.round, beacon: REAL, committedAt: new Date(roundTimeMs(QUICKNET, REAL.round) - 2000).toISOString() });

let dir: string;
let server: Server;
let baseUrl: string;
let drand: FakeDrand;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kinoyu-verify-'));
  await writeFile(path.join(dir, 'good.json'), JSON.stringify(good, null, 2));
  const tampered = structuredClone(good);
  tampered.entrants[2]!.tickets = 9;
  await writeFile(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
  await writeFile(path.join(dir, 'sealed.json'), JSON.stringify(sealedBundle()));
  drand = await createFakeDrand({ roundsAlreadyOut: 30 });
  const standIn = drandBundle({ chainHash: drand.chain.hash, round: 10, beacon: drand.signRound(10), committedAt: new Date(roundTimeMs(drand.chain, 10) - 1500).toISOString() });
  server = createServer((req, res) => {
    const body = req.url === '/rounds/r1/proof.json' ? JSON.stringify(good) : req.url === '/stand-in.json' ? JSON.stringify(standIn) : null;
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(body ?? '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await drand.close();
  await rm(dir, { recursive: true, force: true });
});

describe('kinoyu-verify', () => {
  it('exits 0 on a good file and prints each step', async () => {
    const { code, stdout } = await run([path.join(dir, 'good.json')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/✓ drand beacon signature: Round 657413 is signed by the chain's key/);
    expect(stdout).toMatch(/^VERIFIED/m);
  });

  it('exits 1 on a tampered file and names the broken step', async () => {
    const { code, stdout } = await run([path.join(dir, 'tampered.json')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ Entrant list and its hash: The entrant list hashes to [0-9a-f]{64}, but the proof says/);
    expect(stdout).toMatch(/^NOT VERIFIED/m);
  });

  it('speaks pt-BR by LANG or --lang, and says what sealed does not prove', async () => {
    const byLang = await run([path.join(dir, 'sealed.json')], { LANG: 'pt_BR.UTF-8' });
    expect(byLang.code).toBe(0);
    expect(byLang.stdout).toMatch(/^VERIFICADO/m);
    expect(byLang.stdout).toMatch(/NÃO prova que o servidor não escolheu/);
    const byFlag = await run(['--lang', 'pt-BR', path.join(dir, 'tampered.json')]);
    expect(byFlag.code).toBe(1);
    expect(byFlag.stdout).toMatch(/^NÃO VERIFICADO/m);
  });

  it('reads a URL, and trusts another chain only when given its info', async () => {
    expect((await run([`${baseUrl}/rounds/r1/proof.json`])).code).toBe(0);
    const unpinned = await run([`${baseUrl}/stand-in.json`]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stdout).toMatch(/✗ drand chain is the pinned one/);
    expect((await run(['--chain', `${drand.url}/${drand.chain.hash}/info`, `${baseUrl}/stand-in.json`])).code).toBe(0);
  });

  it('exits 1 when the proof cannot be read, 2 on bad usage', async () => {
    expect((await run([path.join(dir, 'missing.json')])).code).toBe(1);
    expect((await run([`${baseUrl}/nothing`])).code).toBe(1);
    expect((await run([])).code).toBe(2);
    expect((await run(['--lang', 'fr', path.join(dir, 'good.json')])).code).toBe(2);
  });
});
