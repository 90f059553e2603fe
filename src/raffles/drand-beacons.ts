import type { Logger } from 'pino';
import { DrandClient, type RelayFailure } from '../fairness/drand-client';
import { roundTimeMs, type Beacon } from '../fairness/drand-chain';

/**
 * drand for rounds: which future round a commit names, and waiting for its beacon. The beacon is
 * asked for from the round's time on, relay after relay (DrandClient fails over and verifies each
 * answer against the pinned key), until DRAND_TIMEOUT_MS after that time; then it is unavailable
 * and the round records BEACON_UNAVAILABLE. Nothing here falls back to other randomness.
 */
export interface DrandBeaconsOptions {
  urls: readonly string[];
  chainHash: string;
  publicKey: string;
  timeoutMs: number;
  /** How far ahead of the commit the named round's time must lie, so COMMITTED is out first. */
  commitMarginMs?: number;
  /** Pause between attempts while the beacon is not out yet. */
  retryMs?: number;
  fetch?: typeof fetch;
}

export class DrandUnavailableError extends Error {
  override name = 'DrandUnavailableError';
  constructor(readonly failures: RelayFailure[]) {
    super(`no drand relay gave the pinned chain's info: ${failures.map((failure) => `${failure.url} ${failure.reason}`).join('; ')}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class DrandBeacons {
  private readonly client: DrandClient;
  readonly chainHash: string;
  readonly timeoutMs: number;
  private readonly commitMarginMs: number;
  private readonly retryMs: number;

  constructor(options: DrandBeaconsOptions, private readonly logger: Logger) {
    this.client = new DrandClient(options);
    this.chainHash = options.chainHash;
    this.timeoutMs = options.timeoutMs;
    this.commitMarginMs = options.commitMarginMs ?? 500;
    this.retryMs = options.retryMs ?? 150;
  }

  /** The first round whose time is later than `committedAtMs` plus the margin. Throws DrandUnavailableError. */
  async roundAfter(committedAtMs: number): Promise<{ round: number; atMs: number }> {
    const result = await this.client.roundAfter(committedAtMs + this.commitMarginMs);
    if (!result.ok) throw new DrandUnavailableError(result.failures);
    return result.value;
  }

  /** Unix milliseconds at which `round` is signed. Throws DrandUnavailableError without the chain info. */
  async timeOf(round: number): Promise<number> {
    const info = await this.client.chainInfo();
    if (!info.ok) throw new DrandUnavailableError(info.failures);
    return roundTimeMs(info.value, round);
  }

  /** Waits for `round` (signed at `atMs`) and returns its verified beacon, or null after the timeout. */
  async await(round: number, atMs: number): Promise<Beacon | null> {
    await sleep(atMs - Date.now());
    const deadline = atMs + this.timeoutMs;
    let failures: RelayFailure[] = [];
    for (;;) {
      const result = await this.client.beacon(round);
      if (result.ok) return result.value;
      failures = result.failures;
      if (Date.now() + this.retryMs >= deadline) break;
      await sleep(this.retryMs);
    }
    this.logger.warn({ round, failures }, 'drand beacon unavailable in time');
    return null;
  }
}
