/**
 * The Gateway side of the stand-in, after the Discord docs ("Gateway", "Gateway Events",
 * "Opcodes and Status Codes"): HELLO on connect, IDENTIFY -> READY + lazy GUILD_CREATEs,
 * heartbeats and ACKs, RESUME with replay of missed dispatches (or INVALID_SESSION), sequence
 * numbers on every dispatch, intents filtering and the documented close codes.
 * Transport compression `compress=zlib-stream` (one zlib context per connection, every message
 * flushed with Z_SYNC_FLUSH) and IDENTIFY `compress: true` (each payload zlib-deflated) are
 * supported; ETF encoding and zstd-stream are refused at the upgrade with a clear message.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type APIGuildMember,
  type APIUser,
} from 'discord-api-types/v10';
import { Recorded } from './waiters.js';

export const ALL_INTENTS = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((all, bit) => all | bit, 0);

export const PRIVILEGED_INTENTS = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

/** What tests can observe about the bot's gateway connections, in order. */
export type GatewayEvent =
  | { type: 'connect'; connectionId: number; path: string; query: Record<string, string> }
  | { type: 'identify'; connectionId: number; sessionId: string; intents: number; shard: [number, number]; compress: boolean }
  | { type: 'resume'; connectionId: number; sessionId: string; replayed: number }
  | { type: 'invalid_session'; connectionId: number; resumable: boolean }
  | { type: 'heartbeat'; connectionId: number; seq: number | null }
  | { type: 'presence'; connectionId: number; presence: unknown }
  | { type: 'close'; connectionId: number; code: number; by: 'client' | 'server'; reason: string };

export interface GatewayHost {
  readyData(session: GatewaySession): { user: APIUser; application: { id: string; flags: number }; guildIds: string[] };
  guildCreate(guildId: string, session: GatewaySession): unknown;
  guildMembers(guildId: string, query: { query?: string; limit: number; userIds?: string[] }): { members: APIGuildMember[]; notFound: string[] };
}

export interface GatewayOptions {
  botToken: string;
  heartbeatIntervalMs: number;
  /** Close with 4009 when no heartbeat came for this long (after HELLO or the last beat). */
  heartbeatTimeoutMs: number;
  /** Privileged intents switched on for the application (the Developer Portal toggles). */
  enabledPrivilegedIntents: number;
  gatewayUrl: string;
  resumeGatewayUrl: string;
  /** Dispatches kept per session for RESUME replay. */
  replayBufferSize: number;
  log: (message: string) => void;
}

interface Payload {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

export class GatewaySession {
  seq = 0;
  readonly buffer: Payload[] = [];
  connection: GatewayConnection | null = null;
  /** RESUME is refused once a session is invalidated (client closed it with 1000/1001, or a test said so). */
  invalidated = false;
  presence: unknown = null;

  constructor(
    readonly id: string,
    readonly intents: number,
    readonly shard: [number, number],
    readonly properties: Record<string, unknown>,
  ) {}

  has(intent: GatewayIntentBits): boolean {
    return (this.intents & intent) === intent;
  }

  handlesGuild(guildId: string | null | undefined): boolean {
    const [id, count] = this.shard;
    if (!guildId) return id === 0;
    return (BigInt(guildId) >> 22n) % BigInt(count) === BigInt(id);
  }
}

let connectionCounter = 0;

class GatewayConnection {
  readonly id = ++connectionCounter;
  session: GatewaySession | null = null;
  identifyCompress = false;
  closedByServer = false;
  #deflate: zlib.Deflate | null = null;
  #sendChain: Promise<void> = Promise.resolve();
  #heartbeatDeadline: NodeJS.Timeout | null = null;
  #received: number[] = [];

