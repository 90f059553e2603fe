/**
 * One EventSub WebSocket session for one user token (Twitch ties a WebSocket's subscriptions to
 * one user), kept alive as dev.twitch.tv/docs/eventsub/handling-websocket-events says:
 * - after `session_welcome`, `subscribe(sessionId)` runs at once (the welcome's
 *   keepalive_timeout_seconds is also the window to subscribe in, else close 4003);
 * - silence longer than keepalive_timeout_seconds (plus a margin) means the connection is dead:
 *   it is dropped and a new one is opened, and its subscriptions are created again (WebSocket
 *   subscriptions do not survive their connection, and Twitch replays nothing);
 * - `session_reconnect`: a second connection to the given reconnect_url; the old one keeps
 *   delivering until the new one is welcomed, then it is closed. Subscriptions move by
 *   themselves (no resubscribe), and nothing is lost in between;
 * - `revocation` is handed to the owner; delivery is at least once, so notifications are
 *   deduplicated by metadata.message_id (the recent ones, bounded);
 * - any other close (4000 server error, 4004/4005/4006/4007, 1006 dropped): reconnect with
 *   jittered exponential back-off, then resubscribe.
 */
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import {
  EVENTSUB_CLOSE_CODES,
  parseEventSubMessage,
  type EventSubMessage,
  type EventSubSubscriptionInfo,
} from './eventsub-messages';

export type SubscribeOutcome = 'subscribed' | 'retry' | 'stop';

export interface EventSubSessionOptions {
  /** TWITCH_EVENTSUB_WS_URL (wss://eventsub.wss.twitch.tv/ws). */
  url: string;
  /** Asked for with the keepalive_timeout_seconds query parameter (Twitch: 10-600). */
  keepaliveTimeoutSeconds?: number;
  /**
   * Creates the subscriptions on a fresh session. Returns 'retry' (this connection is closed and
   * a new one tried after back-off) or 'stop' (the session ends: nothing can work, e.g. the
   * authorization is missing) when it could not.
   */
  subscribe(sessionId: string): Promise<SubscribeOutcome>;
  /** Every notification once (duplicates by message_id dropped). */
  onNotification(message: EventSubMessage): void;
  onRevocation(subscription: EventSubSubscriptionInfo): void;
  /** The session stopped by itself (subscribe said 'stop'). */
  onStopped?(): void;
  logger: Logger;
  /** Back-off between reconnects: base and cap (ms). */
  backoff?: { baseMs: number; maxMs: number };
  /** How many recent message ids are remembered for dedupe; default 20 000. */
  dedupeSize?: number;
  /** A connection that sends no welcome within this is dropped; default 10 000 ms. */
  welcomeTimeoutMs?: number;
  random?: () => number;
}

export interface EventSubSessionStats {
  connects: number;
  /** session_reconnect migrations completed. */
  migrations: number;
  /** Connections that went silent past the keepalive timeout. */
  keepaliveTimeouts: number;
  notifications: number;
  duplicates: number;
  closeCodes: number[];
}

interface Connection {
  ws: WebSocket;
  /** 'fresh' subscribes after its welcome; 'migrate' came from a reconnect_url. */
  mode: 'fresh' | 'migrate';
  sessionId: string | null;
  keepaliveMs: number | null;
  lastMessageAt: number;
  openedAt: number;
  watchdog: NodeJS.Timeout;
  /** We are closing it on purpose: its close event changes nothing. */
  retired: boolean;
}

export class EventSubSession {
  private current: Connection | null = null;
  private migrating: Connection | null = null;
  private stopped = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly seen = new Map<string, true>();
  private readonly dedupeSize: number;
  readonly stats: EventSubSessionStats = { connects: 0, migrations: 0, keepaliveTimeouts: 0, notifications: 0, duplicates: 0, closeCodes: [] };

  constructor(private readonly options: EventSubSessionOptions) {
    this.dedupeSize = options.dedupeSize ?? 20_000;
  }

  /** The live session id (null while connecting). */
  get sessionId(): string | null {
    return this.current?.sessionId ?? null;
  }

  start(): void {
    this.connect(this.baseUrl(), 'fresh');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const closing = [this.current, this.migrating].filter((c): c is Connection => c !== null);
    this.current = null;
    this.migrating = null;
    await Promise.all(closing.map((connection) => this.retire(connection)));
  }

  private baseUrl(): string {
    const url = new URL(this.options.url);
    if (this.options.keepaliveTimeoutSeconds !== undefined && !url.searchParams.has('keepalive_timeout_seconds')) {
      url.searchParams.set('keepalive_timeout_seconds', String(this.options.keepaliveTimeoutSeconds));
    }
    return url.toString();
  }

  private connect(url: string, mode: Connection['mode']): Connection {
    const ws = new WebSocket(url, { handshakeTimeout: this.options.welcomeTimeoutMs ?? 10_000 });
    const now = Date.now();
    const connection: Connection = {
      ws,
      mode,
      sessionId: null,
      keepaliveMs: null,
      lastMessageAt: now,
      openedAt: now,
      retired: false,
      watchdog: setInterval(() => this.checkSilence(connection), 250),
    };
    connection.watchdog.unref();
    if (mode === 'fresh') this.current = connection;
    else this.migrating = connection;
    this.stats.connects += 1;
    ws.on('message', (data) => this.onMessage(connection, data.toString()));
    ws.on('close', (code, reason) => this.onClose(connection, code, reason.toString()));
    ws.on('error', (error) => this.options.logger.debug({ err: error.message }, 'eventsub socket error'));
    return connection;
  }

