/**
 * The EventSub WebSocket server of the Twitch stand-in, following
 * dev.twitch.tv/docs/eventsub/handling-websocket-events:
 * - on connect a `session_welcome` with `keepalive_timeout_seconds` (the `keepalive_timeout_seconds`
 *   query parameter, 10–600, nearest valid value; the stand-in's option can set any value for tests);
 * - close 4003 "connection unused" when no subscription was created within that window;
 * - `session_keepalive` whenever nothing else was sent for a while;
 * - `notification` with message_id / message_timestamp / subscription_type metadata (at least
 *   once: `duplicate` sends the same message_id twice);
 * - `session_reconnect` with a `reconnect_url`: notifications keep going to the old connection
 *   until the new one is welcomed, the subscriptions move to it, and the old one is closed with
 *   4004 if the client has not closed it within the grace period (30 s on Twitch);
 * - `revocation` (authorization_revoked, user_removed, version_removed), after which the
 *   subscription is gone;
 * - client messages other than pong: close 4001; a closed connection disables its subscriptions.
 * Subscriptions are created through Helix (routes.ts), which checks the limits.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  chatMessageEvent,
  keepaliveMessage,
  notificationMessage,
  reconnectMessage,
  revocationMessage,
  sharedChatEvent,
  welcomeMessage,
  type ChatMessageInput,
  type SessionPayload,
  type SharedChatParticipant,
  type SubscriptionRecord,
} from './messages.js';

export const EVENTSUB_PATH = '/ws';

export interface FakeEventSubOptions {
  /** Welcome's keepalive_timeout_seconds regardless of the query (tests use < 10 s). */
  keepaliveTimeoutSeconds?: number;
  /** Time to subscribe after the welcome before close 4003; default the keepalive timeout. */
  subscribeWindowMs?: number;
  /** After session_reconnect, the old connection is closed with 4004 after this; default 30 s. */
  reconnectGraceMs?: number;
}

export interface Subscription extends SubscriptionRecord {
  clientId: string;
  userId: string;
}

interface Connection {
  socket: WebSocket;
  session: SessionPayload;
  subscriptions: Set<string>;
  lastSentAt: number;
  /** Silent: sends nothing (not even keepalives), as a half-open TCP connection. */
  frozen: boolean;
  timers: NodeJS.Timeout[];
  welcomed: boolean;
}

export type RevocationStatus = 'authorization_revoked' | 'user_removed' | 'version_removed';

export class FakeEventSub {
  readonly subscriptions = new Map<string, Subscription>();
  /** Sessions by id (a reconnected session keeps its subscriptions under a new id). */
  private readonly connections = new Map<string, Connection>();
  private readonly reconnectTokens = new Map<string, string>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private baseUrl = '';
  readonly closeCodes: number[] = [];
  connectCount = 0;

  constructor(readonly options: FakeEventSubOptions = {}) {}

  setBaseUrl(httpBaseUrl: string): void {
    this.baseUrl = httpBaseUrl.replace(/^http/, 'ws');
  }

