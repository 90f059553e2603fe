import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { ownWebSocketOrigins, pageSecurity } from '../http/content-security';
import { escapeHtml, sendHtml } from '../http/html';
import type { StreamerService } from '../streamers/streamer.service';

const OVERLAY_DIR = fileURLToPath(new URL('../../clients/overlay/', import.meta.url));
const GRAPHQL_WS_BROWSER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('graphql-ws')), '..', 'umd');

/** The only files under /overlay/assets/ (looked up in these folders in turn). */
const ASSET_DIRS = [OVERLAY_DIR, GRAPHQL_WS_BROWSER_DIR];
const ASSETS = new Set(['/overlay.js', '/overlay.css', '/graphql-ws.min.js']);

/** What the overlay page loads: its own scripts and styles, and GraphQL over its own origin (HTTP and WebSocket). */
const OVERLAY_PAGE_SECURITY = pageSecurity({
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'connect-src': ["'self'", ...ownWebSocketOrigins],
});

/**
 * `GET /overlay/<streamerId>?key=…`: the overlay page (the key is checked here and on GraphQL),
 * and `GET /overlay/assets/<file>`: its script, stylesheet and graphql-ws' browser build.
 */
export function overlayRoutes(streamers: Pick<StreamerService, 'findIdByOverlayKey'>): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root: ASSET_DIRS,
      prefix: '/overlay/assets/',
      // A Set lookup: names like `constructor` or `__proto__` are just unknown files (404).
      allowedPath: (pathName) => ASSETS.has(pathName),
      index: false,
      list: false,
      dotfiles: 'deny',
      maxAge: 300_000,
      decorateReply: false,
    });

    app.get<{ Params: { streamerId: string }; Querystring: { key?: unknown } }>(
      '/overlay/:streamerId',
      { helmet: OVERLAY_PAGE_SECURITY },
      async (request, reply) => {
        const key = typeof request.query.key === 'string' && request.query.key !== '' ? request.query.key : undefined;
        const owner = key ? await streamers.findIdByOverlayKey(key) : null;
        if (!owner || owner !== request.params.streamerId) {
          const message = key
            ? 'This overlay link is not valid any more (the key was rotated?). Copy the current overlay URL again.'
            : 'This overlay link has no key. Copy the full overlay URL from the bot or the API.';
          return sendHtml(reply, key ? 403 : 401, `<!doctype html><meta charset="utf-8"><title>Overlay</title><p>${escapeHtml(message)}</p>`);
        }
        return sendHtml(reply, 200, await readFile(path.join(OVERLAY_DIR, 'overlay.html'), 'utf8'));
      },
    );
  };
}
