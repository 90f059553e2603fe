/**
 * Client-side view of Twitch's rate-limit bucket, fed by the Ratelimit-* response headers.
 * Before each request `acquire` waits until the bucket's reset time when the last known
 * Ratelimit-Remaining is 0, so callers pause instead of collecting 429s.
 */
import { sleep } from './retry-policy.js';

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** Epoch ms at which Twitch says the bucket is full again (Ratelimit-Reset is epoch seconds). */
  resetAtMs: number;
}

type BucketState = RateLimitSnapshot;

const MAX_TRACKED_BUCKETS = 1_000;

export function readRateLimitHeaders(headers: Headers): RateLimitSnapshot | null {
  if (!headers.has('ratelimit-remaining') || !headers.has('ratelimit-reset')) return null;
  const limit = Number(headers.get('ratelimit-limit'));
  const remaining = Number(headers.get('ratelimit-remaining'));
  const reset = Number(headers.get('ratelimit-reset'));
  if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return null;
  return { limit: Number.isFinite(limit) ? limit : 0, remaining, resetAtMs: reset * 1000 };
}

export class RateLimitGate {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    /** Longest single wait, guarding against absurd reset values. */
    private readonly maxWaitMs: number = 65_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits while the bucket for `key` is known to be empty, then books one point locally. */
  async acquire(key: string, signal?: AbortSignal, onWait?: (waitMs: number) => void): Promise<void> {
    for (;;) {
      const state = this.buckets.get(key);
      if (state === undefined) return;
      const now = this.now();
      if (now >= state.resetAtMs && state.remaining <= 0) {
        state.remaining = Math.max(state.limit, 1);
      }
      if (state.remaining > 0) {
        state.remaining -= 1;
        return;
      }
      const waitMs = Math.min(this.maxWaitMs, state.resetAtMs - now + 5);
      onWait?.(waitMs);
      await sleep(waitMs, signal);
      if (waitMs >= this.maxWaitMs) return;
    }
  }

  /** Records what the server said in its latest response for `key`. */
  update(key: string, snapshot: RateLimitSnapshot): void {
    if (!this.buckets.has(key) && this.buckets.size >= MAX_TRACKED_BUCKETS) this.prune();
    this.buckets.set(key, { ...snapshot });
  }

  /** Milliseconds to wait after a 429 for `key`, or null when the reset time is unknown or past. */
  waitAfterThrottle(key: string): number | null {
    const state = this.buckets.get(key);
    if (state === undefined) return null;
    const waitMs = state.resetAtMs - this.now();
    return waitMs > 0 ? Math.min(this.maxWaitMs, waitMs + 5) : null;
  }

  private prune(): void {
    const now = this.now();
    for (const [key, state] of this.buckets) if (state.resetAtMs <= now) this.buckets.delete(key);
    if (this.buckets.size >= MAX_TRACKED_BUCKETS) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}
