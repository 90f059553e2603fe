import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StreamerService } from '../streamers/streamer.service';
import { escapeHtml, sendHtml, type Route } from '../http/routes';

const OVERLAY_DIR = fileURLToPath(new URL('../../clients/overlay/', import.meta.url));
const GRAPHQL_WS_BROWSER_BUILD = path.join(
  path.dirname(createRequire(import.meta.url).resolve('graphql-ws')),
  '..',
  'umd',
  'graphql-ws.min.js',
);

const ASSETS: Record<string, { file: string; type: string }> = {
  'overlay.js': { file: path.join(OVERLAY_DIR, 'overlay.js'), type: 'text/javascript; charset=utf-8' },
  'overlay.css': { file: path.join(OVERLAY_DIR, 'overlay.css'), type: 'text/css; charset=utf-8' },
  'graphql-ws.min.js': { file: GRAPHQL_WS_BROWSER_BUILD, type: 'text/javascript; charset=utf-8' },
};

/** `GET /overlay/<streamerId>?key=…`: the overlay page (the key is checked here and on GraphQL). */
export function overlayRoutes(streamers: Pick<StreamerService, 'findIdByOverlayKey'>): Route[] {
  return [
    {
      method: 'GET',
      match: (pathname) => {
        const asset = /^\/overlay\/assets\/([\w.-]+)$/.exec(pathname);
        return asset && ASSETS[asset[1]!] ? { asset: asset[1]! } : null;
      },
      handle: async (_request, response, _url, params) => {
        const asset = ASSETS[params.asset!]!;
        response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=300' });
        response.end(await readFile(asset.file));
      },
    },
    {
      method: 'GET',
      match: (pathname) => {
        const page = /^\/overlay\/([^/]+)$/.exec(pathname);
        return page ? { streamerId: decodeURIComponent(page[1]!) } : null;
      },
      handle: async (_request, response, url, params) => {
        const key = url.searchParams.get('key');
        const owner = key ? await streamers.findIdByOverlayKey(key) : null;
        if (!owner || owner !== params.streamerId) {
          sendHtml(
            response,
            key ? 403 : 401,
            `<!doctype html><meta charset="utf-8"><title>Overlay</title><p>${escapeHtml(
              key
                ? 'This overlay link is not valid any more (the key was rotated?). Copy the current overlay URL again.'
                : 'This overlay link has no key. Copy the full overlay URL from the bot or the API.',
            )}</p>`,
          );
          return;
        }
        sendHtml(response, 200, await readFile(path.join(OVERLAY_DIR, 'overlay.html'), 'utf8'));
      },
    },
  ];
}
