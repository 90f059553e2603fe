/**
 * A local Twitch for tests and development: id.twitch.tv/oauth2 under `/oauth2` and
 * api.twitch.tv/helix under `/helix`, on 127.0.0.1, with switches to provoke the failures the
 * production clients must survive.
 *
 *   const twitch = await createFakeTwitch();
 *   twitch.addUser({ id: '1001', login: 'streamer', displayName: 'Streamer' });
 *   twitch.generateChatters('1001', 100_000, { overlapPages: true });
 *   ... createTwitchAuthClient({ authUrl: twitch.authUrl, ... }) ...
 *   await twitch.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeChatterInput, RosterOptions } from './chatters.js';
import { handleHelix } from './helix-routes.js';
import { sendJson, sendOAuthError, type Exchange, type RequestLogEntry } from './http.js';
import type { FakeEventSub, FakeEventSubOptions } from './eventsub/fake-eventsub.js';
import { handleOAuth } from './oauth-routes.js';
import {
  FakeTwitchState,
  type ConsentInput,
  type DroppedMessageRecord,
  type FakeUser,
  type FakeUserInput,
  type IssuedTokens,
  type SentMessageRecord,
} from './state.js';

export type { ConsentInput, FakeChatterInput, FakeUserInput, RequestLogEntry, RosterOptions, SentMessageRecord };

export interface FakeTwitchOptions {
  clientId?: string;
  clientSecret?: string;
  /** Delay before each Helix response, in ms. */
  pageLatencyMs?: number;
  /** Points per bucket (per client and user); default 800. */
  bucketSize?: number;
  /** Time for an empty bucket to refill completely; default 60 000 ms. */
  bucketWindowMs?: number;
  /** Lifetime of issued access tokens; default 14 400 s. */
  accessTokenTtlSeconds?: number;
  /** Registered redirect URIs; default: any absolute URL is accepted. */
  redirectUris?: string[];
  /** The EventSub WebSocket server (keepalive, windows). */
  eventsub?: FakeEventSubOptions;
  /** Default 0 (random). */
  port?: number;
  host?: string;
}

export interface FakeTwitch {
  readonly baseUrl: string;
  /** baseUrl + '/oauth2' (TWITCH_AUTH_URL). */
  readonly authUrl: string;
  /** baseUrl + '/helix' (TWITCH_API_URL). */
  readonly apiUrl: string;
  /** ws://…/ws (TWITCH_EVENTSUB_WS_URL). */
  readonly eventsubUrl: string;
  /** The EventSub WebSocket server: sessions, subscriptions, messages and failure switches. */
  readonly eventsub: FakeEventSub;
  readonly clientId: string;
  readonly clientSecret: string;

  /** Registers a user; the latest one added approves authorizations unless setConsent says otherwise. */
  addUser(user: FakeUserInput): FakeUser;
  /** Lets `userId` read `broadcasterId`'s chatters with their own token. */
  addModerator(broadcasterId: string, userId: string): void;
  /** Makes `userId` a VIP or a subscriber of `broadcasterId` (Get VIPs, Get Broadcaster Subscriptions). */
  addRole(role: 'vip' | 'subscriber', broadcasterId: string, userId: string): void;
  /** What the user does on the next GET /oauth2/authorize (approve with scopes, or deny). */
  setConsent(consent: ConsentInput): void;
  /** Mints a token pair without the browser dance (scopes as given). */
  issueToken(params: { userId: string; scopes: string[]; expiresInSeconds?: number }): IssuedTokens;

  setChatters(broadcasterId: string, chatters: readonly FakeChatterInput[], options?: RosterOptions): void;
  generateChatters(broadcasterId: string, count: number, options?: RosterOptions): FakeChatterInput[];

  /** Expires one access token, or all of a user's access tokens; refresh tokens keep working. */
  expireAccessToken(tokenOrUserId: string): number;
  /** The user disconnects the app: every access and refresh token of theirs stops working. */
  revokeUser(userId: string): number;
  /** Resizes the rate-limit buckets (and optionally the refill window) and refills them. */
  throttle(bucketSize: number, windowMs?: number): void;
  /** The next `count` requests to this exact path (e.g. '/helix/chat/chatters') answer `status`. */
  failNext(path: string, count: number, status?: number): void;
  /** The next Send Chat Message answers is_sent:false with this drop_reason. */
  dropNextMessage(reason: { code: string; message: string }): void;
  setPageLatency(ms: number): void;

