import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { CloseCode, type Context, type makeServer } from 'graphql-ws';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import type { BroadcastConnection } from './broadcast-subscriptions';
import type { Slot } from './live-connections';

/**
 * Close code for a socket whose unsent data (ws' `bufferedAmount`, checked before each send)
 * passed WS_MAX_BUFFERED_BYTES: the client does not read fast enough. Mirrors HTTP 413 the way
 * graphql-ws' own 44xx codes mirror HTTP statuses; the graphql-ws client retries it. The client
 * should resubscribe with `afterRoundId` (or catch up with roundsSince) from the last id it saw.
 */
export const SLOW_CONSUMER_CLOSE_CODE = 4413;

type GraphQLWsServer = ReturnType<typeof makeServer<Record<string, unknown> | undefined, GraphQLWsConnection>>;
type GraphQLWsSocket = Parameters<GraphQLWsServer['opened']>[0];
type MessageHandler = (data: string) => Promise<void>;
/** graphql-ws' context of this connection (connection_init on). */
export type GraphQLWsSession = Context<Record<string, unknown> | undefined, GraphQLWsConnection>;

export interface ConnectionSettings {
  logger: Logger;
  maxBufferedBytes: number;
  /** No connection_init within this many ms: closed with 4408 (0: no limit). */
  connectionInitTimeoutMs: number;
  /** Takes the subscribe messages it serves itself (broadcast-subscriptions.ts) before graphql-ws. */
  broadcasts?: { take(connection: BroadcastConnection, text: string): boolean };
  /** Where open connections are tracked (KeepAlive); told when this one finishes. */
  tracker?: { remove(connection: GraphQLWsConnection): void };
}

/**
 * One WebSocket's glue to graphql-ws: it is both the socket graphql-ws talks to and the
 * connection's `extra`. A class with shared listeners (found through the socket) rather than a
 * handful of closures per socket: there are thousands of these, each living as long as its socket.
 *
 * A send never waits: it checks the socket's `bufferedAmount` and closes with
 * SLOW_CONSUMER_CLOSE_CODE when the unsent data is over the limit.
 *
 * What it keeps is kept for the socket's life, so only what is needed: the upgrade's headers until
 * connection_init was handled (not the request), its own init timer until then (graphql-ws' would
 * stay referenced), and the live-connection slots it frees when it finishes.
 */
export class GraphQLWsConnection implements GraphQLWsSocket, BroadcastConnection {
  principal?: Principal;
  /** graphql-ws' context, from connection_init on. */
  session?: GraphQLWsSession;
  /** The upgrade request's headers, until connection_init was handled. */
  handshakeHeaders: IncomingHttpHeaders | undefined;
  /** A ping went out and its pong has not come back yet (see KeepAlive). */
  awaitingPong = false;
  private finished = false;
  private handle: MessageHandler | undefined;
  private signalClosed: ((code: number, reason: string) => Promise<void>) | undefined;
  private initTimer: NodeJS.Timeout | undefined;
  private overlaySlot: Slot | undefined;

  constructor(
    readonly socket: WebSocket,
    request: IncomingMessage,
    private readonly settings: ConnectionSettings,
  ) {
    this.handshakeHeaders = request.headers;
    connections.set(socket, this);
    socket.on('pong', onPong);
    socket.on('error', onError);
    socket.on('message', onMessage);
    // `on`, not `once`: ws emits 'close' once, and `once` wraps the listener per socket.
    socket.on('close', onClose);
    const { connectionInitTimeoutMs } = settings;
    if (connectionInitTimeoutMs > 0 && Number.isFinite(connectionInitTimeoutMs)) {
      this.initTimer = setTimeout(closeUninitialised, connectionInitTimeoutMs, this);
    }
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Hands the socket to graphql-ws. */
  open(server: GraphQLWsServer): void {
    this.signalClosed = server.opened(this, this);
  }

  /** connection_init arrived (graphql-ws' onConnect): its session, and no more init timeout. */
  initialised(session: GraphQLWsSession): void {
    this.session = session;
    this.clearInitTimer();
  }

  /** Holds an overlay connection's slot until the connection finishes. */
  holdOverlaySlot(slot: Slot): void {
    if (this.finished) slot.release();
    else this.overlaySlot = slot;
  }

  /** Closes with 4408 when connection_init did not come in time (graphql-ws' code and reason). */
  initTimedOut(): void {
    this.initTimer = undefined;
    if (!this.session) this.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
  }

  /** Sends a frame now, or closes a socket whose client does not read (4413). Never waits. */
  sendNow(data: string | Buffer): void {
    const { socket } = this;
    if (this.finished || socket.readyState !== WebSocket.OPEN) return;
    const { maxBufferedBytes, logger } = this.settings;
    // The backlog is what counts: data the client has not taken yet. So a socket holds at
    // most the limit plus one message, and one large message alone never trips it.
    if (socket.bufferedAmount > maxBufferedBytes) {
      const reason = `Slow consumer: over ${maxBufferedBytes} bytes unsent`;
      logger.warn({ bufferedAmount: socket.bufferedAmount, limit: maxBufferedBytes }, 'closing a WebSocket that does not read');
      // The close frame waits behind the unsent data; ws destroys the socket if the client
      // never reads it (30 s). The subscriptions end now, so nothing more is produced.
      socket.close(SLOW_CONSUMER_CLOSE_CODE, reason);
      this.finish(SLOW_CONSUMER_CLOSE_CODE, reason);
      return;
    }
    // A shared frame is a Buffer: sent as text, like graphql-ws' own strings.
    socket.send(data, { binary: false });
  }

  /** graphql-ws' send. */
  async send(data: string): Promise<void> {
    this.sendNow(data);
  }

  /** graphql-ws' close. */
  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
  }

