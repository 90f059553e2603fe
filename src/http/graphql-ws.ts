import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { PrincipalResolver } from '../auth/principal-resolver';
import type { Config } from '../config/config';
import { KEY_ROTATED_CLOSE_CODE, TOO_MANY_CONNECTIONS_CLOSE_CODE, type LiveConnections } from './live-connections';
import type { GraphQLServer } from './yoga';
import { NextFrameSink } from './next-frame-sink';
import type { OriginPolicy } from './origins';

/**
 * Close code for a socket whose unsent data (ws' `bufferedAmount`, checked before each send)
 * passed WS_MAX_BUFFERED_BYTES: the client does not read fast enough. Mirrors HTTP 413 the way
 * graphql-ws' own 44xx codes mirror HTTP statuses; the graphql-ws client retries it. The client
 * should resubscribe with `afterRoundId` (or catch up with roundsSince) from the last id it saw.
 */
export const SLOW_CONSUMER_CLOSE_CODE = 4413;
/** Subscriptions one socket may hold at once; more are refused with an error message. */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 50;
/** Largest incoming WebSocket message (a subscribe with its query); ws' default is 100 MiB. */
const MAX_INCOMING_MESSAGE_BYTES = 256 * 1024;

/** What the WebSocket layer reaches (the app's Services satisfies it). */
export interface WebSocketServices {
  config: Pick<Config, 'http' | 'webSocket'>;
  logger: Logger;
  principals: PrincipalResolver;
}

type ConnectionExtra = {
  socket: WebSocket;
  request: IncomingMessage;
  principal?: Principal;
  /** Closes the socket with `code` and ends its subscriptions at once. */
  cut: (code: number, reason: string) => void;
  /** Sends a frame now, or closes a socket whose client does not read (4413). Never waits. */
  send: (data: string | Buffer) => void;
};

/**
 * graphql-ws on the GraphQL path, executed through yoga's envelop (same schema, plugins, limits
 * and context as HTTP). This is the only wiring of graphql-ws in the project: graphql-ws'
 * `makeServer` with our own socket glue instead of `graphql-ws/use/ws`, because that one awaits
 * every send until the kernel took it, which stalls a subscription behind a client that stops
 * reading while its events pile up in memory. Here a send never waits: it checks the socket's
 * `bufferedAmount` and closes with SLOW_CONSUMER_CLOSE_CODE when the unsent data is over the limit.
 *
 * - The credential comes in connectionParams (`authorization` or `overlayKey`), checked once at
 *   connection init: a bad or missing one closes with 4403.
 * - Browsers must send an allowed Origin, the same list as CORS (origins.ts), else HTTP 403 on
 *   the upgrade; clients that send no Origin (the bot, servers) are not browsers and pass.
 * - No connection_init within WS_CONNECTION_INIT_TIMEOUT_MS: 4408. Subscribe before the ack: 4401.
 *   A subscription id in use: 4409. A second connection_init: 4429 (all graphql-ws).
 * - Caps (live-connections.ts): more than LIVE_MAX_PER_ADDRESS live connections from one address
 *   answer the upgrade with HTTP 429; more than LIVE_MAX_PER_OVERLAY_KEY for one overlay key close
 *   with 4429 after connection_init. A rotated overlay key closes its sockets with 4403.
 * - A WebSocket ping every WS_KEEPALIVE_MS; a socket that has not answered the previous ping by
 *   the next one is dropped.
 */
