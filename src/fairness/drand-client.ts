import { isHex } from './bytes';
import { chainInfoHash, checkBeacon, QUICKNET, roundAfter, roundTimeMs, type Beacon, type ChainInfo } from './drand-chain';

/*
 * A drand HTTP client (relay API v1: /{chainHash}/info, /{chainHash}/public/latest,
 * /{chainHash}/public/{round}) over several relays with failover. Nothing a relay says is
 * trusted: the chain info must hash to the pinned chain hash and carry the pinned key, and every
 * beacon must verify against that key. A relay that hangs past the timeout, answers garbage or
 * serves a beacon that does not verify is skipped for the next one. Failures are data.
 */

export interface DrandClientOptions {
  /** Relay bases, tried in order (e.g. https://api.drand.sh). */
  urls: readonly string[];
  chainHash: string;
  publicKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export type RelayFailure = { url: string; reason: 'timeout' | 'http' | 'garbage' | 'wrong-chain' | 'bad-signature' | 'wrong-round' | 'network'; detail: string };

export type DrandResult<T> = { ok: true; value: T; relay: string } | { ok: false; failures: RelayFailure[] };

class RelayError extends Error {
  constructor(readonly reason: RelayFailure['reason'], detail: string) {
    super(detail);
  }
}

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RelayError('garbage', 'not a JSON object');
  return value as Record<string, unknown>;
}

/** Reads a relay's chain info JSON; throws RelayError('garbage') when a field is missing. */
function readInfo(json: unknown): ChainInfo {
  const info = record(json);
  const metadata = info.metadata === undefined ? {} : record(info.metadata);
  const { public_key: publicKey, period, genesis_time: genesisTime, hash, groupHash, schemeID } = info;
  if (!isHex(publicKey) || !isHex(hash, 32) || !isHex(groupHash, 32) || typeof schemeID !== 'string') throw new RelayError('garbage', 'chain info fields missing');
  if (!Number.isSafeInteger(period) || (period as number) < 1 || !Number.isSafeInteger(genesisTime)) throw new RelayError('garbage', 'chain info period or genesis_time invalid');
  const beaconId = typeof metadata.beaconID === 'string' ? metadata.beaconID : 'default';
  return { hash, publicKey, genesisTime: genesisTime as number, period: period as number, groupHash, schemeId: schemeID, beaconId };
}

function readBeacon(json: unknown): Beacon {
  const beacon = record(json);
  if (!Number.isSafeInteger(beacon.round) || typeof beacon.randomness !== 'string' || typeof beacon.signature !== 'string') {
    throw new RelayError('garbage', 'beacon fields missing');
  }
  return { round: beacon.round as number, randomness: beacon.randomness, signature: beacon.signature };
}

export class DrandClient {
  private readonly urls: string[];
  private readonly fetchImpl: typeof fetch;
  private info: ChainInfo | null = null;

  constructor(private readonly options: DrandClientOptions) {
    if (options.urls.length === 0) throw new Error('DrandClient needs at least one relay URL');
    this.urls = options.urls.map((url) => url.replace(/\/+$/, ''));
    this.fetchImpl = options.fetch ?? fetch;
    // The pinned quicknet chain needs no relay to say when its rounds are: its info is a
    // constant here, checked against the chain hash like a relay's answer would be.
    if (options.chainHash === QUICKNET.hash && options.publicKey === QUICKNET.publicKey && chainInfoHash(QUICKNET) === QUICKNET.hash) {
      this.info = QUICKNET;
    }
  }

  /** The pinned chain's info, checked: it hashes to the chain hash and has the pinned key. Cached. */
  async chainInfo(): Promise<DrandResult<ChainInfo>> {
    if (this.info) return { ok: true, value: this.info, relay: 'cache' };
    const result = await this.failover('info', (json) => {
      const info = readInfo(json);
      if (info.hash !== this.options.chainHash || chainInfoHash(info) !== this.options.chainHash) {
        throw new RelayError('wrong-chain', `info hashes to ${chainInfoHash(info)}, expected ${this.options.chainHash}`);
      }
      if (info.publicKey !== this.options.publicKey) throw new RelayError('wrong-chain', 'info carries another public key');
      return info;
    });
    if (result.ok) this.info = result.value;
    return result;
  }

  /** The beacon of `round`, verified. A round not signed yet fails on every relay (http 404/425). */
  beacon(round: number): Promise<DrandResult<Beacon>> {
    return this.failover(`public/${round}`, (json) => this.verified(readBeacon(json), round));
  }

  /** The latest beacon, verified. */
  latest(): Promise<DrandResult<Beacon>> {
    return this.failover('public/latest', (json) => this.verified(readBeacon(json), null));
  }

  /** The first round whose time is strictly after `afterMs`, and that time (needs the chain info). */
  async roundAfter(afterMs: number): Promise<DrandResult<{ round: number; atMs: number }>> {
    const info = await this.chainInfo();
    if (!info.ok) return info;
    const round = roundAfter(info.value, afterMs);
    return { ok: true, value: { round, atMs: roundTimeMs(info.value, round) }, relay: info.relay };
  }

  private verified(beacon: Beacon, round: number | null): Beacon {
    if (round !== null && beacon.round !== round) throw new RelayError('wrong-round', `asked for round ${round}, got ${beacon.round}`);
    const check = checkBeacon(this.options.publicKey, beacon);
    if (!check.ok) throw new RelayError(check.reason === 'malformed' ? 'garbage' : 'bad-signature', `beacon ${beacon.round}: ${check.reason}`);
    return beacon;
  }

  private async failover<T>(path: string, read: (json: unknown) => T): Promise<DrandResult<T>> {
    const failures: RelayFailure[] = [];
    for (const base of this.urls) {
      const url = `${base}/${this.options.chainHash}/${path}`;
      try {
        return { ok: true, value: read(await this.getJson(url)), relay: base };
      } catch (error) {
        failures.push(
          error instanceof RelayError
            ? { url, reason: error.reason, detail: error.message }
            : { url, reason: 'network', detail: error instanceof Error ? error.message : String(error) },
        );
      }
    }
    return { ok: false, failures };
  }

  /** One GET with the timeout covering the whole exchange (headers and body). */
  private async getJson(url: string): Promise<unknown> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await this.fetchImpl(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      if (!response.ok) {
        await response.body?.cancel();
        throw new RelayError('http', `HTTP ${response.status}`);
      }
      const body = await response.text();
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new RelayError('garbage', 'body is not JSON');
      }
    } catch (error) {
      if (controller.signal.aborted) throw new RelayError('timeout', `no answer within ${this.options.timeoutMs} ms`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
