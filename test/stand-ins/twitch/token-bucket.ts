/**
 * Twitch-style token bucket: `size` points, refilled continuously at `size` per `windowMs`.
 * Headers follow Twitch: Ratelimit-Limit (points per window), Ratelimit-Remaining (whole points
 * left), Ratelimit-Reset (epoch seconds, rounded up, when the bucket is full again).
 */
export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    readonly size: number,
    readonly windowMs: number,
    now: number = Date.now(),
  ) {
    this.tokens = size;
    this.lastRefillMs = now;
  }

  tryTake(now: number = Date.now(), points = 1): boolean {
    this.refill(now);
    if (this.tokens < points) return false;
    this.tokens -= points;
    return true;
  }

  headers(now: number = Date.now()): Record<string, string> {
    this.refill(now);
    const msUntilFull = ((this.size - this.tokens) * this.windowMs) / this.size;
    return {
      'Ratelimit-Limit': String(this.size),
      'Ratelimit-Remaining': String(Math.floor(this.tokens)),
      'Ratelimit-Reset': String(Math.ceil((now + msUntilFull) / 1000)),
    };
  }

  private refill(now: number): void {
    if (now <= this.lastRefillMs) return;
    this.tokens = Math.min(this.size, this.tokens + ((now - this.lastRefillMs) * this.size) / this.windowMs);
    this.lastRefillMs = now;
  }
}