  /** graphql-ws' onMessage. */
  onMessage(handle: MessageHandler): void {
    this.handle = handle;
  }

  /** Closes the socket with `code` and ends its subscriptions at once. */
  cut(code: number, reason: string): void {
    this.close(code, reason);
    this.finish(code, reason);
  }

  /** Ends the graphql-ws session once: returns every subscription, so nothing more is resolved. */
  finish(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    connections.delete(this.socket);
    this.settings.tracker?.remove(this);
    this.clearInitTimer();
    this.overlaySlot?.release();
    this.overlaySlot = undefined;
    this.signalClosed?.(code, reason).catch((error: unknown) => this.settings.logger.warn({ err: error }, 'closing a graphql-ws session failed'));
  }

  received(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.finished || !this.handle) return;
    if (isBinary) {
      this.socket.close(CloseCode.BadRequest, 'Binary messages are not supported');
      return;
    }
    const text = data.toString();
    if (this.settings.broadcasts?.take(this, text)) return;
    this.pass(text);
  }

  /** graphql-ws handles `text`. */
  pass(text: string): void {
    if (this.finished || !this.handle) return;
    this.handle(text).catch((error: unknown) => this.fail(error));
  }

  fail(error: unknown): void {
    this.settings.logger.error({ err: error }, 'graphql-ws message handling failed');
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(CloseCode.InternalServerError, 'Internal server error');
  }

  private clearInitTimer(): void {
    if (this.initTimer === undefined) return;
    clearTimeout(this.initTimer);
    this.initTimer = undefined;
  }

  failed(error: Error): void {
    this.settings.logger.debug({ err: error.message }, 'WebSocket client error');
    this.socket.terminate();
  }
}

/** socket → its connection, for the listeners below (one function each for every socket). */
const connections = new WeakMap<WebSocket, GraphQLWsConnection>();

function onPong(this: WebSocket): void {
  const connection = connections.get(this);
  if (connection) connection.awaitingPong = false;
}

function onError(this: WebSocket, error: Error): void {
  connections.get(this)?.failed(error);
}

function onMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  connections.get(this)?.received(data, isBinary);
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  connections.get(this)?.finish(code, reason.toString());
}

function closeUninitialised(connection: GraphQLWsConnection): void {
  connection.initTimedOut();
}

/**
 * The open connections (ws' own client tracking is off: it adds a closure and a 'close' listener
 * per socket) and one timer for every socket: a ping every `intervalMs`; a socket that has not
 * answered the previous ping by the next one is dropped.
 */
export class KeepAlive {
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly live = new Set<GraphQLWsConnection>();

  constructor(
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.tick(), intervalMs);
      this.timer.unref();
    }
  }

  /** The connections not finished yet. */
  get connections(): ReadonlySet<GraphQLWsConnection> {
    return this.live;
  }

  add(connection: GraphQLWsConnection): void {
    if (!connection.isFinished) this.live.add(connection);
  }

  remove(connection: GraphQLWsConnection): void {
    this.live.delete(connection);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const silent: GraphQLWsConnection[] = [];
    for (const connection of this.live) {
      if (connection.awaitingPong) silent.push(connection);
      else {
        connection.awaitingPong = true;
        connection.socket.ping();
      }
    }
    if (silent.length === 0) return;
    // Judge after the next I/O poll: a pong that arrived while the event loop was busy is read
    // there, so a stalled server does not drop healthy clients.
    setImmediate(() => {
      for (const connection of silent) {
        if (!connection.awaitingPong || connection.isFinished) continue;
        this.logger.debug('WebSocket client did not answer a ping; dropping it');
        connection.socket.terminate();
      }
    });
  }
}