  constructor(
    readonly ws: WebSocket,
    zlibStream: boolean,
  ) {
    if (zlibStream) this.#deflate = zlib.createDeflate();
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(payload: Payload): void {
    const json = JSON.stringify(payload);
    if (this.#deflate) {
      const deflate = this.#deflate;
      this.#sendChain = this.#sendChain.then(
        () =>
          new Promise<void>((resolve) => {
            const chunks: Buffer[] = [];
            const onData = (chunk: Buffer) => chunks.push(chunk);
            deflate.on('data', onData);
            deflate.write(json);
            deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
              deflate.off('data', onData);
              if (this.open) this.ws.send(Buffer.concat(chunks));
              resolve();
            });
          }),
      );
      return;
    }
    if (!this.open) return;
    if (this.identifyCompress && payload.op === GatewayOpcodes.Dispatch) {
      this.ws.send(zlib.deflateSync(json));
      return;
    }
    this.ws.send(json);
  }

  /** Discord allows 120 gateway commands per 60 s per connection. */
  countReceived(): boolean {
    const now = Date.now();
    this.#received = this.#received.filter((at) => now - at < 60_000);
    this.#received.push(now);
    return this.#received.length <= 120;
  }

  armHeartbeatDeadline(ms: number, onMissed: () => void): void {
    if (this.#heartbeatDeadline) clearTimeout(this.#heartbeatDeadline);
    this.#heartbeatDeadline = setTimeout(onMissed, ms);
    this.#heartbeatDeadline.unref();
  }

  dispose(): void {
    if (this.#heartbeatDeadline) clearTimeout(this.#heartbeatDeadline);
    this.#deflate?.close();
    this.#deflate = null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const GATEWAY_PATHS = new Set(['/gateway', '/gateway/', '/gateway/resume', '/gateway/resume/']);

export class Gateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly sessions = new Map<string, GatewaySession>();
  readonly #connections = new Set<GatewayConnection>();
  readonly events = new Recorded<GatewayEvent>();
  identifyCount = 0;

  constructor(
    readonly options: GatewayOptions,
    readonly host: GatewayHost,
  ) {}

  /** `server.on('upgrade')` handler. Returns false when the path is not the gateway's. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    if (!GATEWAY_PATHS.has(url.pathname)) return false;
    const encoding = url.searchParams.get('encoding') ?? 'json';
    const compress = url.searchParams.get('compress');
    const refusal =
      encoding !== 'json'
        ? `encoding=${encoding} is not supported by the stand-in (use encoding=json)`
        : compress && compress !== 'zlib-stream'
          ? `compress=${compress} is not supported by the stand-in (use zlib-stream or none)`
          : null;
    if (refusal) {
      this.options.log(`gateway upgrade refused: ${refusal}`);
      const body = JSON.stringify({ message: refusal, code: 0 });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, url));
    return true;
  }

  #onConnection(ws: WebSocket, url: URL): void {
    const connection = new GatewayConnection(ws, url.searchParams.get('compress') === 'zlib-stream');
    this.#connections.add(connection);
    this.events.push({ type: 'connect', connectionId: connection.id, path: url.pathname, query: Object.fromEntries(url.searchParams) });
    ws.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
    ws.on('close', (code, reason) => this.#onClose(connection, code, reason.toString()));
    ws.on('error', (error) => this.options.log(`gateway socket error: ${error.message}`));

    const version = url.searchParams.get('v');
    if (version !== '10' && version !== '9') {
      this.#close(connection, GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version.');
      return;
    }
    connection.send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
    this.#armHeartbeat(connection);
  }

  #armHeartbeat(connection: GatewayConnection): void {
    connection.armHeartbeatDeadline(this.options.heartbeatTimeoutMs, () => {
      this.options.log(`connection ${connection.id} missed its heartbeat; closing with 4009`);
      this.#close(connection, GatewayCloseCodes.SessionTimedOut, 'Session timed out.');
    });
  }

  #close(connection: GatewayConnection, code: number, reason: string): void {
    if (!connection.open) return;
    connection.closedByServer = true;
    this.events.push({ type: 'close', connectionId: connection.id, code, by: 'server', reason });
    connection.ws.close(code, reason);
  }

  #onClose(connection: GatewayConnection, code: number, reason: string): void {
    connection.dispose();
    this.#connections.delete(connection);
    if (!connection.closedByServer) this.events.push({ type: 'close', connectionId: connection.id, code, by: 'client', reason });
    const session = connection.session;
    if (session && session.connection === connection) {
      session.connection = null;
      // Docs: closing with 1000 or 1001 invalidates the session; any other code keeps it resumable.
      if (!connection.closedByServer && (code === 1000 || code === 1001)) {
        session.invalidated = true;
        this.sessions.delete(session.id);
      }
    }
  }

  #onMessage(connection: GatewayConnection, data: RawData, isBinary: boolean): void {
    if (!connection.countReceived()) {
      this.#close(connection, GatewayCloseCodes.RateLimited, 'You are being rate limited.');
      return;
    }
    let payload: unknown;
    try {
      // discord.js sends JSON text frames; a binary frame holding UTF-8 JSON is read the same way.
      void isBinary;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
      payload = JSON.parse(text);
    } catch {
      this.#close(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    if (!isObject(payload) || typeof payload.op !== 'number') {
      this.#close(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    const { op, d } = payload;
    switch (op) {
      case GatewayOpcodes.Heartbeat: {
        const seq = typeof d === 'number' ? d : null;
        this.events.push({ type: 'heartbeat', connectionId: connection.id, seq });
        this.#armHeartbeat(connection);
        connection.send({ op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
        return;
      }
      case GatewayOpcodes.Identify:
        this.#identify(connection, d);
        return;
      case GatewayOpcodes.Resume:
        this.#resume(connection, d);
        return;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
      case GatewayOpcodes.RequestSoundboardSounds: {
        const session = connection.session;
        if (!session) {
          this.#close(connection, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
          return;
        }
        if (op === GatewayOpcodes.PresenceUpdate) {
          session.presence = d;
          this.events.push({ type: 'presence', connectionId: connection.id, presence: d });
        } else if (op === GatewayOpcodes.RequestGuildMembers) {
          this.#requestGuildMembers(connection, session, d);
        }
        return;
      }
      default:
        this.#close(connection, GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
  }

  #identify(connection: GatewayConnection, d: unknown): void {
    if (connection.session) {
      this.#close(connection, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (!isObject(d) || typeof d.token !== 'string' || !isObject(d.properties)) {
      this.#close(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    if (d.token !== this.options.botToken) {
      this.#close(connection, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      this.#close(connection, GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
      return;
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.options.enabledPrivilegedIntents) !== 0) {
      this.#close(connection, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
      return;
    }
    let shard: [number, number] = [0, 1];
    if (d.shard !== undefined) {
      const s = d.shard;
      if (!Array.isArray(s) || s.length !== 2 || !Number.isInteger(s[0]) || !Number.isInteger(s[1]) || s[1] < 1 || s[0] < 0 || s[0] >= s[1]) {
        this.#close(connection, GatewayCloseCodes.InvalidShard, 'Invalid shard.');
        return;
      }
      shard = [s[0], s[1]];
    }
    this.identifyCount += 1;
    connection.identifyCompress = d.compress === true;
    const session = new GatewaySession(randomBytes(16).toString('hex'), intents, shard, d.properties);
    session.connection = connection;
    connection.session = session;
    this.sessions.set(session.id, session);
    this.events.push({ type: 'identify', connectionId: connection.id, sessionId: session.id, intents, shard, compress: connection.identifyCompress });

    const ready = this.host.readyData(session);
    const guildIds = ready.guildIds.filter((id) => session.handlesGuild(id));
    this.#emit(session, GatewayDispatchEvents.Ready, {
      v: 10,
      user: ready.user,
      guilds: guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.resumeGatewayUrl,
      shard,
      application: ready.application,
    });
    // Guilds arrive lazily after READY, and only with the GUILDS intent.
    if (session.has(GatewayIntentBits.Guilds)) {
      setImmediate(() => {
        for (const id of guildIds) {
          if (session.invalidated) return;
          this.#emit(session, GatewayDispatchEvents.GuildCreate, this.host.guildCreate(id, session));
        }
      });
    }
  }

  #resume(connection: GatewayConnection, d: unknown): void {
    if (connection.session) {
      this.#close(connection, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
      return;
    }
    if (!isObject(d) || typeof d.token !== 'string' || typeof d.session_id !== 'string') {
      this.#close(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    if (d.token !== this.options.botToken) {
      this.#close(connection, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
      return;
    }
    const session = this.sessions.get(d.session_id);
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    const oldest = session?.buffer[0]?.s ?? 1;
    if (!session || session.invalidated || seq < oldest - 1) {
      this.events.push({ type: 'invalid_session', connectionId: connection.id, resumable: false });
      connection.send({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      return;
    }
    if (seq > session.seq) {
      this.#close(connection, GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
      return;
    }
    const previous = session.connection;
    if (previous && previous !== connection) {
      previous.session = null;
      this.#close(previous, GatewayCloseCodes.SessionTimedOut, 'Session resumed elsewhere.');
    }
    session.connection = connection;
    connection.session = session;
    const missed = session.buffer.filter((payload) => payload.s !== null && payload.s > seq);
    for (const payload of missed) connection.send(payload);
    this.events.push({ type: 'resume', connectionId: connection.id, sessionId: session.id, replayed: missed.length });
    this.#emit(session, GatewayDispatchEvents.Resumed, null);
  }

  #requestGuildMembers(connection: GatewayConnection, session: GatewaySession, d: unknown): void {
    if (!isObject(d) || (typeof d.guild_id !== 'string' && !Array.isArray(d.guild_id))) {
      this.#close(connection, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    const userIds = Array.isArray(d.user_ids) ? (d.user_ids as string[]) : typeof d.user_ids === 'string' ? [d.user_ids] : undefined;
    const query = typeof d.query === 'string' ? d.query : undefined;
    const limit = typeof d.limit === 'number' ? d.limit : 0;
    const wholeList = !userIds && query === '' && limit === 0;
    if ((wholeList && !session.has(GatewayIntentBits.GuildMembers)) || (d.presences === true && !session.has(GatewayIntentBits.GuildPresences))) {
      this.#close(connection, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
      return;
    }
    const guildIds = Array.isArray(d.guild_id) ? (d.guild_id as string[]) : [d.guild_id as string];
    for (const guildId of guildIds) {
      const { members, notFound } = this.host.guildMembers(guildId, { query, limit, userIds });
      this.#emit(session, GatewayDispatchEvents.GuildMembersChunk, {
        guild_id: guildId,
        members,
        chunk_index: 0,
        chunk_count: 1,
        ...(notFound.length ? { not_found: notFound } : {}),
        ...(d.presences === true ? { presences: [] } : {}),
        ...(typeof d.nonce === 'string' ? { nonce: d.nonce } : {}),
      });
    }
  }

  /** Numbers the dispatch for this session, keeps it for replay, sends it when connected. */
  #emit(session: GatewaySession, event: string, data: unknown): void {
    session.seq += 1;
    const payload: Payload = { op: GatewayOpcodes.Dispatch, d: data, s: session.seq, t: event };
    session.buffer.push(payload);
    if (session.buffer.length > this.options.replayBufferSize) session.buffer.shift();
    if (session.connection?.open) session.connection.send(payload);
  }

  /**
   * Sends a dispatch to every live session (connected, or disconnected but resumable, in which
   * case it is replayed on RESUME). `build` returns the per-session data, or undefined to skip
   * that session (intents). Returns how many sessions it was queued for.
   */
  dispatch(event: string, build: (session: GatewaySession) => unknown, guildId?: string | null): number {
    let count = 0;
    for (const session of this.sessions.values()) {
      if (session.invalidated || !session.handlesGuild(guildId)) continue;
      const data = build(session);
      if (data === undefined) continue;
      this.#emit(session, event, data);
      count += 1;
    }
    return count;
  }

  isConnected(): boolean {
    return [...this.sessions.values()].some((session) => !session.invalidated && session.connection?.open);
  }

  hasLiveSession(): boolean {
    return [...this.sessions.values()].some((session) => !session.invalidated);
  }

  /**
   * Drops the bot's connections. Without a code the TCP socket is cut (the client sees 1006,
   * as on a network failure, and resumes); with a code the socket is closed with it.
   * `invalidateSession` makes the next RESUME get INVALID_SESSION (d: false).
   */
  disconnect(options: { code?: number; reason?: string; invalidateSession?: boolean } = {}): number {
    let dropped = 0;
    for (const connection of [...this.#connections]) {
      if (!connection.session) continue;
      dropped += 1;
      if (options.invalidateSession) {
        connection.session.invalidated = true;
        this.sessions.delete(connection.session.id);
      }
      if (options.code === undefined) {
        connection.closedByServer = true;
        this.events.push({ type: 'close', connectionId: connection.id, code: 1006, by: 'server', reason: 'connection dropped' });
        connection.ws.terminate();
      } else {
        this.#close(connection, options.code, options.reason ?? 'Disconnected by the stand-in.');
      }
    }
    return dropped;
  }

  /** Opcode 7: Discord asks the client to reconnect and resume. */
  sendReconnect(): void {
    for (const connection of this.#connections) {
      if (connection.session) connection.send({ op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
    }
  }

  /** Opcode 1 from the server: the client must heartbeat immediately. */
  requestHeartbeat(): void {
    for (const connection of this.#connections) connection.send({ op: GatewayOpcodes.Heartbeat, d: null, s: null, t: null });
  }

  /** Opcode 9 with d=false on the live connections (the client must identify again). */
  invalidateSessions(): void {
    for (const connection of this.#connections) {
      const session = connection.session;
      if (!session) continue;
      session.invalidated = true;
      this.sessions.delete(session.id);
      connection.session = null;
      this.events.push({ type: 'invalid_session', connectionId: connection.id, resumable: false });
      connection.send({ op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
    }
  }

  close(): void {
    for (const connection of this.#connections) {
      connection.closedByServer = true;
      connection.dispose();
      connection.ws.terminate();
    }
    this.#connections.clear();
    this.#wss.close();
  }
}