  readonly sentMessages: readonly SentMessageRecord[];
  readonly droppedMessages: readonly DroppedMessageRecord[];
  readonly requests: readonly RequestLogEntry[];
  /** Requests whose path starts with `pathPrefix`, optionally only those answered with `status`. */
  requestCount(pathPrefix: string, filter?: { status?: number; method?: string }): number;
  /** Successful refresh_token grants so far. */
  readonly refreshCount: number;

  close(): Promise<void>;
}

export async function createFakeTwitch(options: FakeTwitchOptions = {}): Promise<FakeTwitch> {
  const state = new FakeTwitchState({
    clientId: options.clientId ?? 'fakeclientid0000000000000000000',
    clientSecret: options.clientSecret ?? 'fakeclientsecret00000000000000',
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 14_400,
    redirectUris: options.redirectUris ?? null,
    bucketSize: options.bucketSize ?? 800,
    bucketWindowMs: options.bucketWindowMs ?? 60_000,
    pageLatencyMs: options.pageLatencyMs ?? 0,
    ...(options.eventsub ? { eventsub: options.eventsub } : {}),
  });

  let closed: Promise<void> | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const log: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      status: 0,
      at: Date.now(),
      authorizationScheme: req.headers.authorization?.split(' ')[0] ?? null,
      clientIdHeader: typeof req.headers['client-id'] === 'string' ? req.headers['client-id'] : null,
    };
    state.requests.push(log);
    const ex: Exchange = { req, res, url, log };
    route(state, ex).catch((error: unknown) => {
      if (!res.headersSent) sendJson(ex, 500, { status: 500, message: `stand-in error: ${String(error)}` });
      else res.destroy();
    });
  });

  server.on('upgrade', (req, socket, head) => state.eventsub.handleUpgrade(req, socket, head));
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const address = server.address() as AddressInfo;
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  state.eventsub.setBaseUrl(baseUrl);

  return {
    baseUrl,
    authUrl: `${baseUrl}/oauth2`,
    apiUrl: `${baseUrl}/helix`,
    eventsubUrl: state.eventsub.url,
    eventsub: state.eventsub,
    clientId: state.options.clientId,
    clientSecret: state.options.clientSecret,
    addUser: (user) => state.addUser(user),
    addModerator: (broadcasterId, userId) => state.addModerator(broadcasterId, userId),
    addRole: (role, broadcasterId, userId) => state.addRole(role, broadcasterId, userId),
    setConsent: (consent) => state.setConsent(consent),
    issueToken: ({ userId, scopes, expiresInSeconds }) =>
      state.issueGrant(state.options.clientId, userId, scopes, expiresInSeconds),
    setChatters: (broadcasterId, chatters, rosterOptions) => state.rosters.set(broadcasterId, chatters, rosterOptions),
    generateChatters: (broadcasterId, count, rosterOptions) => state.rosters.generate(broadcasterId, count, rosterOptions),
    expireAccessToken: (tokenOrUserId) => state.expireAccessToken(tokenOrUserId),
    revokeUser: (userId) => state.revokeUser(userId),
    throttle: (bucketSize, windowMs) => state.throttle(bucketSize, windowMs),
    failNext: (path, count, status = 503) => state.failNext(path, count, status),
    dropNextMessage: (reason) => {
      state.dropQueue.push(reason);
    },
    setPageLatency: (ms) => {
      state.options.pageLatencyMs = ms;
    },
    get sentMessages() {
      return state.sentMessages;
    },
    get droppedMessages() {
      return state.droppedMessages;
    },
    get requests() {
      return state.requests;
    },
    requestCount: (pathPrefix, filter = {}) =>
      state.requests.filter(
        (entry) =>
          entry.path.startsWith(pathPrefix) &&
          (filter.status === undefined || entry.status === filter.status) &&
          (filter.method === undefined || entry.method === filter.method),
      ).length,
    get refreshCount() {
      return state.refreshCount;
    },
    close: () =>
      (closed ??= (() => {
        state.eventsub.shutdown();
        return close(server);
      })()),
  };
}

async function route(state: FakeTwitchState, ex: Exchange): Promise<void> {
  const path = ex.url.pathname;
  if (path.startsWith('/helix/')) return handleHelix(state, ex);
  if (path.startsWith('/oauth2/')) {
    const injected = state.takeFailure(path);
    if (injected !== null) return sendOAuthError(ex, injected, 'stand-in: injected failure');
    return handleOAuth(state, ex);
  }
  sendJson(ex, 404, { status: 404, message: 'Not Found' });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
