/** Bounded exponential backoff with full jitter, and an abortable sleep. */
import { setTimeout as delay } from 'node:timers/promises';

export interface RetryPolicy {
  /** Total HTTP attempts per call, first one included. */
  maxAttempts: number;
  /** Backoff ceiling for the first retry; doubles each retry. */
  baseDelayMs: number;
  /** Backoff ceiling never exceeds this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

/** Delay before retry number `retry` (1 = first retry): uniform in [0, min(max, base·2^(retry-1))]. */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  await delay(ms, undefined, signal ? { signal } : undefined);
}
