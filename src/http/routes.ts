import type { IncomingMessage, ServerResponse } from 'node:http';

/** A plain HTTP route next to GraphQL (health checks, OAuth callback, overlay page). */
export interface Route {
  method: 'GET' | 'POST';
  /** Returns the path parameters when the route applies to this path, else null. */
  match(pathname: string): Record<string, string> | null;
  handle(request: IncomingMessage, response: ServerResponse, url: URL, params: Record<string, string>): Promise<void>;
}

export function exactPath(path: string) {
  return (pathname: string) => (pathname === path ? {} : null);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(text);
}

export function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(html);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