  /** No welcome in time, or silence past the keepalive timeout: the connection is dead. */
  private checkSilence(connection: Connection): void {
    const now = Date.now();
    if (connection.keepaliveMs === null) {
      if (now - connection.openedAt > (this.options.welcomeTimeoutMs ?? 10_000)) {
        this.options.logger.warn('eventsub: no session_welcome in time; reconnecting');
        connection.ws.terminate();
      }
      return;
    }
    // Twitch promises a message (at least a keepalive) within keepalive_timeout_seconds.
    const limit = connection.keepaliveMs * 1.25 + 500;
    if (now - connection.lastMessageAt > limit) {
      this.stats.keepaliveTimeouts += 1;
      this.options.logger.warn({ sessionId: connection.sessionId, silentMs: now - connection.lastMessageAt }, 'eventsub: keepalive timeout; reconnecting');
      connection.ws.terminate();
    }
  }

  private onMessage(connection: Connection, text: string): void {
    connection.lastMessageAt = Date.now();
    const message = parseEventSubMessage(text);
    if (!message) {
      this.options.logger.warn('eventsub: a message that is not EventSub JSON; ignored');
      return;
    }
    switch (message.metadata.message_type) {
      case 'session_welcome':
        this.onWelcome(connection, message);
        return;
      case 'session_keepalive':
        return;
      case 'notification':
        if (this.seen.has(message.metadata.message_id)) {
          this.stats.duplicates += 1;
          return;
        }
        this.remember(message.metadata.message_id);
        this.stats.notifications += 1;
        this.options.onNotification(message);
        return;
      case 'session_reconnect': {
        const url = message.payload.session?.reconnect_url;
        if (!url || this.stopped) return;
        this.options.logger.info({ sessionId: connection.sessionId }, 'eventsub: session_reconnect; opening the new connection');
        if (this.migrating) void this.retire(this.migrating);
        this.connect(url, 'migrate');
        return;
      }
      case 'revocation':
        if (message.payload.subscription) this.options.onRevocation(message.payload.subscription);
        return;
      default:
        return;
    }
  }

  private onWelcome(connection: Connection, message: EventSubMessage): void {
    const session = message.payload.session;
    if (!session) return;
    connection.sessionId = session.id;
    connection.keepaliveMs = (session.keepalive_timeout_seconds ?? 10) * 1000;
    if (connection.mode === 'migrate') {
      // The new connection is live: the old one has delivered what it had; close it.
      const old = this.current;
      this.current = connection;
      this.migrating = null;
      connection.mode = 'fresh';
      this.stats.migrations += 1;
      if (old) void this.retire(old);
      this.options.logger.info({ sessionId: session.id }, 'eventsub: reconnected to the new connection');
      return;
    }
    void this.options
      .subscribe(session.id)
      .catch((error: unknown) => {
        this.options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'eventsub: subscribing failed');
        return 'retry' as const;
      })
      .then((outcome) => {
        if (this.stopped || connection.retired) return;
        if (outcome === 'subscribed') {
          this.failures = 0;
          return;
        }
        if (this.current === connection) this.current = null;
        void this.retire(connection);
        if (outcome === 'stop') {
          this.stopped = true;
          this.options.onStopped?.();
        } else {
          this.scheduleReconnect();
        }
      });
  }

  private onClose(connection: Connection, code: number, reason: string): void {
    clearInterval(connection.watchdog);
    this.stats.closeCodes.push(code);
    if (connection.retired || this.stopped) return;
    const meaning = EVENTSUB_CLOSE_CODES[code] ?? reason;
    if (connection === this.migrating) {
      // The reconnect_url did not work out; the old connection still delivers until Twitch
      // closes it (4004), and that close brings a fresh connection.
      this.migrating = null;
      this.options.logger.warn({ code, meaning }, 'eventsub: the reconnect connection closed before its welcome');
      // The old connection is gone too: start over with a fresh one (and subscribe again).
      if (this.current === null) this.scheduleReconnect();
      return;
    }
    if (connection !== this.current) return;
    this.current = null;
    this.options.logger.warn({ code, meaning, sessionId: connection.sessionId }, 'eventsub: connection closed; reconnecting');
    // A reconnect_url connection on its way takes over the subscriptions at its welcome.
    if (this.migrating) return;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 500, maxMs: 30_000 };
    const random = this.options.random ?? Math.random;
    const delay = this.failures === 0 ? 0 : Math.min(maxMs, baseMs * 2 ** (this.failures - 1)) * (0.5 + random() / 2);
    this.failures += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.connect(this.baseUrl(), 'fresh');
    }, delay);
  }

  private retire(connection: Connection): Promise<void> {
    connection.retired = true;
    clearInterval(connection.watchdog);
    const ws = connection.ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 2_000);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  private remember(messageId: string): void {
    this.seen.set(messageId, true);
    if (this.seen.size > this.dedupeSize) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
