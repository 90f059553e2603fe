import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitHash, entrantsHash } from '../../src/fairness/canonical';
import { roundTimeMs } from '../../src/fairness/drand-chain';
import type { ProofBundle } from '../../src/fairness/proof-bundle';
import { verifyBundle, type StepId, type VerifyOptions } from '../../src/fairness/verify';
import { createFakeDrand, type FakeDrand } from '../stand-ins/drand/fake-drand';
import { clone, drandBundle, sealedBundle } from './fixtures';

/* Every input of a bundle matters: change one and verification fails, naming the broken step. */

let drand: FakeDrand;
let good: ProofBundle;
let options: VerifyOptions;

beforeAll(async () => {
  drand = await createFakeDrand({ periodSeconds: 1, roundsAlreadyOut: 100 });
  const round = 50;
  good = drandBundle({
    chainHash: drand.chain.hash,
    round,
    beacon: drand.signRound(round),
    committedAt: new Date(roundTimeMs(drand.chain, round) - 1500).toISOString(),
  });
  options = { chains: [drand.chain] };
});
afterAll(() => drand.close());

const failed = (bundle: unknown, opts: VerifyOptions = options): StepId[] =>
  verifyBundle(bundle, opts).steps.filter((s) => !s.ok).map((s) => s.id);

/** The bundle with `change` applied to a copy. */
function tampered(change: (bundle: ProofBundle) => void, base: ProofBundle = good): ProofBundle {
  const copy = clone(base);
  change(copy);
  return copy;
}

function flipHex(hex: string, at = 10): string {
  const digit = hex[at] === '0' ? '1' : '0';
  return hex.slice(0, at) + digit + hex.slice(at + 1);
}

describe('verifyBundle on an honest bundle', () => {
  it('passes every step of a drand bundle and says what it does not prove', () => {
    const result = verifyBundle(good, options);
    expect(result.steps.map((s) => [s.id, s.ok])).toEqual([
      ['format', true], ['items', true], ['entrants', true], ['commit', true], ['chain', true], ['beacon', true], ['timing', true], ['draw', true],
    ]);
    expect(result.verified).toBe(true);
    expect(result.summary.en).toMatch(/^VERIFIED \(drand\)/);
    expect(result.limits[0]!.en).toMatch(/COMMITTED event/);
    for (const s of result.steps) {
      expect(s.detail.en.length).toBeGreaterThan(10);
      expect(s.detail['pt-BR'].length).toBeGreaterThan(10);
    }
  });

  it('passes a sealed bundle and says plainly that sealed cannot rule out chosen inputs', () => {
    const result = verifyBundle(sealedBundle());
    expect(result.verified).toBe(true);
    expect(result.steps.map((s) => s.id)).toEqual(['format', 'items', 'entrants', 'commit', 'seal', 'draw']);
    expect(result.summary['pt-BR']).toMatch(/^VERIFICADO \(selado\)/);
    expect(result.limits[0]!.en).toMatch(/does NOT prove that the server did not choose/);
    expect(result.limits[0]!['pt-BR']).toMatch(/NÃO prova que o servidor não escolheu/);
  });

  it('survives a JSON round trip (what the route and the CLI see)', () => {
    expect(verifyBundle(JSON.parse(JSON.stringify(good)), options).verified).toBe(true);
  });

  it('refuses a drand bundle when the chain is not pinned (default: quicknet only)', () => {
    expect(failed(good, {})).toEqual(['chain', 'draw'].filter((id) => id === 'chain'));
  });
});

