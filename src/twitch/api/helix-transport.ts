/**
 * Executes one logical Helix call: auth headers, per-attempt timeout, rate-limit pacing from the
 * Ratelimit-* headers, bounded retries with jittered backoff for 429/5xx, and one token refresh
 * after a 401 when the token source can refresh. Endpoint shapes live in helix.client.ts.
 */
import { createHash } from 'node:crypto';
import { HelixError, HelixUnauthorizedError } from './helix-errors.js';
import { RateLimitGate, readRateLimitHeaders } from './rate-limit-gate.js';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, sleep, type RetryPolicy } from './retry-policy.js';
import { toTokenSource, type AccessTokenSource } from './token-source.js';
import {
  describeFetchFailure,
  readJsonBody,
  timeoutSignal,
  trimTrailingSlash,
  twitchErrorMessage,
  type FetchLike,
} from './http.js';

/** The subset of a pino logger the client uses. */
export interface HelixLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface HelixTransportOptions {
  /** e.g. https://api.twitch.tv/helix */
  apiUrl: string;
  clientId: string;
  fetch?: FetchLike;
  logger?: HelixLogger;
  retry?: Partial<RetryPolicy>;
  /** Per HTTP attempt; default 10 000 ms. */
  timeoutMs?: number;
  /** Longest single wait for a rate-limit reset; default 65 000 ms. */
  maxRateLimitWaitMs?: number;
  /** Source of jitter; tests may pin it. */
  random?: () => number;
}

export interface HelixRequest {
  method: 'GET' | 'POST';
  /** Path under the API URL, e.g. "/chat/chatters". */
  path: string;
  query?: URLSearchParams;
  json?: unknown;
  token: AccessTokenSource;
  /** Twitch keeps one bucket per client and user: pass the token's user id when known. */
  rateLimitKey?: string;
  /** Safe to repeat: also retried after timeouts, network errors and any 5xx. */
  idempotent: boolean;
  /** Statuses that mean a documented limit here, not throttling: thrown at once (e.g. EventSub's 429). */
  notRetried?: readonly number[];
  signal?: AbortSignal;
}

export interface HelixTransport {
  request(request: HelixRequest): Promise<unknown>;
}

const ALWAYS_RETRYABLE = new Set([429, 502, 503, 504]);

export function createHelixTransport(options: HelixTransportOptions): HelixTransport {
  const apiUrl = trimTrailingSlash(options.apiUrl);
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const random = options.random ?? Math.random;
  const gate = new RateLimitGate(options.maxRateLimitWaitMs ?? 65_000);
  const logger = options.logger;

  return {
    async request(request) {
      const source = toTokenSource(request.token);
      const endpoint = `${request.method} ${request.path}`;
      const url = request.query ? `${apiUrl}${request.path}?${request.query.toString()}` : `${apiUrl}${request.path}`;
      let attempts = 0;
      let refreshed = false;

      for (;;) {
        const token = await source.getAccessToken();
        const bucketKey = request.rateLimitKey ?? tokenBucketKey(token);
        await gate.acquire(bucketKey, request.signal, (waitMs) =>
          logger?.debug({ endpoint, waitMs }, 'helix rate limit exhausted; waiting for bucket reset'),
        );
        attempts += 1;

        let response: Response;
        try {
          response = await doFetch(url, {
            method: request.method,
            headers: headersFor(options.clientId, token, request.json !== undefined),
            body: request.json === undefined ? undefined : JSON.stringify(request.json),
            signal: timeoutSignal(timeoutMs, request.signal),
          });
        } catch (error) {
          request.signal?.throwIfAborted();
          const message = describeFetchFailure(error);
          if (request.idempotent && attempts < policy.maxAttempts) {
            await retryAfter(backoffDelayMs(policy, attempts, random), { endpoint, status: null, attempts, message });
            continue;
          }
          throw new HelixError(endpoint, null, message, attempts);
        }

        const snapshot = readRateLimitHeaders(response.headers);
        if (snapshot) gate.update(bucketKey, snapshot);
        const body = await readJsonBody(response);
        if (response.ok) return body;

        const status = response.status;
        const message = twitchErrorMessage(body, response, [token]);
        if (status === 401) {
          if (!refreshed && source.refreshAccessToken) {
            refreshed = true;
            logger?.debug({ endpoint }, 'helix returned 401; refreshing the access token once');
            await source.refreshAccessToken(token);
            attempts -= 1;
            continue;
          }
          throw new HelixUnauthorizedError(endpoint, message, attempts);
        }

        const retryable =
          !request.notRetried?.includes(status) && (ALWAYS_RETRYABLE.has(status) || (request.idempotent && status >= 500));
        if (retryable && attempts < policy.maxAttempts) {
          const resetWait = status === 429 ? gate.waitAfterThrottle(bucketKey) : null;
          const waitMs =
            resetWait === null
              ? backoffDelayMs(policy, attempts, random)
              : resetWait + Math.floor(random() * 50);
          await retryAfter(waitMs, { endpoint, status, attempts, message });
          continue;
        }
        throw new HelixError(endpoint, status, message, attempts);
      }

      async function retryAfter(
        delayMs: number,
        context: { endpoint: string; status: number | null; attempts: number; message: string },
      ): Promise<void> {
        logger?.warn({ ...context, delayMs }, 'helix request failed; retrying');
        await sleep(delayMs, request.signal);
      }
    },
  };
}

function headersFor(clientId: string, token: string, hasJsonBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    'Client-Id': clientId,
    Accept: 'application/json',
  };
  if (hasJsonBody) headers['Content-Type'] = 'application/json';
  return headers;
}

/** Bucket key for a token whose user is unknown; hashed so raw tokens are not kept as map keys. */
function tokenBucketKey(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}
