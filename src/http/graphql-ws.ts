import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal';
import type { PrincipalResolver } from '../auth/principal-resolver';
import type { Config } from '../config/config';
import { KEY_ROTATED_CLOSE_CODE, TOO_MANY_CONNECTIONS_CLOSE_CODE, type LiveConnections, type OverlayConnection, type Slot } from './live-connections';
import type { GraphQLServer } from './yoga';
import { BroadcastSubscriptions } from './broadcast-subscriptions';
import { GraphQLWsConnection, KeepAlive } from './graphql-ws-connection';
import type { OriginPolicy } from './origins';

export { SLOW_CONSUMER_CLOSE_CODE } from './graphql-ws-connection';
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
    // KeepAlive tracks the open connections (ws' tracking costs a closure and a listener per socket).
    clientTracking: false,
    verifyClient: (info: { origin: string | undefined; req: IncomingMessage }, callback: (ok: boolean, code?: number, message?: string) => void) => {
      if (!origins.allows(info.origin)) {
        logger.warn({ origin: info.origin }, 'WebSocket upgrade refused: origin not allowed');
        callback(false, 403, 'Origin not allowed');
        return;
      }
      // One slot per TCP connection from this address, freed when that connection closes.
      const { socket } = info.req;
      const slot = live.admitAddress(socket.remoteAddress);
      if (!slot) {
        logger.warn({ limit: live.limits.maxPerAddress }, 'WebSocket upgrade refused: too many live connections from one address');
        callback(false, 429, `Too many live connections from this address (at most ${live.limits.maxPerAddress})`);
        return;
      }
      addressSlots.set(socket, slot);
      socket.on('close', releaseAddressSlot);
      callback(true);
    },
  });

  const server = makeServer<Record<string, unknown> | undefined, GraphQLWsConnection>({
    // GraphQLWsConnection times connection_init itself (4408): graphql-ws' timer would stay
    // referenced by the session for the socket's life.
    connectionInitWaitTimeout: 0,
    execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
    subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
    onConnect: async (context) => {
      const connection = context.extra;
      connection.initialised(context);
      const since = live.mark();
      const headers = connection.handshakeHeaders ?? {};
      connection.handshakeHeaders = undefined; // only connection_init needs them
      const principal = await services.principals.fromConnectionParams(context.connectionParams, headers);
      if (principal.kind === 'anonymous') return false;
      if (principal.kind === 'overlay') {
        const { socket } = connection;
        const { streamerId } = principal;
        const admission = live.admitOverlay(streamerId, since, new OverlayLease(connection, context.connectionParams, streamerId, services.principals));
        // Rotated while its key was being looked up: the key it sent is the old one (4403).
        if (!admission.ok && admission.reason === 'rotated') return false;
        if (!admission.ok) {
          const { maxPerOverlayKey } = live.limits;
          logger.warn({ streamerId: principal.streamerId, limit: maxPerOverlayKey }, 'overlay connection refused: too many for one key');
          // Closed before graphql-ws answers; its own 4403 close then finds the socket closing.
          socket.close(TOO_MANY_CONNECTIONS_CLOSE_CODE, `Too many live connections for this overlay key (at most ${maxPerOverlayKey})`);
          return false;
        }
        connection.holdOverlaySlot(admission.slot);
      }
      connection.principal = principal;
      return true;
    },
    onSubscribe: async (context, id, payload) => {
      if (Object.keys(context.subscriptions).length > MAX_SUBSCRIPTIONS_PER_SOCKET) {
        return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} operations at once on one connection`)];
      }
      // Subscriptions that share a feed never get here (BroadcastSubscriptions took them).
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...context,
        params: payload,
        principal: context.extra.principal,
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

  const keepAlive = new KeepAlive(keepAliveMs, logger);
  const connectionSettings = {
    logger,
    maxBufferedBytes,
    connectionInitTimeoutMs,
    broadcasts: new BroadcastSubscriptions(yoga, MAX_SUBSCRIPTIONS_PER_SOCKET),
    tracker: keepAlive,
  };
  wsServer.on('connection', (socket, request) => {
    const connection = new GraphQLWsConnection(socket, request, connectionSettings);
    keepAlive.add(connection);
    connection.open(server);
  });

  return {
    wsServer,
    /** Closes every socket with 1001 (going away), waits for them, and stops accepting upgrades. */
    async close() {
      keepAlive.stop();
      const open = [...keepAlive.connections].map(({ socket }) => socket);
      // Each closes once its client answered the close frame (ws gives up after 30 s).
      const closed = open.map((socket) =>
        socket.readyState === WebSocket.CLOSED ? undefined : new Promise<void>((resolve) => socket.once('close', () => resolve())),
      );
      for (const socket of open) socket.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await Promise.all(closed);
    },
  };
}

/** TCP socket of an upgrade → its address slot, freed by one shared listener when it closes. */
const addressSlots = new WeakMap<Socket, Slot>();

function releaseAddressSlot(this: Socket): void {
  addressSlots.get(this)?.release();
  addressSlots.delete(this);
}

/** An overlay socket in the rotation cut: closed with 4403 when its key is rotated, re-checked after a bus gap. */
class OverlayLease implements OverlayConnection {
  constructor(
    private readonly connection: GraphQLWsConnection,
    private readonly params: Record<string, unknown> | undefined,
    private readonly streamerId: string,
    private readonly principals: PrincipalResolver,
  ) {}

  cut(): void {
    this.connection.cut(KEY_ROTATED_CLOSE_CODE, 'Overlay key rotated');
  }

  async stillValid(): Promise<boolean> {
    const principal = await this.principals.fromConnectionParams(this.params);
    return principal.kind === 'overlay' && principal.streamerId === this.streamerId;
  }
}

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

type OperationResult = ReturnType<NonNullable<ServerOptions['execute']>>;