describe('a bundle with one input changed fails at the step that broke', () => {
  it.each<[string, (b: ProofBundle) => void, StepId]>([
    ['an entrant', (b) => { b.entrants[1]!.userId = '9999'; }, 'entrants'],
    ['a ticket', (b) => { b.entrants[0]!.tickets += 1; }, 'entrants'],
    ['the entrant order', (b) => { b.entrants.reverse(); }, 'entrants'],
    ['an entrant removed', (b) => { b.entrants.pop(); }, 'entrants'],
    ['a weight', (b) => { b.items[0]!.weight += 1; }, 'items'],
    ['an item id', (b) => { b.items[2]!.id = 'item-platinum'; }, 'items'],
    ['the beacon signature', (b) => { if (b.source.kind === 'drand') b.source.beacon!.signature = flipHex(b.source.beacon!.signature); }, 'beacon'],
    ['the beacon randomness (the seed)', (b) => { if (b.source.kind === 'drand') b.source.beacon!.randomness = flipHex(b.source.beacon!.randomness); }, 'beacon'],
    ['the drand round', (b) => { if (b.source.kind === 'drand') b.source.round += 1; }, 'commit'],
    ['the round number', (b) => { b.roundNumber += 1; }, 'commit'],
    ['forced', (b) => { b.forced = !b.forced; }, 'commit'],
    ['the chance', (b) => { b.chancePpm -= 1; }, 'commit'],
    ['the raffle id', (b) => { b.raffleId = 'raffle-2'; }, 'commit'],
    ['the commitHash', (b) => { b.commitHash = flipHex(b.commitHash); }, 'commit'],
    ['the winner', (b) => { b.winnerUserId = b.winnerUserId === '1001' ? '2002' : '1001'; }, 'draw'],
    ['the prize', (b) => { b.itemId = b.itemId === 'item-gold' ? 'item-silver' : 'item-gold'; }, 'draw'],
    ['the outcome', (b) => { b.outcome = 'SKIPPED'; }, 'draw'],
    ['the commit time (after the beacon)', (b) => { b.committedAt = new Date(Date.parse(b.committedAt) + 1500).toISOString(); }, 'timing'],
    ['the chain hash', (b) => { if (b.source.kind === 'drand') b.source.chainHash = flipHex(b.source.chainHash); }, 'commit'],
    ['the version', (b) => { (b as { version: number }).version = 2; }, 'format'],
  ])('%s', (_name, change, step) => {
    const broken = failed(tampered(change));
    expect(broken[0]).toBe(step);
    expect(verifyBundle(tampered(change), options).verified).toBe(false);
  });

  it('a beacon of the same round signed by another key fails at beacon', () => {
    const bundle = tampered((b) => {
      if (b.source.kind === 'drand') b.source.beacon = drand.signRoundWithOtherKey(b.source.round);
    });
    expect(failed(bundle)).toContain('beacon');
  });

  it('an entrant changed with every hash recomputed still fails against the published commitment', () => {
    const forged = tampered((b) => {
      b.entrants[0]!.tickets = 50;
      b.entrantsHash = entrantsHash(b.entrants);
      if (b.source.kind === 'drand') b.commitHash = commitHash({ ...b, source: { kind: 'drand', chainHash: b.source.chainHash, round: b.source.round } });
    });
    const opts = { ...options, publishedCommitHash: good.commitHash };
    expect(failed(forged, opts)[0]).toBe('published');
    expect(failed(good, opts)).toEqual([]);
  });

  it('sealed: a changed server seed fails at seal; an unrevealed one cannot verify yet', () => {
    const bundle = sealedBundle();
    expect(failed(tampered((b) => { if (b.source.kind === 'sealed') b.source.serverSeed = flipHex(b.source.serverSeed!); }, bundle))[0]).toBe('seal');
    expect(failed(tampered((b) => { if (b.source.kind === 'sealed') b.source.sealHash = flipHex(b.source.sealHash); }, bundle))[0]).toBe('commit');
    const pending = tampered((b) => { if (b.source.kind === 'sealed') b.source.serverSeed = null; }, bundle);
    expect(failed(pending)).toEqual(['seal', 'draw']);
  });

  it('a drand bundle without its beacon (BEACON_UNAVAILABLE) is not a verified draw', () => {
    const unavailable = tampered((b) => {
      if (b.source.kind === 'drand') b.source.beacon = null;
      b.outcome = 'BEACON_UNAVAILABLE';
      b.itemId = null;
      b.winnerUserId = null;
    });
    expect(failed(unavailable)).toEqual(['beacon', 'draw']);
  });

  it('garbage is refused at format', () => {
    for (const junk of [null, 'proof', [], { version: 1 }, { ...good, items: 'x' }, { ...good, commitHash: 'ABC' }]) {
      expect(failed(junk)).toEqual(['format']);
    }
  });
});
