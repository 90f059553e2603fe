import { createHash } from 'node:crypto';
import type { GraphiQLOptions } from 'graphql-yoga';
import { ownWebSocketOrigins, pageSecurity } from './content-security';

/**
 * GraphiQL from node_modules (@graphql-yoga/render-graphiql inlines the editor, its styles and
 * workers into one page), so it works offline and loads nothing from a CDN. The page is rendered
 * once per options (it is 9 MB) and the package is only loaded the first time a browser asks.
 * Its Content-Security-Policy allows exactly that page's inline scripts, by hash.
 */
export function offlineGraphiQL() {
  const pages = new Map<string, { html: string; scriptHashes: string[] }>();

  return {
    /** yoga's `renderGraphiQL` option. */
    async render(options: GraphiQLOptions): Promise<string> {
      const key = JSON.stringify(options);
      let page = pages.get(key);
      if (!page) {
        const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
        const html = renderGraphiQL(options);
        page = { html, scriptHashes: inlineScripts(html).map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`) };
        pages.set(key, page);
      }
      return page.html;
    },
    /** The helmet options for a rendered page (the hashes of every page rendered: in practice one). */
    security() {
      return pageSecurity({
        'script-src': [...new Set([...pages.values()].flatMap((page) => page.scriptHashes))],
        // The editor adds <style> elements and style attributes as it runs.
        'style-src': ["'self'", "'unsafe-inline'"],
        'worker-src': ['blob:'],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'", ...ownWebSocketOrigins],
      });
    },
  };
}

export type OfflineGraphiQL = ReturnType<typeof offlineGraphiQL>;

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
}