export function attachGraphQLWebSocket(
  httpServer: Server,
  yoga: GraphQLServer,
  services: WebSocketServices,
  origins: OriginPolicy,
  live: LiveConnections,
) {
  const { config } = services;
  const logger = services.logger.child({ subsystem: 'graphql-ws' });
  const { connectionInitTimeoutMs, keepAliveMs, maxBufferedBytes } = config.webSocket;

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    handleProtocols,
    maxPayload: MAX_INCOMING_MESSAGE_BYTES,
    verifyClient: (info: { origin: string | undefined; req: IncomingMessage }, callback: (ok: boolean, code?: number, message?: string) => void) => {
      if (!origins.allows(info.origin)) {
        logger.warn({ origin: info.origin }, 'WebSocket upgrade refused: origin not allowed');
        callback(false, 403, 'Origin not allowed');
        return;
      }
      // One slot per TCP connection from this address, freed when that connection closes.
      const slot = live.admitAddress(info.req.socket.remoteAddress);
      if (!slot) {
        logger.warn({ limit: live.limits.maxPerAddress }, 'WebSocket upgrade refused: too many live connections from one address');
        callback(false, 429, `Too many live connections from this address (at most ${live.limits.maxPerAddress})`);
        return;
      }
      info.req.socket.once('close', slot.release);
      callback(true);
    },
  });

  const server = makeServer<Record<string, unknown> | undefined, ConnectionExtra>({
    connectionInitWaitTimeout: connectionInitTimeoutMs,
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
    onConnect: async (context) => {
      const since = live.mark();
      const principal = await services.principals.fromConnectionParams(context.connectionParams, context.extra.request.headers);
      if (principal.kind === 'anonymous') return false;
      if (principal.kind === 'overlay') {
        const { socket, cut } = context.extra;
        const { streamerId } = principal;
        const params = context.connectionParams;
        const admission = live.admitOverlay(
          streamerId,
          since,
          () => cut(KEY_ROTATED_CLOSE_CODE, 'Overlay key rotated'),
          async () => sameOverlay(await services.principals.fromConnectionParams(params), streamerId),
        );
        // Rotated while its key was being looked up: the key it sent is the old one (4403).
        if (!admission.ok && admission.reason === 'rotated') return false;
        if (!admission.ok) {
          const { maxPerOverlayKey } = live.limits;
          logger.warn({ streamerId: principal.streamerId, limit: maxPerOverlayKey }, 'overlay connection refused: too many for one key');
          // Closed before graphql-ws answers; its own 4403 close then finds the socket closing.
          socket.close(TOO_MANY_CONNECTIONS_CLOSE_CODE, `Too many live connections for this overlay key (at most ${maxPerOverlayKey})`);
          return false;
        }
        socket.once('close', admission.slot.release);
        if (socket.readyState !== WebSocket.OPEN) admission.slot.release();
      }
      context.extra.principal = principal;
      return true;
    },
    onSubscribe: async (context, id, payload) => {
      if (Object.keys(context.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
        return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} operations at once on one connection`)];
      }
      // Results shared by a group of subscribers are serialized once and written as frames here.
      // graphql-ws holds the subscription while it runs (a client's `complete` removes it).
      const nextFrameSink = new NextFrameSink(id, () => id in context.subscriptions, context.extra.send);
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...context,
        req: context.extra.request,
        socket: context.extra.socket,
        params: payload,
        principal: context.extra.principal,
        nextFrameSink,
      });
      let document: ExecutionArgs['document'];
      try {
        document = parse(payload.query);
      } catch (error) {
        // A syntax error (or a limit hit while parsing) is the client's: an error message, not a 4500 close.
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      const errors = validate(schema, document);
      if (errors.length > 0) return errors;
      return {
        schema,
        operationName: payload.operationName,
        document,
        variableValues: payload.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe } satisfies EnvelopedRoot,
      };
    },
  });

  wsServer.on('error', (error) => logger.error({ err: error }, 'WebSocket server error'));

  wsServer.on('connection', (socket, request) => {
    let finished = false;
    let signalClosed: ((code: number, reason: string) => Promise<void>) | undefined;
    // Ends the graphql-ws session once: returns every subscription, so nothing more is resolved.
    const finish = (code: number, reason: string) => {
      if (finished) return;
      finished = true;
      clearInterval(pinger);
      signalClosed?.(code, reason).catch((error: unknown) => logger.warn({ err: error }, 'closing a graphql-ws session failed'));
    };

    let answeredPing = true;
    const pinger =
      keepAliveMs > 0
        ? setInterval(() => {
            if (!answeredPing) {
              // Judge after the next I/O poll: a pong that arrived while the event loop was busy
              // is read there, so a stalled server does not drop healthy clients.
              setImmediate(() => {
                if (answeredPing || finished) return;
                logger.debug('WebSocket client did not answer a ping; dropping it');
                socket.terminate();
              });
              return;
            }
            answeredPing = false;
            socket.ping();
          }, keepAliveMs)
        : undefined;
    pinger?.unref();
    socket.on('pong', () => {
      answeredPing = true;
    });

    socket.on('error', (error) => {
      logger.debug({ err: error.message }, 'WebSocket client error');
      socket.terminate();
    });

    const cut = (code: number, reason: string) => {
      if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
      finish(code, reason);
    };

    const send = (data: string | Buffer) => {
      if (finished || socket.readyState !== WebSocket.OPEN) return;
      // The backlog is what counts: data the client has not taken yet. So a socket holds at
      // most the limit plus one message, and one large message alone never trips it.
      if (socket.bufferedAmount > maxBufferedBytes) {
        const reason = `Slow consumer: over ${maxBufferedBytes} bytes unsent`;
        logger.warn({ bufferedAmount: socket.bufferedAmount, limit: maxBufferedBytes }, 'closing a WebSocket that does not read');
        // The close frame waits behind the unsent data; ws destroys the socket if the client
        // never reads it (30 s). The subscriptions end now, so nothing more is produced.
        socket.close(SLOW_CONSUMER_CLOSE_CODE, reason);
        finish(SLOW_CONSUMER_CLOSE_CODE, reason);
        return;
      }
      // A shared frame is a Buffer: sent as text, like graphql-ws' own strings.
      socket.send(data, { binary: false });
    };

    signalClosed = server.opened(
      {
        protocol: socket.protocol,
        send: async (data) => send(data),
        close: (code, reason) => {
          if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
        },
        onMessage: (handle) =>
          socket.on('message', (data, isBinary) => {
            if (finished) return;
            if (isBinary) {
              socket.close(CloseCode.BadRequest, 'Binary messages are not supported');
              return;
            }
            handle(data.toString()).catch((error: unknown) => {
              logger.error({ err: error }, 'graphql-ws message handling failed');
              if (socket.readyState === WebSocket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      { socket, request, cut, send },
    );
    socket.once('close', (code, reason) => finish(code, reason.toString()));
  });

  return {
    wsServer,
    /** Closes every socket with 1001 (going away) and stops accepting upgrades. */
    async close() {
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      for (const client of wsServer.clients) client.terminate();
    },
  };
}

function sameOverlay(principal: Principal, streamerId: string): boolean {
  return principal.kind === 'overlay' && principal.streamerId === streamerId;
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

type OperationResult = ReturnType<NonNullable<ServerOptions['execute']>>;