  get url(): string {
    return `${this.baseUrl}${EVENTSUB_PATH}`;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== EVENTSUB_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, url));
  }

  private keepaliveSeconds(url: URL): number {
    if (this.options.keepaliveTimeoutSeconds !== undefined) return this.options.keepaliveTimeoutSeconds;
    const asked = Number(url.searchParams.get('keepalive_timeout_seconds') ?? 10);
    if (!Number.isFinite(asked)) return 10;
    return Math.min(600, Math.max(10, Math.round(asked)));
  }

  private onConnection(socket: WebSocket, url: URL): void {
    this.connectCount += 1;
    const keepalive = this.keepaliveSeconds(url);
    const token = url.searchParams.get('reconnect');
    const previous = token ? this.connections.get(this.reconnectTokens.get(token) ?? '') : undefined;
    if (token) {
      this.reconnectTokens.delete(token);
      if (!previous) {
        socket.once('close', (code) => this.closeCodes.push(code));
        socket.close(4007, 'invalid reconnect');
        return;
      }
    }
    const connection: Connection = {
      socket,
      session: {
        id: randomUUID(),
        status: 'connected',
        keepalive_timeout_seconds: keepalive,
        reconnect_url: null,
        connected_at: new Date().toISOString(),
      },
      subscriptions: new Set(),
      lastSentAt: Date.now(),
      frozen: false,
      timers: [],
      welcomed: false,
    };
    this.connections.set(connection.session.id, connection);
    socket.on('message', (_data, isBinary) => {
      void isBinary;
      // Only pong frames may come from the client (ws answers pings itself).
      socket.close(4001, 'client sent inbound traffic');
    });
    socket.on('close', (code) => {
      this.closeCodes.push(code);
      this.disconnected(connection);
    });
    socket.on('error', () => {});

    this.send(connection, welcomeMessage(connection.session));
    connection.welcomed = true;
    if (previous) {
      // The subscriptions move to the new connection; the old one gets nothing more.
      for (const id of previous.subscriptions) {
        const subscription = this.subscriptions.get(id);
        if (!subscription) continue;
        subscription.transport = { ...subscription.transport, session_id: connection.session.id };
        connection.subscriptions.add(id);
      }
      previous.subscriptions.clear();
      const grace = setTimeout(() => previous.socket.close(4004, 'reconnect grace time expired'), this.options.reconnectGraceMs ?? 30_000);
      previous.timers.push(grace);
    } else {
      const window = this.options.subscribeWindowMs ?? keepalive * 1000;
      connection.timers.push(
        setTimeout(() => {
          if (connection.subscriptions.size === 0 && socket.readyState === WebSocket.OPEN) socket.close(4003, 'connection unused');
        }, window),
      );
    }
    const keepaliveMs = keepalive * 1000;
    connection.timers.push(
      setInterval(() => {
        if (!connection.frozen && Date.now() - connection.lastSentAt >= keepaliveMs * 0.6) this.send(connection, keepaliveMessage());
      }, Math.max(10, keepaliveMs / 5)),
    );
  }

  private disconnected(connection: Connection): void {
    for (const timer of connection.timers) clearTimeout(timer);
    this.connections.delete(connection.session.id);
    // "If a WebSocket disconnects, all its subscriptions are disabled": gone from the active list.
    for (const id of connection.subscriptions) this.subscriptions.delete(id);
    connection.subscriptions.clear();
  }

  private send(connection: Connection, message: unknown): boolean {
    if (connection.frozen || connection.socket.readyState !== WebSocket.OPEN) return false;
    connection.socket.send(JSON.stringify(message));
    connection.lastSentAt = Date.now();
    return true;
  }

  // --- used by the Helix route ---------------------------------------------------------------

  /** The open, welcomed session with this id, or undefined. */
  session(sessionId: string): { id: string; connectedAt: string; subscriptionCount: number } | undefined {
    const connection = this.connections.get(sessionId);
    if (!connection || connection.socket.readyState !== WebSocket.OPEN || connection.session.status !== 'connected') return undefined;
    return { id: sessionId, connectedAt: connection.session.connected_at, subscriptionCount: connection.subscriptions.size };
  }

  addSubscription(subscription: Subscription): void {
    this.subscriptions.set(subscription.id, subscription);
    this.connections.get(subscription.transport.session_id)?.subscriptions.add(subscription.id);
  }

  /** Distinct sessions holding subscriptions of this client and user. */
  transportsOf(clientId: string, userId: string): Set<string> {
    const sessions = new Set<string>();
    for (const subscription of this.subscriptions.values()) {
      if (subscription.clientId === clientId && subscription.userId === userId) sessions.add(subscription.transport.session_id);
    }
    return sessions;
  }

  // --- switches for tests --------------------------------------------------------------------

  /** Open sessions (ids), optionally only those with a subscription for this broadcaster. */
  sessionIds(broadcasterId?: string): string[] {
    return [...this.connections.values()]
      .filter((connection) => broadcasterId === undefined || this.subscriptionsOf(connection).some((s) => s.condition.broadcaster_user_id === broadcasterId))
      .map((connection) => connection.session.id);
  }

  private subscriptionsOf(connection: Connection): Subscription[] {
    return [...connection.subscriptions].flatMap((id) => this.subscriptions.get(id) ?? []);
  }

  /** Enabled subscriptions of this type for a broadcaster. */
  subscribed(broadcasterId: string, type = 'channel.chat.message'): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.type === type && s.condition.broadcaster_user_id === broadcasterId);
  }

  /** Resolves once `count` sessions have a subscription of `type` for the broadcaster. */
  async waitForSubscription(broadcasterId: string, options: { type?: string; timeoutMs?: number; notSession?: string } = {}): Promise<Subscription> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.subscribed(broadcasterId, options.type).find((s) => s.transport.session_id !== options.notSession);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${options.type ?? 'channel.chat.message'} subscription for ${broadcasterId}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Sends a chat message to every session subscribed to this channel's chat; returns the message_id. */
  chatMessage(input: ChatMessageInput & { duplicate?: boolean }): { messageId: string; delivered: number } {
    const event = chatMessageEvent(input);
    const messageId = input.messageId ?? randomUUID();
    let delivered = 0;
    for (const subscription of this.subscribed(input.broadcaster.id)) {
      const connection = this.connections.get(subscription.transport.session_id);
      if (!connection) continue;
      const message = notificationMessage(subscription, event, messageId);
      if (this.send(connection, message)) delivered += 1;
      if (input.duplicate) this.send(connection, message);
    }
    return { messageId, delivered };
  }

  sharedChat(kind: 'begin' | 'update' | 'end', input: {
    sessionId: string;
    broadcaster: { id: string; login: string; name: string };
    host: { id: string; login: string; name: string };
    participants?: SharedChatParticipant[];
  }): number {
    const event = sharedChatEvent(kind === 'end' ? { ...input, participants: undefined } : input);
    let delivered = 0;
    for (const subscription of this.subscribed(input.broadcaster.id, `channel.shared_chat.${kind}`)) {
      const connection = this.connections.get(subscription.transport.session_id);
      if (connection && this.send(connection, notificationMessage(subscription, event))) delivered += 1;
    }
    return delivered;
  }

  /** session_reconnect on this session: the client must connect to the reconnect_url. */
  requestReconnect(sessionId: string, options: { invalidUrl?: boolean } = {}): string {
    const connection = this.connections.get(sessionId);
    if (!connection) throw new Error(`no session ${sessionId}`);
    const token = randomUUID();
    // invalidUrl: a reconnect_url the server will refuse (close 4007 "invalid reconnect").
    if (!options.invalidUrl) this.reconnectTokens.set(token, sessionId);
    const reconnectUrl = `${this.url}?reconnect=${token}`;
    connection.session = { ...connection.session, status: 'reconnecting', keepalive_timeout_seconds: null, reconnect_url: reconnectUrl };
    this.send(connection, reconnectMessage(connection.session));
    return reconnectUrl;
  }

  /** Revokes the subscriptions for a broadcaster (condition) or of a user (token). */
  revoke(userId: string, status: RevocationStatus = 'authorization_revoked'): number {
    let count = 0;
    for (const subscription of [...this.subscriptions.values()]) {
      if (subscription.userId !== userId && subscription.condition.broadcaster_user_id !== userId) continue;
      const connection = this.connections.get(subscription.transport.session_id);
      const revoked = { ...subscription, status };
      if (connection) {
        this.send(connection, revocationMessage(revoked));
        connection.subscriptions.delete(subscription.id);
      }
      this.subscriptions.delete(subscription.id);
      count += 1;
    }
    return count;
  }

  /** The connection drops without a close frame (network loss, server crash). */
  drop(sessionId: string): void {
    this.connections.get(sessionId)?.socket.terminate();
  }

  /** The connection stays open but nothing arrives any more (not even keepalives). */
  freeze(sessionId: string): void {
    const connection = this.connections.get(sessionId);
    if (connection) connection.frozen = true;
  }

  close(code: number, sessionId: string, reason = ''): void {
    this.connections.get(sessionId)?.socket.close(code, reason);
  }

  shutdown(): void {
    for (const connection of this.connections.values()) {
      for (const timer of connection.timers) clearTimeout(timer);
      connection.socket.terminate();
    }
    this.connections.clear();
    this.wss.close();
  }
}
