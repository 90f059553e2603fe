import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { sendJson, type Route } from './routes';
import type { GraphQLServer } from './yoga';

/**
 * Idle keep-alive connections live longer than a load balancer's usual 60 s idle timeout, so the
 * server is never the side that closes a connection a client is about to reuse (which the client
 * sees as ECONNRESET).
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** One Node HTTP server: plain routes first, everything else to yoga (which owns /graphql). */
export function createHttpServer(yoga: GraphQLServer, routes: Route[], logger: Logger): Server {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    for (const route of routes) {
      const params = route.match(url.pathname);
      if (!params) continue;
      if (request.method !== route.method && !(route.method === 'GET' && request.method === 'HEAD')) {
        sendJson(response, 405, { error: `use ${route.method} on ${url.pathname}` });
        return;
      }
      route.handle(request, response, url, params).catch((error: unknown) => {
        logger.error({ err: error, path: url.pathname }, 'route failed');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.end();
      });
      return;
    }
    void yoga(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  return server;
}
