import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { ownWebSocketOrigins, pageSecurity } from '../http/content-security';
import { sendHtml } from '../http/html';

/** Vite's build of clients/dashboard (npm run dashboard:build; made on install and at start when stale). */
export const DASHBOARD_DIST = fileURLToPath(new URL('../../clients/dashboard/dist/', import.meta.url));
export const DASHBOARD_PREFIX = '/dashboard';

/**
 * What the dashboard page loads: its own hashed scripts and styles, GraphQL over its own origin
 * (HTTP and the graphql-ws socket), images of its own (and data: URLs the chart library may use).
 * No inline script or style element: React sets styles through the CSSOM, which CSP allows.
 */
const DASHBOARD_PAGE_SECURITY = pageSecurity({
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'", ...ownWebSocketOrigins],
});

/**
 * `GET /dashboard` and every path below it: the single-page app's index.html (the client router
 * takes the rest), and `/dashboard/assets/<hashed name>` with a year-long immutable cache.
 */
export function dashboardRoutes(distDir = DASHBOARD_DIST): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root: path.join(distDir, 'assets'),
      prefix: `${DASHBOARD_PREFIX}/assets/`,
      index: false,
      list: false,
      dotfiles: 'deny',
      // Vite names every asset by its content hash: a changed file is a new URL.
      immutable: true,
      maxAge: 365 * 24 * 3600 * 1000,
      decorateReply: false,
    });

    const page = async (_request: unknown, reply: Parameters<typeof sendHtml>[0]) => {
      const html = await readFile(path.join(distDir, 'index.html'), 'utf8').catch(() => null);
      if (html === null) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The dashboard is not built: run `npm run dashboard:build` (npm install and npm start do it).');
      }
      return sendHtml(reply, 200, html);
    };
    app.get(DASHBOARD_PREFIX, { helmet: DASHBOARD_PAGE_SECURITY }, page);
    app.get(`${DASHBOARD_PREFIX}/*`, { helmet: DASHBOARD_PAGE_SECURITY }, page);
  };
}
