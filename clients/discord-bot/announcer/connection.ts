import { createClient, type Client, type FormattedExecutionResult, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';
import { bearer } from '../graphql/api-client';
import type { Logger } from '../logger';
import { describeError } from './errors';

export interface ConnectionOptions {
  /** ws(s)://…/graphql. */
  url: string;
  /** The service token, sent as `connectionParams.authorization: Bearer <token>`. */
  token: string;
  logger: Logger;
  /** Reconnect backoff bounds. Default 500 ms doubling to 30 s, ±20 % jitter. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number };
  /** After every connection ack: `reconnected` is false the first time. */
  onConnected?: (info: { reconnected: boolean; downForMs: number | undefined }) => void;
}

/**
 * Where a subscription's results go. `error` (the server's GraphQL errors) and `complete` mean it
 * is over: subscribe again to resume. A failing connection ends no subscription.
 */
export interface SubscriptionSink<T> {
  next(result: FormattedExecutionResult<T>): void;
  error(error: unknown): void;
  complete(): void;
}

/** `connecting` until the first ack, `open`, `down` while retrying, `stopped` after stop(). */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'down' | 'stopped';

const KEEP_ALIVE_MS = 10_000;
const DEFAULT_MIN_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;
const PONG_TIMEOUT_MS = 5_000;

interface Registered {
  payload: SubscribePayload;
  sink: SubscriptionSink<unknown>;
  /** Ends the subscription on the current client. */
  dispose: (() => void) | undefined;
}

/**
 * The bot's one graphql-ws connection to the API: eager, retried for ever with exponential
 * backoff and jitter, a ping every 10 s that must be answered within 5 s (a half-open socket
 * is ended so the retry starts), and a brand-new client when graphql-ws gives up on a close it
 * will not retry (e.g. 4500). Subscriptions survive both: graphql-ws re-sends them after a
 * retry, and this class moves them to the new client after a restart.
 */
export class AnnouncementConnection {
  private client: Client | undefined;
  private readonly subscriptions = new Set<Registered>();
  private restartTimer: NodeJS.Timeout | undefined;
  /** Pending backoff waits, cancelled by stop() so no timer or socket outlives the bot. */
  private readonly waits = new Set<() => void>();
  private connectedOnce = false;
  private downSince: number | undefined;
  private current: ConnectionState = 'idle';
  private readonly logger: Logger;

  constructor(private readonly options: ConnectionOptions) {
    this.logger = options.logger.child({ subsystem: 'announcer-connection' });
  }

  get state(): ConnectionState {
    return this.current;
  }

  start(): void {
    if (this.current !== 'idle') return;
    this.current = 'connecting';
    this.connect();
  }

  async stop(): Promise<void> {
    const wasOpen = this.current === 'open';
    this.current = 'stopped';
    clearTimeout(this.restartTimer);
    for (const cancel of this.waits) cancel();
    this.waits.clear();
    for (const registered of this.subscriptions) registered.dispose?.();
    this.subscriptions.clear();
    const client = this.client;
    this.client = undefined;
    if (client) await disposeQuietly(client, wasOpen);
  }

  /**
   * Subscribes now (or as soon as start() runs) and keeps the subscription across retries and
   * restarts until it is unsubscribed, or ends with an error or completes (then it is dropped).
   */
  subscribe<T>(payload: SubscribePayload, sink: SubscriptionSink<T>): () => void {
    const registered: Registered = { payload, sink: sink as SubscriptionSink<unknown>, dispose: undefined };
    if (this.current === 'stopped') return () => {};
    this.subscriptions.add(registered);
    this.attach(registered);
    return () => {
      this.subscriptions.delete(registered);
      registered.dispose?.();
      registered.dispose = undefined;
    };
  }

  private attach(registered: Registered): void {
    const client = this.client;
    if (!client) return;
    const over = () => {
      // Only the client the subscription is on now may end it (a restart moves it).
      if (this.client !== client || !this.subscriptions.has(registered)) return false;
      this.subscriptions.delete(registered);
      registered.dispose = undefined;
      return true;
    };
    registered.dispose = client.subscribe(registered.payload, {
      next: (result) => registered.sink.next(result as FormattedExecutionResult<unknown>),
      error: (error) => {
        if (!Array.isArray(error)) {
          // The connection failed for good (graphql-ws errors every subscription with the close):
          // keep the subscription for the new client rather than ending it.
          if (this.client === client) {
            registered.dispose = undefined;
            this.scheduleRestart(this.options.reconnect?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
          }
          return;
        }
        if (over()) registered.sink.error(error);
      },
      complete: () => {
        if (over()) registered.sink.complete();
      },
    });
  }

  private connect(): void {
    const { minDelayMs = DEFAULT_MIN_DELAY_MS, maxDelayMs = DEFAULT_MAX_DELAY_MS } = this.options.reconnect ?? {};
    let pongTimer: NodeJS.Timeout | undefined;
    const client = createClient({
      url: this.options.url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: bearer(this.options.token) },
      lazy: false,
      keepAlive: KEEP_ALIVE_MS,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => this.backoff(Math.min(maxDelayMs, minDelayMs * 2 ** retries) * (0.8 + Math.random() * 0.4)),
      onNonLazyError: (error) => {
        // A close the library will not retry: start over with a new client.
        this.logger.error({ err: describeError(error) }, 'announcement connection failed for good; starting a new one');
        this.scheduleRestart(maxDelayMs);
      },
      on: {
        connected: () => this.onConnected(),
        closed: (event) => {
          clearTimeout(pongTimer);
          this.onClosed(event);
        },
        // A half-open socket (the API host vanished) answers no ping: end it so the retry begins.
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => client.terminate(), PONG_TIMEOUT_MS);
          pongTimer.unref();
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
    this.client = client;
    for (const registered of this.subscriptions) this.attach(registered);
  }

  private scheduleRestart(delayMs: number): void {
    if (this.current === 'stopped') return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      const old = this.client;
      this.client = undefined;
      for (const registered of this.subscriptions) {
        registered.dispose?.();
        registered.dispose = undefined;
      }
      if (old) void disposeQuietly(old, false);
      if (this.current !== 'stopped') this.connect();
    }, delayMs);
  }

  /** Resolves after `ms`; after stop() it never resolves, so graphql-ws makes no further attempt. */
  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.current === 'stopped') return;
      const cancel = () => clearTimeout(timer);
      const timer = setTimeout(() => {
        this.waits.delete(cancel);
        resolve();
      }, ms);
      this.waits.add(cancel);
    });
  }

  private onConnected(): void {
    if (this.current === 'stopped') return;
    const downForMs = this.downSince === undefined ? undefined : Date.now() - this.downSince;
    const reconnected = this.connectedOnce;
    this.downSince = undefined;
    this.connectedOnce = true;
    this.current = 'open';
    if (reconnected) this.logger.info({ downForMs }, 'announcement connection back; catching up');
    else this.logger.info('announcement connection open');
    this.options.onConnected?.({ reconnected, downForMs });
  }

  private onClosed(event: unknown): void {
    if (this.current === 'stopped') return;
    this.current = 'down';
    const code = event && typeof event === 'object' && 'code' in event ? (event as { code: unknown }).code : undefined;
    if (code === 4403 || code === 4401) {
      this.logger.error({ close: describeError(event) }, 'the API refused the bot token: is API_TOKEN the server one?');
    }
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      const msg = this.connectedOnce ? 'announcement connection lost; reconnecting with backoff' : 'cannot reach the API for announcements yet; retrying with backoff';
      this.logger.warn({ close: describeError(event) }, msg);
    } else {
      this.logger.debug({ close: describeError(event) }, 'announcement connection still down');
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * graphql-ws's dispose waits for a connection attempt in flight and rejects when it fails (API
 * down); neither may hold up or break the bot's shutdown.
 */
async function disposeQuietly(client: Client, open: boolean): Promise<void> {
  const disposed = Promise.resolve()
    .then(() => client.dispose())
    .catch(() => undefined);
  // Open: wait for the close frame. Down: nothing is open, and an attempt in flight closes itself.
  if (open) await Promise.race([disposed, delay(1_000)]);
}
