import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { pageSecurity } from '../http/content-security';
import { sendHtml } from '../http/html';
import { verifyPageBundle } from './page-bundle';

/*
 * `GET /verify/<roundId>`: the public page that verifies a round in the viewer's browser (no
 * credential). The page itself is the same for every round (its script reads the id from the
 * path and fetches /rounds/<id>/proof.json from this origin), so nothing of the request is
 * written into it. `GET /verify/assets/verify-page.{js,css}`: its script (the verifier bundled
 * for the browser, see page-bundle.ts) and stylesheet.
 */

const PAGE_FILE = new URL('./browser/verify-page.html', import.meta.url);
const STYLE_FILE = new URL('./browser/verify-page.css', import.meta.url);

/** Its own script and stylesheet, and fetch() to its own origin: nothing inline, no eval. */
const VERIFY_PAGE_SECURITY = pageSecurity({
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'connect-src': ["'self'"],
});

// Revalidated on every use (a 304 when unchanged): the page pins the script's SRI hash, so a
// cached script of an older deploy must never meet a newer page.
const ASSET_CACHE = 'no-cache';

async function loadPage(): Promise<string> {
  const [html, bundle] = await Promise.all([readFile(PAGE_FILE, 'utf8'), verifyPageBundle()]);
  return html.replace('{{SCRIPT_INTEGRITY}}', bundle.integrity);
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, type: string, body: string, etag: string): FastifyReply {
  reply.header('content-type', type).header('cache-control', ASSET_CACHE).header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  return reply.send(body);
}

export interface VerifyPageOptions {
  /** Bundle the script while the server starts (production: a build failure stops the start); else on first use. */
  bundleAtStart?: boolean;
}

export function verifyPageRoutes(options: VerifyPageOptions = {}): FastifyPluginAsync {
  return async (app) => {
    if (options.bundleAtStart) {
      app.addHook('onReady', async () => {
        await verifyPageBundle();
      });
    }
    let page: Promise<string> | undefined;
    let style: Promise<{ css: string; etag: string }> | undefined;

    app.get<{ Params: { roundId: string } }>('/verify/:roundId', { helmet: VERIFY_PAGE_SECURITY }, async (_request, reply) => {
      page ??= loadPage().catch((error: unknown) => {
        page = undefined;
        throw error;
      });
      return sendHtml(reply, 200, await page);
    });

    app.get('/verify/assets/verify-page.js', async (request, reply) => {
      const bundle = await verifyPageBundle();
      return sendAsset(request, reply, 'text/javascript; charset=utf-8', bundle.code, bundle.etag);
    });

    app.get('/verify/assets/verify-page.css', async (request, reply) => {
      style ??= readFile(STYLE_FILE, 'utf8').then((css) => ({ css, etag: `"${createHash('sha256').update(css).digest('base64url')}"` }));
      const { css, etag } = await style;
      return sendAsset(request, reply, 'text/css; charset=utf-8', css, etag);
    });
  };
}
