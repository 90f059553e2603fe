import { createHash } from 'node:crypto';

export interface RateLimitOptions {
  /** Requests per bucket per window (Discord varies it per route; 5 per 5 s for channel messages). */
  limit: number;
  windowMs: number;
  /** Global requests per second for the bot token (Discord: 50). */
  globalPerSecond: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 50, windowMs: 1000, globalPerSecond: 50 };

interface Window {
  count: number;
  resetAt: number;
}

export interface RateLimitVerdict {
  headers: Record<string, string>;
  /** Set when the request must be refused with 429. */
  retryAfterSeconds?: number;
  global?: boolean;
}

/**
 * Fixed-window counters per route bucket (route template + major parameter) and a global one,
 * with the `X-RateLimit-*` headers Discord documents ("Rate Limits" > "Header Format").
 */
export class RateLimiter {
  readonly #buckets = new Map<string, Window>();
  #global: Window = { count: 0, resetAt: 0 };

  constructor(readonly options: RateLimitOptions) {}

  take(template: string, major: string, countsGlobally: boolean): RateLimitVerdict {
    const now = Date.now();
    if (countsGlobally) {
      if (now >= this.#global.resetAt) this.#global = { count: 0, resetAt: now + 1000 };
      this.#global.count += 1;
      if (this.#global.count > this.options.globalPerSecond) {
        const retry = (this.#global.resetAt - now) / 1000;
        return {
          headers: { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global', 'Retry-After': String(Math.ceil(retry)) },
          retryAfterSeconds: retry,
          global: true,
        };
      }
    }
    const key = `${template}|${major}`;
    let window = this.#buckets.get(key);
    if (!window || now >= window.resetAt) {
      window = { count: 0, resetAt: now + this.options.windowMs };
      this.#buckets.set(key, window);
    }
    window.count += 1;
    const resetAfter = Math.max(0, window.resetAt - now) / 1000;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.options.limit),
      'X-RateLimit-Remaining': String(Math.max(0, this.options.limit - window.count)),
      'X-RateLimit-Reset': (window.resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': createHash('sha1').update(template).digest('hex').slice(0, 32),
    };
    if (window.count > this.options.limit) {
      headers['X-RateLimit-Scope'] = 'user';
      headers['Retry-After'] = String(Math.ceil(resetAfter));
      return { headers, retryAfterSeconds: resetAfter };
    }
    return { headers };
  }
}
