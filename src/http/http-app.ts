import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { defaultSecurityHeaders } from './content-security';
import type { OriginPolicy } from './origins';
import { registerSecurityHeaders } from './security-headers';

/**
 * Idle keep-alive connections live longer than a load balancer's usual 60 s idle timeout, so the
 * server is never the side that closes a connection a client is about to reuse (which the client
 * sees as ECONNRESET).
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** Largest request body anywhere, /graphql included: more is 413 before it is read. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  logger: Logger;
  origins: OriginPolicy;
  /** Feature plugins (GraphQL, health, overlay...). */
  routes: FastifyPluginAsync[];
  /** Plugins whose routes all live under /auth/: they share a rate limit. */
  authRoutes: FastifyPluginAsync[];
  /** Requests per client address and minute on /auth/* (AUTH_RATE_LIMIT_PER_MINUTE). */
  authRateLimitPerMinute: number;
  /** Fastify's trustProxy (TRUST_PROXY): where the client address comes from behind a proxy. */
  trustProxy: boolean | number | string[];
  /** Signs cookies (SESSION_SECRET): reply.setCookie(..., { signed: true }) / request.unsignCookie. */
  cookieSecret: string;
}

/**
 * The app's one HTTP server: Fastify with the app's pino logger, the kept plugins for headers
 * (helmet: CSP and frame headers, each HTML route adds what its page needs), CORS (the origin
 * allow-list), cookies and rate limits, then the feature plugins. Malformed requests (bad
 * escapes, invalid UTF-8, oversized heads or bodies) are the framework's 4xx, never a crash.
 */
export async function createHttpApp(options: HttpAppOptions) {
  const app = Fastify({
    loggerInstance: options.logger,
    // One debug line per request (below) instead of Fastify's two info lines with the query string.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    requestTimeout: 300_000,
    // stop(): open responses (SSE streams) end with the server instead of holding close() open.
    forceCloseConnections: true,
    // A hop count becomes Fastify's function form (trust the nearest `n` hops).
    trustProxy: typeof options.trustProxy === 'number' ? trustNearestHops(options.trustProxy) : options.trustProxy,
  });
  app.server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  // A callback hook, and the line built only when debug is on: this runs for every request.
  app.addHook('onResponse', (request, reply, done) => {
    if ((request.log as Logger).isLevelEnabled('debug')) {
      request.log.debug({ ...requestSummary(request), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });
  app.setErrorHandler(async (error: { statusCode?: number; message: string }, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) {
      request.log.error({ err: error, ...requestSummary(request) }, 'request failed');
      return reply.status(statusCode).send({ statusCode, error: 'Internal Server Error', message: 'Something went wrong on our side.' });
    }
    return reply.status(statusCode).send(error);
  });

  await registerSecurityHeaders(app, defaultSecurityHeaders);
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, options.origins.allows(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST'],
    maxAge: 600,
  });
  await app.register(fastifyCookie, { secret: options.cookieSecret });

  for (const routes of options.routes) await app.register(routes);
  await app.register(async (auth) => {
    auth.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/auth/')) throw new Error(`${route.url}: the rate-limited auth routes live under /auth/`);
    });
    await auth.register(fastifyRateLimit, { max: options.authRateLimitPerMinute, timeWindow: 60_000 });
    for (const routes of options.authRoutes) await auth.register(routes);
  });
  return app;
}

function trustNearestHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** Method, path and route for logs: never the query string (overlay keys, OAuth codes and states live there). */
function requestSummary(request: FastifyRequest) {
  return { method: request.method, path: request.url.split('?')[0], route: request.routeOptions.url };
}
