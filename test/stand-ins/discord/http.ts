import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { DiscordApiError } from './errors.js';
import { RateLimiter } from './rate-limit.js';

export const API_PREFIX = '/api/v10';

/** A file part of a multipart request (`files[n]`), as discord.js sends attachments. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface RouteContext {
  method: string;
  /** The path below `/api/v10`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
  headers: IncomingMessage['headers'];
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

/**
 * - `bot`: needs `Authorization: Bot <token>`;
 * - `none`: the interaction token in the path is the credential (callbacks, webhooks);
 * - `open`: no credential at all (GET /gateway).
 */
export type RouteAuth = 'bot' | 'none' | 'open';

export interface Route {
  method: string;
  pattern: string;
  auth: RouteAuth;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  body: unknown;
  response: unknown;
  at: number;
}

export interface InjectedFailure {
  method?: string;
  path: string | RegExp;
  status: number;
  body?: unknown;
  /** For 429: seconds in `Retry-After` and `retry_after`. */
  retryAfter?: number;
  times: number;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  keys: string[];
  /** Bucket template: the pattern with its major parameter (channel, guild, webhook) filled in. */
  majorKey: string | undefined;
}

const MAJOR_PARAMS = ['channel_id', 'guild_id', 'webhook_id', 'interaction_id'];

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        keys.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${source}/?$`), keys, majorKey: keys.find((key) => MAJOR_PARAMS.includes(key)) };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status === 200 ? 204 : status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<{ body: unknown; files: UploadedFile[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    // Let the platform parse multipart; discord.js puts the JSON in `payload_json` and files in `files[n]`.
    const form = await new Request('http://stand-in.invalid/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
    const files: UploadedFile[] = [];
    let body: unknown = {};
    for (const [field, value] of form.entries()) {
      if (field === 'payload_json' && typeof value === 'string') body = parseJson(value);
      else if (typeof value !== 'string') files.push({ field, filename: value.name, contentType: value.type, size: value.size });
    }
    return { body, files };
  }
  return { body: parseJson(raw.toString('utf8')), files: [] };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DiscordApiError(400, RESTJSONErrorCodes.RequestBodyContainsInvalidJSON, 'The request body contains invalid JSON.');
  }
}

export interface RouterOptions {
  botToken: string;
  rateLimiter: RateLimiter;
  log: (message: string) => void;
}

/** Matches `/api/v10/...` requests to routes, enforcing auth and rate limits; records everything. */
export class Router {
  readonly #routes: CompiledRoute[] = [];
  readonly requests: RequestLogEntry[] = [];
  readonly unknownRoutes: { method: string; path: string }[] = [];
  readonly #failures: InjectedFailure[] = [];

  constructor(readonly options: RouterOptions) {}

  add(route: Route): void {
    this.#routes.push(compile(route));
  }

  injectFailure(failure: InjectedFailure): void {
    this.#failures.push(failure);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    // Clients may percent-encode segments (@discordjs/rest sends `/users/%40me`); Discord decodes them.
    const decoded = url.pathname.split('/').map(safeDecode).join('/');
    const path = decoded.startsWith(API_PREFIX) ? decoded.slice(API_PREFIX.length) || '/' : null;
    const entry: RequestLogEntry = { method, path: path ?? url.pathname, query: url.search, status: 0, body: undefined, response: undefined, at: Date.now() };
    this.requests.push(entry);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      entry.response = body;
      sendJson(res, status, body, headers);
    };

    let match: { route: CompiledRoute; params: Record<string, string> } | undefined;
    let pathKnown = false;
    if (path !== null) {
      for (const route of this.#routes) {
        const found = route.regex.exec(path);
        if (!found) continue;
        pathKnown = true;
        if (route.method !== method) continue;
        const params: Record<string, string> = {};
        route.keys.forEach((key, i) => (params[key] = found[i + 1]!));
        match = { route, params };
        break;
      }
    }
    if (!match) {
      req.resume();
      if (pathKnown) {
        reply(405, { message: '405: Method Not Allowed', code: 0 });
        return;
      }
      this.unknownRoutes.push({ method, path: entry.path });
      this.options.log(`unknown route ${method} ${url.pathname}${url.search} -> 404`);
      reply(404, { message: '404: Not Found', code: 0 });
      return;
    }
    const { route, params } = match;

    if (route.auth === 'bot' && req.headers.authorization !== `Bot ${this.options.botToken}`) {
      req.resume();
      reply(401, { message: '401: Unauthorized', code: 0 });
      return;
    }

    const major = route.majorKey ? params[route.majorKey] ?? '' : '';
    const verdict = this.options.rateLimiter.take(`${method} ${route.pattern}`, major, route.auth === 'bot');
    if (verdict.retryAfterSeconds !== undefined) {
      req.resume();
      reply(
        429,
        { message: 'You are being rate limited.', retry_after: Number(verdict.retryAfterSeconds.toFixed(3)), global: verdict.global ?? false },
        verdict.headers,
      );
      return;
    }

    try {
      const { body, files } = await readBody(req);
      entry.body = body;
      const failure = this.#takeFailure(method, path!);
      if (failure) {
        const headers = { ...verdict.headers };
        let failureBody = failure.body ?? { message: `${failure.status}: injected failure`, code: 0 };
        if (failure.status === 429) {
          const retry = failure.retryAfter ?? 0.2;
          headers['Retry-After'] = String(Math.ceil(retry));
          headers['X-RateLimit-Remaining'] = '0';
          headers['X-RateLimit-Reset-After'] = retry.toFixed(3);
          headers['X-RateLimit-Scope'] = 'user';
          failureBody = failure.body ?? { message: 'You are being rate limited.', retry_after: retry, global: false };
        }
        reply(failure.status, failureBody, headers);
        return;
      }
      const result = await route.handler({ method, path: path!, params, query: url.searchParams, body, files, headers: req.headers });
      reply(result.status, result.body, verdict.headers);
    } catch (error) {
      if (error instanceof DiscordApiError) {
        reply(error.status, error.body(), verdict.headers);
        return;
      }
      this.options.log(`handler for ${method} ${route.pattern} threw: ${(error as Error).stack ?? String(error)}`);
      reply(500, { message: '500: Internal Server Error', code: 0 }, verdict.headers);
    }
  }

  #takeFailure(method: string, path: string): InjectedFailure | undefined {
    const index = this.#failures.findIndex(
      (f) => (!f.method || f.method.toUpperCase() === method) && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (index < 0) return undefined;
    const failure = this.#failures[index]!;
    failure.times -= 1;
    if (failure.times <= 0) this.#failures.splice(index, 1);
    return failure;
  }
}
