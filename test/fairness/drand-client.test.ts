import { describe, expect, it } from 'vitest';
import { QUICKNET, roundTimeMs } from '../../src/fairness/drand-chain';
import { DrandClient } from '../../src/fairness/drand-client';
import type { FakeDrand } from '../stand-ins/drand/fake-drand';
import { useFakeDrand } from '../support/started';

/*
 * The drand client against stand-in relays: pinned chain, verified beacons, failover. Timeouts are
 * generous (the stand-in signs with BLS on a shared 2-core machine); only the hanging relay hits one.
 */

const relay = useFakeDrand();

/** Relays of one chain: the first's key and genesis, each with its own mode. */
async function chainOf(modes: ('ok' | 'garbage' | 'hang' | 'wrong-key')[]): Promise<FakeDrand[]> {
  const first = await relay({ mode: modes[0]!, roundsAlreadyOut: 20 });
  const rest = [];
  for (const mode of modes.slice(1)) rest.push(await relay({ mode, sameChainAs: first }));
  return [first, ...rest];
}

function clientFor(chain: FakeDrand[], timeoutMs = 3000): DrandClient {
  return new DrandClient({ urls: chain.map((r) => r.url), chainHash: chain[0]!.chain.hash, publicKey: chain[0]!.chain.publicKey, timeoutMs });
}

describe('DrandClient', () => {
  it('fetches and checks the chain info, a round and the latest beacon', async () => {
    const [only] = await chainOf(['ok']);
    const client = clientFor([only!]);
    const info = await client.chainInfo();
    expect(info).toMatchObject({ ok: true, value: { hash: only!.chain.hash, period: 1, genesisTime: only!.chain.genesisTime } });
    const beacon = await client.beacon(7);
    expect(beacon).toEqual({ ok: true, value: only!.signRound(7), relay: only!.url });
    const latest = await client.latest();
    expect(latest.ok && latest.value.round).toBeGreaterThanOrEqual(20);
  });

  it('computes the first round after a time from the verified chain info', async () => {
    const [only] = await chainOf(['ok']);
    const genesisMs = only!.chain.genesisTime * 1000;
    const result = await clientFor([only!]).roundAfter(genesisMs + 4500);
    // Round r is due at genesis + (r − 1) s: round 6 at +5 s is the first after +4.5 s.
    expect(result).toMatchObject({ ok: true, value: { round: 6, atMs: genesisMs + 5000 } });
  });

  it('refuses a beacon signed by another key', async () => {
    const [liar] = await chainOf(['wrong-key']);
    const result = await clientFor([liar!]).beacon(3);
    expect(result).toMatchObject({ ok: false, failures: [{ reason: 'bad-signature' }] });
  });

  it('refuses chain info that does not hash to the pinned chain hash or has another key', async () => {
    const [honest] = await chainOf(['ok']);
    const other = await relay();
    const wrongKey = new DrandClient({ urls: [honest!.url], chainHash: honest!.chain.hash, publicKey: other.chain.publicKey, timeoutMs: 3000 });
    expect(await wrongKey.chainInfo()).toMatchObject({ ok: false, failures: [{ reason: 'wrong-chain' }] });
    // A relay of another chain answers 404 for our chain hash.
    const elsewhere = new DrandClient({ urls: [other.url], chainHash: honest!.chain.hash, publicKey: honest!.chain.publicKey, timeoutMs: 3000 });
    expect(await elsewhere.chainInfo()).toMatchObject({ ok: false, failures: [{ reason: 'http' }] });
  });

  it('knows the pinned quicknet chain without a relay: the round after a time needs no network', async () => {
    const asked: string[] = [];
    const offline = (async (url: string | URL | Request) => {
      asked.push(String(url));
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const client = new DrandClient({ urls: ['http://127.0.0.1:9'], chainHash: QUICKNET.hash, publicKey: QUICKNET.publicKey, timeoutMs: 500, fetch: offline });
    const at = Date.parse('2026-12-02T03:00:00.000Z');
    const next = await client.roundAfter(at);
    expect(next.ok).toBe(true);
    if (!next.ok) return;
    expect(next.value.atMs).toBe(roundTimeMs(QUICKNET, next.value.round));
    expect(next.value.atMs).toBeGreaterThan(at);
    expect(roundTimeMs(QUICKNET, next.value.round - 1)).toBeLessThanOrEqual(at);
    expect(asked).toEqual([]);
    // A beacon still comes from the relays (and fails here): nothing is made up.
    expect((await client.beacon(next.value.round)).ok).toBe(false);
  });

  it('fails over from a garbage relay, a hanging relay and a wrong-key relay to an honest one', async () => {
    const chain = await chainOf(['garbage', 'hang', 'wrong-key', 'ok']);
    const client = clientFor(chain, 1500);
    const result = await client.beacon(5);
    expect(result).toEqual({ ok: true, value: chain[0]!.signRound(5), relay: chain[3]!.url });
    const failures = await clientFor(chain.slice(0, 3), 1500).beacon(5);
    expect(failures.ok).toBe(false);
    if (!failures.ok) expect(failures.failures.map((f) => f.reason)).toEqual(['garbage', 'timeout', 'bad-signature']);
    for (const r of chain) expect(r.requests).toContain(`/${chain[0]!.chain.hash}/public/5`);
  });

  it('reports a round that is not out yet as a failure on every relay (no fallback randomness)', async () => {
    const chain = await chainOf(['ok', 'ok']);
    const future = chain[0]!.currentRound() + 1000;
    const result = await clientFor(chain).beacon(future);
    expect(result).toMatchObject({ ok: false, failures: [{ reason: 'http' }, { reason: 'http' }] });
  });

  it('a relay switched to garbage mid-way is skipped for the next', async () => {
    const chain = await chainOf(['ok', 'ok']);
    const client = clientFor(chain);
    expect(await client.beacon(2)).toMatchObject({ ok: true, relay: chain[0]!.url });
    chain[0]!.setMode('garbage');
    expect(await client.beacon(2)).toMatchObject({ ok: true, relay: chain[1]!.url });
  });
});
