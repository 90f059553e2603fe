import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, onRequestHookHandler, RawServerDefault } from 'fastify';
import helmet from 'helmet';

/**
 * helmet for every route: `defaults` unless the route sets its own `helmet` option (an HTML page
 * adds what it loads; `helmet: false` sends none), and `reply.helmet(options)` for a response
 * that turns out to be a page.
 *
 * @fastify/helmet builds a helmet middleware, parsing every option and CSP directive, on each
 * request. For the routes with the defaults, JSON answers and the API's bulk, that middleware is
 * built once here; routes with their own option (pages, their per-response nonces) stay
 * @fastify/helmet's, whose `global: false` leaves the others to this hook.
 */
export async function registerSecurityHeaders<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  defaults: FastifyHelmetOptions,
): Promise<void> {
  const { enableCSPNonces, global, ...options } = defaults;
  if (enableCSPNonces || global === false) throw new Error('the default security headers hold no nonces and apply to every route');
  await app.register(fastifyHelmet, { ...options, global: false });
  // The same options through helmet's ESM typings (@fastify/helmet's are the CommonJS ones).
  const setDefaultHeaders = helmet(options as Parameters<typeof helmet>[0]);
  const defaultHeaders: onRequestHookHandler = (request, reply, done) => {
    // A route's own option (false included) is @fastify/helmet's: it moved it into the config.
    if ((request.routeOptions.config as { helmet?: unknown }).helmet !== undefined) return done();
    setDefaultHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined));
  };
  app.addHook('onRequest', defaultHeaders);
}
