/** Request/response plumbing for the Twitch stand-in. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Raw query string without "?". */
  query: string;
  /** 0 until a response is written. */
  status: number;
  at: number;
  /** "Bearer", "OAuth", another word, or null when the header is absent. */
  authorizationScheme: string | null;
  clientIdHeader: string | null;
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  log: RequestLogEntry;
}

export type HeaderMap = Record<string, string | number>;

export function sendJson(ex: Exchange, status: number, body: unknown, headers: HeaderMap = {}): void {
  const payload = JSON.stringify(body);
  ex.log.status = status;
  ex.res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
  });
  ex.res.end(payload);
}

export function sendEmpty(ex: Exchange, status: number, headers: HeaderMap = {}): void {
  ex.log.status = status;
  ex.res.writeHead(status, { ...headers, 'Content-Length': 0 });
  ex.res.end();
}

export function redirect(ex: Exchange, location: string): void {
  ex.log.status = 302;
  ex.res.writeHead(302, { Location: location, 'Content-Length': 0 });
  ex.res.end();
}

/** id.twitch.tv error body: `{"status":400,"message":"..."}` (the refresh error also has "error"). */
export function sendOAuthError(ex: Exchange, status: number, message: string, withErrorField = false): void {
  const body = withErrorField ? { error: STATUS_CODES[status] ?? 'Error', status, message } : { status, message };
  sendJson(ex, status, body);
}

/** Helix error body: `{"error":"Unauthorized","status":401,"message":"..."}`. */
export function sendHelixError(ex: Exchange, status: number, message: string, headers: HeaderMap = {}): void {
  sendJson(ex, status, { error: STATUS_CODES[status] ?? 'Error', status, message }, headers);
}

export async function readBody(req: IncomingMessage, limitBytes = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Form fields from an x-www-form-urlencoded body, falling back to query parameters. */
export async function readFormParams(ex: Exchange): Promise<URLSearchParams> {
  const merged = new URLSearchParams(ex.url.search);
  const body = await readBody(ex.req);
  const contentType = ex.req.headers['content-type'] ?? '';
  if (body !== '' && (contentType === '' || contentType.includes('application/x-www-form-urlencoded'))) {
    for (const [key, value] of new URLSearchParams(body)) merged.set(key, value);
  }
  return merged;
}

export function authorizationParts(ex: Exchange): { scheme: string; credentials: string } | null {
  const header = ex.req.headers.authorization;
  if (header === undefined) return null;
  const space = header.indexOf(' ');
  if (space <= 0) return { scheme: header, credentials: '' };
  return { scheme: header.slice(0, space), credentials: header.slice(space + 1).trim() };
}
